import type { Logger } from '@meterit/shared/node';
import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsConfig } from './alerts-config.js';
import type { AlertRow, AlertsRepository, RuleRow } from './alerts-repository.js';
import type { Clock } from './clock.js';
import { evaluateRule, fmtMinutes, type Observation } from './evaluators.js';
import { composeAlertMessage, type Notifier } from './notifier.js';
import type { ResponseCounter } from './response-counter.js';
import { builtinSpec, BUILTIN_RULES } from './rule-catalog.js';

const DB_PROBE_TIMEOUT_MS = 5000;

export function effectiveThreshold(
  rule: Pick<RuleRow, 'kind' | 'builtin' | 'threshold'>,
  config: AlertsConfig,
): number | null {
  if (rule.threshold !== null) return rule.threshold;
  return rule.builtin ? (builtinSpec(rule.kind)?.fromConfig(config) ?? null) : null;
}

export function effectiveCooldownSeconds(rule: Pick<RuleRow, 'cooldown_seconds'>, config: AlertsConfig): number {
  return rule.cooldown_seconds ?? Math.round(config.cooldownMinutes * 60);
}

interface DbOutage {
  since: Date;
  firedAt: Date | null;
  mails: {
    event: 'firing' | 'resolved';
    subject: string;
    body: string;
    to: string[];
    status: 'sent' | 'recorded' | 'failed';
    error: string | null;
    at: Date;
    attempts: number;
  }[];
}

/**
 * Evaluates every enabled rule on its own schedule (ALERT_EVAL_INTERVAL_SECONDS), independent of any browser or
 * assistant, and moves alerts pending → firing → resolved. It also watches its own database: that alert lives
 * in memory and is written to the outbox once the database is back.
 */
export class AlertEngine {
  private timer: unknown;
  private running = false;
  private stopped = true;
  private ticking: Promise<void> | undefined;
  private previous: Date;
  readonly startedAt: Date;
  /** The last rules read, kept for when the database is gone. */
  private cachedRules: RuleRow[] = [];
  private dbOutage: DbOutage | undefined;

  constructor(
    private readonly deps: {
      repo: AlertsRepository;
      readings: ReadingsService;
      counter: ResponseCounter;
      notifier: Notifier;
      config: AlertsConfig;
      clock: Clock;
      logger: Logger;
    },
  ) {
    this.startedAt = deps.clock.now();
    this.previous = this.startedAt;
  }

  /** Seed the built-in rules (once per database). */
  async init(): Promise<void> {
    for (const b of BUILTIN_RULES) await this.deps.repo.ensureBuiltin(b.kind, b.name, b.severity);
    this.cachedRules = await this.deps.repo.rules({ enabledOnly: true });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
    this.deps.logger.info('alert engine started', { interval_s: this.deps.config.evalIntervalSeconds });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.deps.config.evalIntervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.timer);
    await this.ticking;
  }

  /** One evaluation of every rule, then the due deliveries. Never throws; concurrent calls share one run. */
  tick(): Promise<void> {
    if (this.running && this.ticking) return this.ticking;
    this.running = true;
    const run = this.tickOnce()
      .catch((err: unknown) => {
        this.deps.logger.error('alert evaluation failed', { err: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        this.running = false;
      });
    this.ticking = run;
    return run;
  }

  private async tickOnce(): Promise<void> {
    const now = this.deps.clock.now();
    if (!(await this.checkDatabase(now))) return;
    const rules = await this.deps.repo.rules({ enabledOnly: true });
    this.cachedRules = rules;
    for (const rule of rules) {
      if (rule.kind === 'database_down') continue;
      try {
        await this.evaluate(rule, now);
      } catch (err) {
        this.deps.logger.warn('rule evaluation failed', {
          rule_id: rule.id,
          kind: rule.kind,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    this.previous = now;
    await this.deps.notifier.deliverDue();
  }

  private async evaluate(rule: RuleRow, now: Date): Promise<void> {
    const { repo, readings, counter, config } = this.deps;
    const threshold = effectiveThreshold(rule, config);
    if (threshold === null) return;
    const result = await evaluateRule(rule, threshold, {
      repo,
      readings,
      counter,
      config,
      now,
      previous: this.previous,
      startedAt: this.startedAt,
    });
    const open = new Map((await repo.openAlerts(rule.id)).map((a) => [a.subject_key, a]));
    for (const o of result.observations) {
      const a = open.get(o.key);
      open.delete(o.key);
      if (o.active) {
        const held = now.getTime() - o.since.getTime() >= rule.for_seconds * 1000;
        if (!a) {
          const id = await repo.insertAlert({
            ruleId: rule.id,
            subjectKey: o.key,
            siteId: o.siteId,
            meterId: o.meterId,
            state: held ? 'firing' : 'pending',
            severity: rule.severity,
            title: o.title,
            detail: o.detail,
            value: o.value,
            threshold: o.threshold,
            unit: o.unit,
            since: o.since,
            now,
          });
          await repo.addEvent(
            id,
            now,
            held ? 'firing' : 'pending',
            held ? o.title : `condition met; fires if it holds for ${fmtMinutes(rule.for_seconds * 1000)}`,
            o.value,
          );
          if (held) await this.notify(id, rule, 'firing', now);
        } else if (a.state === 'pending' && held) {
          await repo.updateAlert(a.id, {
            state: 'firing',
            firedAt: now,
            title: o.title,
            detail: o.detail,
            value: o.value,
            threshold: o.threshold,
            now,
          });
          await repo.addEvent(a.id, now, 'firing', o.title, o.value);
          await this.notify(a.id, rule, 'firing', now);
        } else {
          await repo.updateAlert(a.id, {
            value: o.value,
            threshold: o.threshold,
            detail: o.detail,
            ...(a.state === 'pending' ? { title: o.title } : {}),
            now,
          });
        }
      } else if (o.transient) {
        if (a) {
          await this.resolve(a, rule, now, o);
        } else {
          // Reported by a heartbeat between two evaluations and already over: the operator still hears of it, once each way.
          const id = await repo.insertAlert({
            ruleId: rule.id,
            subjectKey: o.key,
            siteId: o.siteId,
            meterId: o.meterId,
            state: 'firing',
            severity: rule.severity,
            title: o.title,
            detail: o.detail,
            value: o.value,
            threshold: o.threshold,
            unit: o.unit,
            since: o.since,
            now,
          });
          await repo.addEvent(
            id,
            now,
            'firing',
            `${o.title} (reported by a heartbeat since the last evaluation)`,
            o.value,
          );
          await this.notify(id, rule, 'firing', now);
          const fresh = await repo.alert(id);
          if (fresh) await this.resolve(fresh, rule, now);
        }
      } else if (a) {
        await this.resolve(a, rule, now, o);
      }
    }
    for (const a of open.values()) if (!result.hold.has(a.subject_key)) await this.resolve(a, rule, now);
  }

  private async resolve(a: AlertRow, rule: RuleRow, now: Date, o?: Observation): Promise<void> {
    const { repo } = this.deps;
    if (a.state === 'pending') {
      await repo.updateAlert(a.id, { state: 'resolved', resolvedAt: now, ...(o ? { value: o.value } : {}), now });
      await repo.addEvent(
        a.id,
        now,
        'cancelled',
        'the condition cleared before it had held long enough; nothing was sent',
        o?.value ?? null,
      );
      return;
    }
    await repo.updateAlert(a.id, { state: 'resolved', resolvedAt: now, ...(o ? { value: o.value } : {}), now });
    await repo.addEvent(
      a.id,
      now,
      'resolved',
      o
        ? `resolved: value now ${o.value ?? '—'}${o.unit ? ` ${o.unit}` : ''}`
        : 'resolved: the subject no longer meets the condition',
      o?.value ?? null,
    );
    await this.notify(a.id, rule, 'resolved', now);
  }

  private async notify(alertId: number, rule: RuleRow, event: 'firing' | 'resolved', now: Date): Promise<void> {
    const { repo, notifier, config } = this.deps;
    const alert = await repo.alert(alertId);
    if (!alert) return;
    let suppressed: string | null = null;
    if (event === 'firing') {
      const cooldownMs = effectiveCooldownSeconds(rule, config) * 1000;
      const last = cooldownMs > 0 ? await repo.lastFiringSent(rule.id, alert.subject_key, alert.id) : undefined;
      if (last && now.getTime() - last.getTime() < cooldownMs) {
        suppressed = `cooldown: the same alert was e-mailed at ${last.toISOString()}, less than ${fmtMinutes(cooldownMs)} ago`;
      }
    } else if (await repo.firingSuppressed(alert.id)) {
      suppressed = 'cooldown: its firing e-mail was suppressed too';
    }
    await notifier.enqueueAlert(alert, rule, event, suppressed);
    await repo.addEvent(
      alertId,
      now,
      suppressed ? 'notification-suppressed' : 'notified',
      suppressed ??
        `${event} e-mail to ${notifier.recipientsFor(rule).join(', ') || '(no recipients)'}${rule.webhook_url ? ' and webhook' : ''}`,
    );
  }

  // --- the engine's own database ---

  /** true when the database answers. While it does not, the database-down alert runs from memory. */
  private async checkDatabase(now: Date): Promise<boolean> {
    const ok = await Promise.race([
      this.deps.repo.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), DB_PROBE_TIMEOUT_MS);
        t.unref();
      }),
    ]);
    const rule = this.cachedRules.find((r) => r.kind === 'database_down');
    if (!ok) {
      this.dbOutage ??= { since: now, firedAt: null, mails: [] };
      const o = this.dbOutage;
      const thresholdMin = rule
        ? (effectiveThreshold(rule, this.deps.config) ?? 1)
        : this.deps.config.databaseDownMinutes;
      if (rule && !o.firedAt && now.getTime() - o.since.getTime() >= thresholdMin * 60_000) {
        o.firedAt = now;
        this.deps.logger.error('central database unreachable: database-down alert firing', {
          since: o.since.toISOString(),
        });
      }
      await this.sendDbMails(rule, now);
      return false;
    }
    if (this.dbOutage) {
      const o = this.dbOutage;
      if (o.firedAt && rule) {
        o.mails.push(this.dbMail(rule, 'resolved', o, now));
        await this.sendDbMails(rule, now);
      }
      await this.recordDbOutage(rule, o, now).catch((err: unknown) =>
        this.deps.logger.warn('could not record the database outage', { err: String(err) }),
      );
      this.dbOutage = undefined;
    }
    return true;
  }

  private dbMail(rule: RuleRow, event: 'firing' | 'resolved', o: DbOutage, now: Date): DbOutage['mails'][number] {
    const alert = {
      id: 0,
      title: `Central database unreachable for ${fmtMinutes(now.getTime() - o.since.getTime())}`,
      detail:
        event === 'firing'
          ? 'The client system cannot reach its PostgreSQL: agents get 503 and keep their readings; operators cannot log in. Check the database server, its disk and the network. This e-mail was sent from memory.'
          : 'The client system reaches its PostgreSQL again; agents are sending their backlog.',
      site_name: null,
      meter_name: null,
      since: o.since,
      fired_at: o.firedAt,
      resolved_at: event === 'resolved' ? now : null,
      value: Math.round(((now.getTime() - o.since.getTime()) / 60_000) * 100) / 100,
      threshold: effectiveThreshold(rule, this.deps.config),
      unit: 'min',
      severity: rule.severity,
      state: event === 'firing' ? ('firing' as const) : ('resolved' as const),
      subject_key: 'global',
    };
    const msg = composeAlertMessage(alert, rule, event, this.deps.config.publicUrl, now);
    return {
      event,
      subject: msg.subject,
      body: msg.body.replace(`${this.deps.config.publicUrl}/alerts/0`, `${this.deps.config.publicUrl}/alerts`),
      to: this.deps.notifier.recipientsFor(rule),
      status: 'failed',
      error: null,
      at: now,
      attempts: 0,
    };
  }

  private async sendDbMails(rule: RuleRow | undefined, now: Date): Promise<void> {
    const o = this.dbOutage;
    if (!o || !rule) return;
    if (o.firedAt && !o.mails.some((m) => m.event === 'firing')) o.mails.push(this.dbMail(rule, 'firing', o, now));
    for (const m of o.mails) {
      if (m.status !== 'failed' || m.attempts >= this.deps.config.deliveryMaxAttempts) continue;
      m.attempts += 1;
      try {
        m.status = await this.deps.notifier.sendDirect(m);
        m.error = null;
      } catch (err) {
        m.error = err instanceof Error ? err.message : String(err);
        this.deps.logger.warn('database-down e-mail failed; will retry at the next evaluation', { error: m.error });
      }
    }
  }

  private async recordDbOutage(rule: RuleRow | undefined, o: DbOutage, now: Date): Promise<void> {
    if (!rule || !o.firedAt) return;
    const { repo } = this.deps;
    const title = `Central database unreachable for ${fmtMinutes(now.getTime() - o.since.getTime())}`;
    const id = await repo.insertAlert({
      ruleId: rule.id,
      subjectKey: 'global',
      siteId: null,
      meterId: null,
      state: 'firing',
      severity: rule.severity,
      title,
      detail: 'Recorded after the database came back; the e-mails were sent from memory.',
      value: Math.round(((now.getTime() - o.since.getTime()) / 60_000) * 100) / 100,
      threshold: effectiveThreshold(rule, this.deps.config),
      unit: 'min',
      since: o.since,
      now: o.firedAt,
    });
    await repo.updateAlert(id, { state: 'resolved', resolvedAt: now, now });
    await repo.addEvent(id, o.firedAt, 'firing', title);
    await repo.addEvent(id, now, 'resolved', 'the database answers again');
    for (const m of o.mails) {
      await repo.insertNotification({
        alertId: id,
        ruleId: rule.id,
        channel: 'email',
        event: m.event,
        recipients: m.to,
        webhookUrl: null,
        subject: m.subject,
        body: m.body,
        payload: null,
        status: m.status,
        attempts: m.attempts,
        lastError: m.error,
        sentAt: m.status === 'sent' ? m.at : null,
        createdAt: m.at,
        createdBy: 'alert engine (from memory)',
        siteIds: [],
      });
    }
  }
}
