import {
  ErrorCode,
  OperatorErrorCode,
  type AlertDetailResponse,
  type AlertInfo,
  type AlertPreviewResponse,
  type AlertRuleInfo,
  type AlertRuleWrite,
  type AlertState,
  type NotificationInfo,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { ReadingsService } from '../readings/readings-service.js';
import { assertOperator, assertSeesAllCovered, assertSite, seesSite, type AlertsActor } from './alert-access.js';
import type { AlertsConfig } from './alerts-config.js';
import type { AlertRow, AlertsRepository, NotificationRow, RuleRow } from './alerts-repository.js';
import { alertInfo, notificationInfo, ruleInfo } from './alert-views.js';
import type { Clock } from '../../clock.js';
import type { AlertEngine } from './engine.js';
import type { Notifier } from './notifier.js';
import type { ResponseCounter } from './response-counter.js';
import { previewRule } from './rule-preview.js';
import { badRequest, EMAIL, resolveRule } from './rule-write.js';

export type { AlertsActor } from './alert-access.js';

export interface ActiveAlertsFilter {
  /** Only alerts of this site. */
  siteId?: number;
  /** Include pending alerts (condition met, duration not yet held). Default true. */
  includePending?: boolean;
}

export interface AlertListFilter {
  states?: AlertState[];
  siteId?: number;
  ruleId?: number;
  from?: Date;
  to?: Date;
  includePending?: boolean;
  limit?: number;
}

/**
 * The alerts component's service: what the routes call and what the MCP server calls.
 * - `listActive(filter, actor)`: firing and pending alerts, worst first.
 * - `configureRule(input, actor)`: create (no `id`) or edit (with `id`) a rule; operators and admins only.
 * - `sendAlertEmail({to, subject, body}, actor)`: an e-mail through the outbox (sent by SMTP, or recorded in the demo).
 * Every method checks the actor's role and site restrictions like the HTTP API does (`alert-access.ts`). What a rule
 * write may set is checked in `rule-write.ts`, the preview replays in `rule-preview.ts`, the answers are shaped in
 * `alert-views.ts`.
 */
export class AlertsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly deps: {
      meters: MeterDirectory;
      readings: ReadingsService;
      counter: ResponseCounter;
      notifier: Notifier;
      engine: AlertEngine;
      config: AlertsConfig;
      clock: Clock;
    },
  ) {}

  get smtpConfigured(): boolean {
    return this.deps.notifier.smtpConfigured;
  }

  // --- alerts and their acknowledgement ---

  async listActive(filter: ActiveAlertsFilter, actor: AlertsActor): Promise<AlertInfo[]> {
    return this.list(actor, {
      states: filter.includePending === false ? ['firing'] : ['firing', 'pending'],
      siteId: filter.siteId,
      includePending: filter.includePending !== false,
      limit: 500,
    });
  }

  async list(actor: AlertsActor, f: AlertListFilter): Promise<AlertInfo[]> {
    if (f.siteId !== undefined) assertSite(actor, f.siteId);
    const rows = await this.repo.alerts.list({
      siteIds: actor.siteIds,
      states: f.states,
      siteId: f.siteId,
      ruleId: f.ruleId,
      from: f.from,
      to: f.to,
      includePending: f.includePending ?? f.states?.includes('pending') ?? false,
      limit: f.limit ?? 200,
    });
    return rows.map(alertInfo);
  }

  async get(actor: AlertsActor, id: number): Promise<AlertDetailResponse> {
    const a = await this.visibleAlert(actor, id);
    const [events, notifications] = await Promise.all([
      this.repo.alerts.events(id),
      this.repo.outbox.notifications({ alertId: id, siteIds: null, limit: 100 }),
    ]);
    return {
      alert: alertInfo(a),
      events: events.map((e) => ({
        at: e.at.toISOString(),
        type: e.type,
        message: e.message,
        value: e.value,
        actor: e.actor,
      })),
      notifications: notifications.map(notificationInfo),
    };
  }

  async acknowledge(actor: AlertsActor, id: number, note: string | null): Promise<AlertInfo> {
    assertOperator(actor);
    const a = await this.visibleAlert(actor, id);
    if (a.acknowledged_at)
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `alert ${id} was already acknowledged by ${a.acknowledged_by_email ?? 'someone'} at ${a.acknowledged_at.toISOString()}`,
      );
    const now = this.deps.clock.now();
    await this.repo.alerts.acknowledge(id, now, actor.id, actor.email, note);
    await this.repo.alerts.addEvent(
      id,
      now,
      'acknowledged',
      note ? `acknowledged: ${note}` : 'acknowledged',
      null,
      actor.email,
    );
    return alertInfo((await this.repo.alerts.get(id)) as AlertRow);
  }

  // --- rules ---

  async rules(actor: AlertsActor): Promise<AlertRuleInfo[]> {
    return (await this.repo.rules.list())
      .filter((r) => seesSite(actor, r.site_id))
      .map((r) => ruleInfo(r, this.deps.config));
  }

  /** Who gets a rule's e-mails when the rule names nobody (ALERT_EMAIL_TO). */
  defaultRecipients(): string[] {
    return [...this.deps.config.emailTo];
  }

  async rule(actor: AlertsActor, id: number): Promise<AlertRuleInfo> {
    return ruleInfo(await this.visibleRule(actor, id), this.deps.config);
  }

  /** Create (no id) or edit (id) a rule. */
  async configureRule(input: AlertRuleWrite & { id?: number }, actor: AlertsActor): Promise<AlertRuleInfo> {
    assertOperator(actor);
    if (input.id === undefined) {
      const r = await resolveRule(input, undefined, actor, this.deps.meters);
      const id = await this.repo.rules.insert(r, actor.id);
      return this.rule(actor, id);
    }
    const existing = await this.visibleRule(actor, input.id);
    assertSeesAllCovered(actor, existing, 'change');
    const r = await resolveRule(input, existing, actor, this.deps.meters);
    await this.repo.rules.update(existing.id, r, actor.id);
    return this.rule(actor, existing.id);
  }

  /** Delete a rule (its alerts go with it). Built-in rules cannot be deleted, only disabled. */
  async deleteRule(actor: AlertsActor, id: number): Promise<void> {
    assertOperator(actor);
    const existing = await this.visibleRule(actor, id);
    assertSeesAllCovered(actor, existing, 'delete');
    if (existing.builtin)
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `alert rule ${id} ("${existing.name}") is built in and cannot be deleted; disable it instead (enabled: false)`,
      );
    await this.repo.rules.delete(id);
  }

  /** What the rule (saved or not) would have fired on over the last day, from the stored readings and heartbeats. */
  async preview(input: AlertRuleWrite & { id?: number }, actor: AlertsActor): Promise<AlertPreviewResponse> {
    const existing = input.id === undefined ? undefined : await this.visibleRule(actor, input.id);
    const base = await resolveRule(input, existing, actor, this.deps.meters);
    const rule: RuleRow = {
      ...base,
      id: existing?.id ?? 0,
      builtin: existing?.builtin ?? false,
      kind: existing?.kind ?? base.kind,
      site_name: null,
      meter_name: null,
      created_at: new Date(),
      updated_at: new Date(),
    };
    return previewRule(rule, actor, {
      inputs: this.repo.inputs,
      readings: this.deps.readings,
      counter: this.deps.counter,
      config: this.deps.config,
      now: this.deps.clock.now(),
    });
  }

  // --- notifications ---

  async notifications(actor: AlertsActor, f: { status?: string; limit?: number }): Promise<NotificationInfo[]> {
    const rows = await this.repo.outbox.notifications({
      siteIds: actor.siteIds,
      ...(f.status ? { status: f.status } : {}),
      limit: f.limit ?? 200,
    });
    return rows.map(notificationInfo);
  }

  /** An e-mail to anyone, through the outbox (recorded instead of sent without SMTP). Operators and admins only. */
  async sendAlertEmail(
    mail: { to: string[]; subject: string; body: string },
    actor: AlertsActor,
  ): Promise<NotificationInfo> {
    assertOperator(actor);
    if (
      !Array.isArray(mail.to) ||
      mail.to.length === 0 ||
      mail.to.length > 20 ||
      !mail.to.every((a) => typeof a === 'string' && EMAIL.test(a))
    )
      throw badRequest('to must be 1 to 20 e-mail addresses');
    if (typeof mail.subject !== 'string' || mail.subject.trim() === '' || mail.subject.length > 300)
      throw badRequest('subject must be 1 to 300 characters');
    if (typeof mail.body !== 'string' || mail.body.length > 50_000)
      throw badRequest('body must be at most 50000 characters');
    // A manual e-mail (a forwarded report, a warning) concerns the sender's sites: a user limited to others never sees it.
    const id = await this.deps.notifier.enqueueManual(
      {
        to: mail.to,
        subject: mail.subject.startsWith('[MeterIT]') ? mail.subject : `[MeterIT] ${mail.subject}`,
        body: mail.body,
      },
      actor.email,
      actor.siteIds,
    );
    await this.deps.notifier.deliverDue();
    const [row] = (await this.repo.outbox.notifications({ siteIds: null, limit: 50 })).filter((n) => n.id === id);
    return notificationInfo(row as NotificationRow);
  }

  // --- what the actor may see ---

  private async visibleAlert(actor: AlertsActor, id: number): Promise<AlertRow> {
    const a = await this.repo.alerts.get(id);
    if (!a || !seesSite(actor, a.site_id)) throw new ApiError(404, ErrorCode.NOT_FOUND, `no alert with id ${id}`);
    return a;
  }

  private async visibleRule(actor: AlertsActor, id: number): Promise<RuleRow> {
    const r = await this.repo.rules.get(id);
    if (!r || !seesSite(actor, r.site_id)) throw new ApiError(404, ErrorCode.NOT_FOUND, `no alert rule with id ${id}`);
    return r;
  }
}
