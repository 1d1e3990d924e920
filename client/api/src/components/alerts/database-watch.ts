import type { Logger } from '@meterit/shared/node';
import type { AlertsConfig } from './alerts-config.js';
import { fmtMinutes, minutesOf } from './alert-format.js';
import type { AlertsRepository, RuleRow } from './alerts-repository.js';
import { effectiveThreshold } from './effective-rule.js';
import { composeAlertMessage, type Notifier } from './notifier.js';

const DB_PROBE_TIMEOUT_MS = 5000;

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

const outageTitle = (o: DbOutage, now: Date) =>
  `Central database unreachable for ${fmtMinutes(now.getTime() - o.since.getTime())}`;

/**
 * The database-down alert (`database_down`): the engine's own database cannot hold it, so it lives in memory, its
 * e-mails are sent directly (retried at each evaluation), and alert and e-mails go to the outbox once the database is back.
 */
export class DatabaseWatch {
  private outage: DbOutage | undefined;

  constructor(
    private readonly deps: {
      repo: AlertsRepository;
      notifier: Notifier;
      config: AlertsConfig;
      logger: Logger;
    },
  ) {}

  /** true when the database answers. `rule`: the enabled database-down rule, if any. */
  async check(now: Date, rule: RuleRow | undefined): Promise<boolean> {
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
    if (!ok) {
      this.outage ??= { since: now, firedAt: null, mails: [] };
      const o = this.outage;
      const thresholdMin = rule
        ? (effectiveThreshold(rule, this.deps.config) ?? 1)
        : this.deps.config.databaseDownMinutes;
      if (rule && !o.firedAt && now.getTime() - o.since.getTime() >= thresholdMin * 60_000) {
        o.firedAt = now;
        this.deps.logger.error('central database unreachable: database-down alert firing', {
          since: o.since.toISOString(),
        });
      }
      await this.sendMails(rule, now);
      return false;
    }
    if (this.outage) {
      const o = this.outage;
      if (o.firedAt && rule) {
        o.mails.push(this.mail(rule, 'resolved', o, now));
        await this.sendMails(rule, now);
      }
      await this.record(rule, o, now).catch((err: unknown) =>
        this.deps.logger.warn('could not record the database outage', { err: String(err) }),
      );
      this.outage = undefined;
    }
    return true;
  }

  private mail(rule: RuleRow, event: 'firing' | 'resolved', o: DbOutage, now: Date): DbOutage['mails'][number] {
    const alert = {
      id: 0,
      title: outageTitle(o, now),
      detail:
        event === 'firing'
          ? 'The client system cannot reach its PostgreSQL: agents get 503 and keep their readings; operators cannot log in. Check the database server, its disk and the network. This e-mail was sent from memory.'
          : 'The client system reaches its PostgreSQL again; agents are sending their backlog.',
      site_name: null,
      meter_name: null,
      since: o.since,
      fired_at: o.firedAt,
      resolved_at: event === 'resolved' ? now : null,
      value: minutesOf(now.getTime() - o.since.getTime()),
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

  private async sendMails(rule: RuleRow | undefined, now: Date): Promise<void> {
    const o = this.outage;
    if (!o || !rule) return;
    if (o.firedAt && !o.mails.some((m) => m.event === 'firing')) o.mails.push(this.mail(rule, 'firing', o, now));
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

  /** The outage as a resolved alert with its events and e-mails, written once the database is back. */
  private async record(rule: RuleRow | undefined, o: DbOutage, now: Date): Promise<void> {
    if (!rule || !o.firedAt) return;
    const { alerts, outbox } = this.deps.repo;
    const title = outageTitle(o, now);
    const id = await alerts.insert({
      ruleId: rule.id,
      subjectKey: 'global',
      siteId: null,
      meterId: null,
      state: 'firing',
      severity: rule.severity,
      title,
      detail: 'Recorded after the database came back; the e-mails were sent from memory.',
      value: minutesOf(now.getTime() - o.since.getTime()),
      threshold: effectiveThreshold(rule, this.deps.config),
      unit: 'min',
      since: o.since,
      now: o.firedAt,
    });
    await alerts.update(id, { state: 'resolved', resolvedAt: now, now });
    await alerts.addEvent(id, o.firedAt, 'firing', title);
    await alerts.addEvent(id, now, 'resolved', 'the database answers again');
    for (const m of o.mails) {
      await outbox.insertNotification({
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
