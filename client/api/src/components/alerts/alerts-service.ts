import {
  ErrorCode,
  OperatorErrorCode,
  OPERATOR_ALERT_KINDS,
  type AlertDetailResponse,
  type AlertInfo,
  type AlertPreviewEpisode,
  type AlertPreviewResponse,
  type AlertRuleInfo,
  type AlertRuleWrite,
  type AlertState,
  type NotificationInfo,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsConfig } from './alerts-config.js';
import type { AlertRow, AlertsRepository, NotificationRow, RuleRow } from './alerts-repository.js';
import type { Clock } from './clock.js';
import { effectiveCooldownSeconds, effectiveThreshold, type AlertEngine } from './engine.js';
import { bounds, evaluateRule } from './evaluators.js';
import type { Notifier } from './notifier.js';
import type { ResponseCounter } from './response-counter.js';
import { builtinSpec, OPERATOR_KIND_TEXT } from './rule-catalog.js';

/** Who does something: a person (roles and site limits apply) or a named system actor. */
export type AlertsActor = AuthUser;

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

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;
const bad = (message: string) => new ApiError(400, ErrorCode.VALIDATION_FAILED, message);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The alerts component's service: what the routes call and what the MCP server calls.
 * - `listActive(filter, actor)`: firing and pending alerts, worst first.
 * - `configureRule(input, actor)`: create (no `id`) or edit (with `id`) a rule; operators and admins only.
 * - `sendAlertEmail({to, subject, body}, actor)`: an e-mail through the outbox (sent by SMTP, or recorded in the demo).
 * Every method checks the actor's role and site restrictions like the HTTP API does.
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

  // --- alerts ---

  async listActive(filter: ActiveAlertsFilter, actor: AlertsActor): Promise<AlertInfo[]> {
    return this.list(actor, {
      states: filter.includePending === false ? ['firing'] : ['firing', 'pending'],
      siteId: filter.siteId,
      includePending: filter.includePending !== false,
      limit: 500,
    });
  }

  async list(actor: AlertsActor, f: AlertListFilter): Promise<AlertInfo[]> {
    if (f.siteId !== undefined) this.assertSite(actor, f.siteId);
    const rows = await this.repo.alerts({
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
      this.repo.events(id),
      this.repo.notifications({ alertId: id, siteIds: null, limit: 100 }),
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
    this.assertOperator(actor);
    const a = await this.visibleAlert(actor, id);
    if (a.acknowledged_at)
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `alert ${id} was already acknowledged by ${a.acknowledged_by_email ?? 'someone'} at ${a.acknowledged_at.toISOString()}`,
      );
    const now = this.deps.clock.now();
    await this.repo.acknowledge(id, now, actor.id, actor.email, note);
    await this.repo.addEvent(
      id,
      now,
      'acknowledged',
      note ? `acknowledged: ${note}` : 'acknowledged',
      null,
      actor.email,
    );
    return alertInfo((await this.repo.alert(id)) as AlertRow);
  }

  // --- rules ---

  async rules(actor: AlertsActor): Promise<AlertRuleInfo[]> {
    return (await this.repo.rules()).filter((r) => this.ruleVisible(actor, r)).map((r) => this.ruleInfo(r));
  }

  async rule(actor: AlertsActor, id: number): Promise<AlertRuleInfo> {
    return this.ruleInfo(await this.visibleRule(actor, id));
  }

  /** Create (no id) or edit (id) a rule. */
  async configureRule(input: AlertRuleWrite & { id?: number }, actor: AlertsActor): Promise<AlertRuleInfo> {
    this.assertOperator(actor);
    if (input.id === undefined) {
      const r = await this.resolveRule(input, undefined, actor);
      const id = await this.repo.insertRule(r, actor.id);
      return this.rule(actor, id);
    }
    const existing = await this.visibleRule(actor, input.id);
    this.assertSeesAllCovered(actor, existing, 'change');
    const r = await this.resolveRule(input, existing, actor);
    await this.repo.updateRule(existing.id, r, actor.id);
    return this.rule(actor, existing.id);
  }

  /** Delete a rule (its alerts go with it). Built-in rules cannot be deleted, only disabled. */
  async deleteRule(actor: AlertsActor, id: number): Promise<void> {
    this.assertOperator(actor);
    const existing = await this.visibleRule(actor, id);
    this.assertSeesAllCovered(actor, existing, 'delete');
    if (existing.builtin)
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `alert rule ${id} ("${existing.name}") is built in and cannot be deleted; disable it instead (enabled: false)`,
      );
    await this.repo.deleteRule(id);
  }

  /** What the rule (saved or not) would have fired on over the last day, from the stored readings and heartbeats. */
  async preview(input: AlertRuleWrite & { id?: number }, actor: AlertsActor): Promise<AlertPreviewResponse> {
    const existing = input.id === undefined ? undefined : await this.visibleRule(actor, input.id);
    const base = await this.resolveRule(input, existing, actor);
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
    const threshold = effectiveThreshold(rule, this.deps.config);
    const to = this.deps.clock.now();
    const from = new Date(to.getTime() - 86_400_000);
    const out: AlertPreviewResponse = { from: from.toISOString(), to: to.toISOString(), episodes: [], note: null };
    if (threshold === null) return { ...out, note: 'the rule has no threshold' };
    const scope = {
      siteId: rule.scope === 'all' ? null : rule.site_id,
      meterId: rule.scope === 'meter' ? rule.meter_id : null,
    };
    const visible = (siteId: number | null) =>
      siteId === null || actor.siteIds === null || actor.siteIds.includes(siteId);
    const ep = (e: AlertPreviewEpisode) => {
      if (visible(e.site_id)) out.episodes.push(e);
    };
    switch (rule.kind) {
      case 'threshold': {
        const { low, high } = bounds(rule, threshold);
        const runs = await this.repo.breachRuns(
          { ...scope, dataPoint: rule.data_point as string },
          { condition: rule.condition as string, low, high },
          from,
          to,
        );
        for (const r of runs) {
          const end = r.run_end ?? to;
          if (
            end.getTime() - r.run_start.getTime() < rule.for_seconds * 1000 ||
            (rule.for_seconds > 0 && end.getTime() - r.run_start.getTime() === 0)
          )
            continue;
          ep({
            subject_key: `meter:${r.meter_id}:${rule.data_point}`,
            site_id: r.site_id,
            site_name: r.site_name,
            meter_id: r.meter_id,
            meter_name: r.meter_name,
            title: `${rule.data_point} of "${r.meter_name}" ${rule.condition} the threshold (peak ${Math.round(r.peak * 1000) / 1000})`,
            started_at: r.run_start.toISOString(),
            fired_at: new Date(r.run_start.getTime() + rule.for_seconds * 1000).toISOString(),
            resolved_at: iso(r.run_end),
            peak_value: r.peak,
          });
        }
        break;
      }
      case 'no_data':
      case 'meter_unreachable': {
        const gapMs = threshold * 60_000;
        for (const g of await this.repo.readingGaps(
          { ...scope, dataPoint: rule.kind === 'no_data' ? rule.data_point : null },
          new Date(from.getTime() - gapMs),
          to,
          gapMs,
        )) {
          ep({
            subject_key: `meter:${g.meter_id}`,
            site_id: g.site_id,
            site_name: g.site_name,
            meter_id: g.meter_id,
            meter_name: g.meter_name,
            title: `no reading from "${g.meter_name}" for ${Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 60_000)} min`,
            started_at: g.gap_from.toISOString(),
            fired_at: new Date(g.gap_from.getTime() + gapMs).toISOString(),
            resolved_at: g.gap_to.toISOString(),
            peak_value: Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 600) / 100,
          });
        }
        for (const m of await this.repo.meterActivity({
          ...scope,
          dataPoint: rule.kind === 'no_data' ? rule.data_point : null,
        })) {
          const last = m.last_reading_at ?? m.created_at;
          if (to.getTime() - last.getTime() > gapMs) {
            ep({
              subject_key: `meter:${m.id}`,
              site_id: m.site_id,
              site_name: m.site_name,
              meter_id: m.id,
              meter_name: m.name,
              title: `no reading from "${m.name}" since ${last.toISOString()} (still)`,
              started_at: last.toISOString(),
              fired_at: new Date(Math.max(last.getTime() + gapMs, from.getTime())).toISOString(),
              resolved_at: null,
              peak_value: Math.round((to.getTime() - last.getTime()) / 600) / 100,
            });
          }
        }
        break;
      }
      case 'heartbeat_missing': {
        const gapMs = threshold * 60_000;
        for (const g of await this.repo.heartbeatGaps(new Date(from.getTime() - gapMs), to, gapMs)) {
          ep({
            subject_key: `site:${g.site_id}`,
            site_id: g.site_id,
            site_name: g.site_name,
            meter_id: null,
            meter_name: null,
            title: `no heartbeat from "${g.site_name}" for ${Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 60_000)} min`,
            started_at: g.gap_from.toISOString(),
            fired_at: new Date(g.gap_from.getTime() + gapMs).toISOString(),
            resolved_at: g.gap_to.toISOString(),
            peak_value: null,
          });
        }
        for (const s of await this.repo.sitesWithHeartbeat()) {
          if (s.last_heartbeat_at && to.getTime() - s.last_heartbeat_at.getTime() > gapMs) {
            ep({
              subject_key: `site:${s.id}`,
              site_id: s.id,
              site_name: s.name,
              meter_id: null,
              meter_name: null,
              title: `no heartbeat from "${s.name}" since ${s.last_heartbeat_at.toISOString()} (still)`,
              started_at: s.last_heartbeat_at.toISOString(),
              fired_at: new Date(s.last_heartbeat_at.getTime() + gapMs).toISOString(),
              resolved_at: null,
              peak_value: null,
            });
          }
        }
        break;
      }
      case 'daily_energy': {
        const r = await evaluateRule(rule, threshold, {
          repo: this.repo,
          readings: this.deps.readings,
          counter: this.deps.counter,
          config: this.deps.config,
          now: to,
          previous: to,
          startedAt: to,
        });
        for (const o of r.observations.filter((x) => x.active)) {
          ep({
            subject_key: o.key,
            site_id: o.siteId,
            site_name: null,
            meter_id: o.meterId,
            meter_name: null,
            title: o.title,
            started_at: o.since.toISOString(),
            fired_at: to.toISOString(),
            resolved_at: null,
            peak_value: o.value,
          });
        }
        out.note = 'daily energy is checked for today so far';
        break;
      }
      default:
        out.note = `${rule.kind} is evaluated from live state (the latest heartbeat, this process's responses or its database connection); there is no day of history to replay`;
    }
    out.episodes.sort((a, b) => a.started_at.localeCompare(b.started_at));
    return out;
  }

  // --- notifications ---

  async notifications(actor: AlertsActor, f: { status?: string; limit?: number }): Promise<NotificationInfo[]> {
    const rows = await this.repo.notifications({
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
    this.assertOperator(actor);
    if (
      !Array.isArray(mail.to) ||
      mail.to.length === 0 ||
      mail.to.length > 20 ||
      !mail.to.every((a) => typeof a === 'string' && EMAIL.test(a))
    )
      throw bad('to must be 1 to 20 e-mail addresses');
    if (typeof mail.subject !== 'string' || mail.subject.trim() === '' || mail.subject.length > 300)
      throw bad('subject must be 1 to 300 characters');
    if (typeof mail.body !== 'string' || mail.body.length > 50_000) throw bad('body must be at most 50000 characters');
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
    const [row] = (await this.repo.notifications({ siteIds: null, limit: 50 })).filter((n) => n.id === id);
    return notificationInfo(row as NotificationRow);
  }

  // --- helpers ---

  private assertOperator(actor: AlertsActor): void {
    if (actor.role !== 'admin' && actor.role !== 'operator')
      throw new ApiError(403, ErrorCode.FORBIDDEN, `only an operator or admin may do this; you are a ${actor.role}`);
  }

  private assertSite(actor: AlertsActor, siteId: number): void {
    if (actor.siteIds !== null && !actor.siteIds.includes(siteId))
      throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${siteId}`);
  }

  private async visibleAlert(actor: AlertsActor, id: number): Promise<AlertRow> {
    const a = await this.repo.alert(id);
    if (!a || (a.site_id !== null && actor.siteIds !== null && !actor.siteIds.includes(a.site_id)))
      throw new ApiError(404, ErrorCode.NOT_FOUND, `no alert with id ${id}`);
    return a;
  }

  /**
   * Only a user who sees every site a rule covers may change or delete it: an operator limited to some sites could
   * otherwise disable (or raise the threshold of) an all-site rule and silence alerts of sites they cannot see.
   */
  private assertSeesAllCovered(actor: AlertsActor, r: RuleRow, what: 'change' | 'delete'): void {
    if (actor.siteIds === null || r.scope !== 'all') return;
    throw new ApiError(
      403,
      ErrorCode.FORBIDDEN,
      `alert rule ${r.id} ("${r.name}") covers every site, and you see only some (site ${actor.siteIds.join(', ') || 'none'}); only a user who sees every site may ${what} it`,
    );
  }

  private ruleVisible(actor: AlertsActor, r: RuleRow): boolean {
    return r.site_id === null || actor.siteIds === null || actor.siteIds.includes(r.site_id);
  }

  private async visibleRule(actor: AlertsActor, id: number): Promise<RuleRow> {
    const r = await this.repo.rule(id);
    if (!r || !this.ruleVisible(actor, r)) throw new ApiError(404, ErrorCode.NOT_FOUND, `no alert rule with id ${id}`);
    return r;
  }

  private ruleInfo(r: RuleRow): AlertRuleInfo {
    const spec = builtinSpec(r.kind);
    const op = (OPERATOR_KIND_TEXT as Partial<Record<string, { unit: string | null; description: string }>>)[r.kind];
    return {
      id: r.id,
      kind: r.kind,
      builtin: r.builtin,
      name: r.name,
      enabled: r.enabled,
      severity: r.severity,
      scope: r.scope,
      site_id: r.site_id,
      site_name: r.site_name,
      meter_id: r.meter_id,
      meter_name: r.meter_name,
      data_point: r.data_point,
      condition: r.condition,
      threshold: r.threshold,
      threshold_high: r.threshold_high,
      effective_threshold: effectiveThreshold(r, this.deps.config),
      unit: spec?.unit ?? op?.unit ?? null,
      for_seconds: r.for_seconds,
      cooldown_seconds: r.cooldown_seconds,
      effective_cooldown_seconds: effectiveCooldownSeconds(r, this.deps.config),
      recipients: r.recipients,
      webhook_url: r.webhook_url,
      description: spec ? `${spec.description} Default from ${spec.envKey}.` : (op?.description ?? ''),
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
    };
  }

  /** The full rule after applying `input` to `existing` (or to nothing), checked for consistency and visibility. */
  private async resolveRule(
    input: AlertRuleWrite,
    existing: RuleRow | undefined,
    actor: AlertsActor,
  ): Promise<Omit<RuleRow, 'id' | 'builtin' | 'site_name' | 'meter_name' | 'created_at' | 'updated_at'>> {
    const kind = existing?.kind ?? input.kind;
    if (!kind) throw bad('kind is required: threshold, no_data or daily_energy');
    if (input.kind !== undefined && existing && input.kind !== existing.kind)
      throw bad(`the kind of a rule cannot change (it is ${existing.kind}); create a new rule`);
    if (!existing && !(OPERATOR_ALERT_KINDS as readonly string[]).includes(kind))
      throw bad(
        `only ${OPERATOR_ALERT_KINDS.join(', ')} rules can be created; the built-in rules exist already and can be edited`,
      );
    const builtin = existing?.builtin ?? false;
    const pick = <K extends keyof AlertRuleWrite & keyof RuleRow>(k: K, fallback: RuleRow[K]): RuleRow[K] =>
      input[k] !== undefined ? (input[k] as RuleRow[K]) : existing ? existing[k] : fallback;
    const name = (pick('name', '') ?? '').trim();
    if (!name) throw bad('name is required');
    if (
      builtin &&
      (input.scope !== undefined ||
        input.site_id !== undefined ||
        input.meter_id !== undefined ||
        input.data_point !== undefined ||
        input.condition !== undefined)
    ) {
      throw bad(
        'a built-in rule covers every site; only its name, threshold, severity, enabled, for_seconds, cooldown_seconds, recipients and webhook_url can change',
      );
    }
    let scope = pick('scope', 'all');
    let siteId = pick('site_id', null);
    let meterId = pick('meter_id', null);
    if (!builtin) {
      if (input.meter_id !== undefined && input.meter_id !== null && input.scope === undefined && !existing)
        scope = 'meter';
      else if (input.site_id !== undefined && input.site_id !== null && input.scope === undefined && !existing)
        scope = 'site';
      if (scope === 'meter') {
        if (meterId === null) throw bad('meter_id is required when scope is meter');
        const m = await this.deps.meters.get(meterId, actor.siteIds).catch(() => undefined);
        if (!m) throw new ApiError(404, ErrorCode.NOT_FOUND, `no meter with id ${meterId}`);
        siteId = m.site_id;
      } else if (scope === 'site') {
        if (siteId === null) throw bad('site_id is required when scope is site');
        this.assertSite(actor, siteId);
        meterId = null;
      } else {
        if (actor.siteIds !== null)
          throw new ApiError(
            403,
            ErrorCode.FORBIDDEN,
            'you see only some sites, so your rules must name a site or a meter (scope site or meter)',
          );
        siteId = null;
        meterId = null;
      }
    }
    const dataPoint = builtin ? null : pick('data_point', null)?.trim() || null;
    const condition = builtin ? null : pick('condition', null);
    const threshold = pick('threshold', null);
    const thresholdHigh = pick('threshold_high', null);
    if (kind === 'threshold') {
      if (!dataPoint) throw bad('data_point is required for a threshold rule (e.g. current_kw)');
      if (!condition) throw bad('condition is required for a threshold rule: above, below or outside');
      if (threshold === null) throw bad('threshold is required');
      if (condition === 'outside' && (thresholdHigh === null || thresholdHigh <= threshold))
        throw bad('outside needs threshold (low) and threshold_high (high), with threshold_high above threshold');
    } else if (!builtin && threshold === null) {
      throw bad(
        kind === 'no_data'
          ? 'threshold is required: the minutes without a new reading'
          : 'threshold is required: the kWh per day',
      );
    }
    if (
      (kind === 'no_data' || builtin) &&
      threshold !== null &&
      threshold <= 0 &&
      kind !== 'api_error_rate' &&
      kind !== 'database_down' &&
      kind !== 'queue_full' &&
      kind !== 'meter_wrong_device' &&
      kind !== 'site_database_down'
    )
      throw bad('threshold must be above 0');
    if ((kind === 'meter_wrong_device' || kind === 'site_database_down') && threshold !== null && threshold < 0)
      throw bad('threshold must be 0 (fire at once) or more minutes');
    const recipients = pick('recipients', []).map((a) => a.trim());
    if (recipients.length > 20 || !recipients.every((a) => EMAIL.test(a)))
      throw bad('recipients must be at most 20 e-mail addresses');
    return {
      kind,
      name,
      enabled: pick('enabled', true),
      severity: pick('severity', 'warning'),
      scope,
      site_id: siteId,
      meter_id: meterId,
      data_point: dataPoint,
      condition,
      threshold,
      threshold_high: condition === 'outside' ? thresholdHigh : null,
      for_seconds: pick('for_seconds', 0),
      cooldown_seconds: pick('cooldown_seconds', null),
      recipients,
      webhook_url: pick('webhook_url', null),
    };
  }
}

export function alertInfo(a: AlertRow): AlertInfo {
  return {
    id: a.id,
    rule_id: a.rule_id,
    rule_name: a.rule_name,
    kind: a.kind,
    subject_key: a.subject_key,
    site_id: a.site_id,
    site_name: a.site_name,
    meter_id: a.meter_id,
    meter_name: a.meter_name,
    state: a.state,
    severity: a.severity,
    title: a.title,
    detail: a.detail,
    value: a.value,
    threshold: a.threshold,
    unit: a.unit,
    since: a.since.toISOString(),
    started_at: a.started_at.toISOString(),
    fired_at: iso(a.fired_at),
    resolved_at: iso(a.resolved_at),
    last_evaluated_at: a.last_evaluated_at.toISOString(),
    acknowledged_at: iso(a.acknowledged_at),
    acknowledged_by: a.acknowledged_by_email,
    acknowledge_note: a.acknowledge_note,
  };
}

export function notificationInfo(n: NotificationRow): NotificationInfo {
  return {
    id: n.id,
    alert_id: n.alert_id,
    rule_id: n.rule_id,
    channel: n.channel,
    event: n.event,
    recipients: n.recipients,
    webhook_url: n.webhook_url,
    subject: n.subject,
    body: n.body,
    status: n.status,
    attempts: n.attempts,
    last_error: n.last_error,
    next_attempt_at: iso(n.next_attempt_at),
    created_at: n.created_at.toISOString(),
    sent_at: iso(n.sent_at),
    created_by: n.created_by,
  };
}
