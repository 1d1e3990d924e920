import nodemailer, { type Transporter } from 'nodemailer';
import { fullJitterBackoff } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import type { AlertsConfig } from './alerts-config.js';
import type { AlertRow, NotificationRow, RuleRow } from './alerts-repository.js';
import type { Clock } from '../../clock.js';
import { fmtMinutes } from './alert-format.js';
import type { OutboxRepository } from './outbox-repository.js';

export interface Email {
  to: string[];
  subject: string;
  body: string;
}

export interface ComposedAlertMessage {
  subject: string;
  body: string;
  payload: Record<string, unknown>;
}

const fmtValue = (v: number | null, unit: string | null) =>
  v === null ? '—' : `${Math.round(v * 1000) / 1000}${unit ? ` ${unit}` : ''}`;

/** Subject, plain-text body and webhook JSON of one alert event. */
export function composeAlertMessage(
  alert: Pick<
    AlertRow,
    | 'id'
    | 'title'
    | 'detail'
    | 'site_name'
    | 'meter_name'
    | 'since'
    | 'fired_at'
    | 'resolved_at'
    | 'value'
    | 'threshold'
    | 'unit'
    | 'severity'
    | 'state'
    | 'subject_key'
  >,
  rule: Pick<RuleRow, 'id' | 'name' | 'kind' | 'for_seconds'>,
  event: 'firing' | 'resolved',
  publicUrl: string,
  now: Date,
): ComposedAlertMessage {
  const word = event === 'firing' ? 'FIRING' : 'RESOLVED';
  const link = `${publicUrl}/alerts/${alert.id}`;
  const where = alert.meter_name
    ? `meter "${alert.meter_name}" at site "${alert.site_name}"`
    : alert.site_name
      ? `site "${alert.site_name}"`
      : 'the client system';
  const lines = [
    `${word}: ${alert.title}`,
    '',
    `What:       ${rule.name} (${rule.kind})`,
    `Where:      ${where}`,
    `Since:      ${alert.since.toISOString()} (${fmtMinutes(now.getTime() - alert.since.getTime())} ago)`,
    ...(alert.fired_at ? [`Fired at:   ${alert.fired_at.toISOString()}`] : []),
    ...(event === 'resolved'
      ? [
          `Resolved:   ${now.toISOString()}${alert.fired_at ? ` (after ${fmtMinutes(now.getTime() - alert.fired_at.getTime())})` : ''}`,
        ]
      : []),
    `Value now:  ${fmtValue(alert.value, alert.unit)}`,
    `Threshold:  ${fmtValue(alert.threshold, alert.unit)}${rule.for_seconds > 0 ? `, held for ${fmtMinutes(rule.for_seconds * 1000)}` : ''}`,
    `Severity:   ${alert.severity}`,
    '',
    alert.detail,
    '',
    `Open in MeterIT: ${link}`,
    '',
    '-- ',
    'MeterIT alert engine. You get one e-mail when an alert fires and one when it resolves.',
  ];
  return {
    subject: `[MeterIT] ${word}: ${alert.title}`,
    body: lines.join('\n'),
    payload: {
      event,
      alert_id: alert.id,
      rule_id: rule.id,
      rule: rule.name,
      kind: rule.kind,
      severity: alert.severity,
      title: alert.title,
      detail: alert.detail,
      subject: alert.subject_key,
      site: alert.site_name,
      meter: alert.meter_name,
      since: alert.since.toISOString(),
      value: alert.value,
      threshold: alert.threshold,
      unit: alert.unit,
      url: link,
      text: `${word}: ${alert.title} — ${link}`,
    },
  };
}

/** Sends e-mail (SMTP via nodemailer, or records it when no SMTP is configured) and webhooks; owns retries. */
export class Notifier {
  private readonly transport: Transporter | undefined;
  private delivering: Promise<void> | undefined;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly config: AlertsConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.transport = config.smtpUrl
      ? nodemailer.createTransport(config.smtpUrl, { from: config.emailFrom })
      : undefined;
  }

  get smtpConfigured(): boolean {
    return this.transport !== undefined;
  }

  recipientsFor(rule: Pick<RuleRow, 'recipients'> | undefined): string[] {
    return rule && rule.recipients.length > 0 ? rule.recipients : this.config.emailTo;
  }

  /** Send now, without the database (the database-down alert). Throws on failure. */
  async sendDirect(mail: Email): Promise<'sent' | 'recorded'> {
    if (!this.transport) return 'recorded';
    await this.transport.sendMail({ from: this.config.emailFrom, to: mail.to, subject: mail.subject, text: mail.body });
    return 'sent';
  }

  /** Queue the e-mail (and webhook) of an alert event in the outbox; `suppressed` records it without sending. */
  async enqueueAlert(
    alert: AlertRow,
    rule: RuleRow,
    event: 'firing' | 'resolved',
    suppressedReason: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    const msg = composeAlertMessage(alert, rule, event, this.config.publicUrl, now);
    const to = this.recipientsFor(rule);
    const siteIds = alert.site_id === null ? [] : [alert.site_id];
    await this.repo.insertNotification({
      alertId: alert.id,
      ruleId: rule.id,
      channel: 'email',
      event,
      recipients: to,
      webhookUrl: null,
      subject: msg.subject,
      body: msg.body,
      payload: null,
      status: suppressedReason ? 'suppressed' : this.initialEmailStatus(to),
      lastError:
        suppressedReason ?? (to.length === 0 ? "no recipients: set ALERT_EMAIL_TO or the rule's recipients" : null),
      createdAt: now,
      createdBy: 'alert engine',
      siteIds,
    });
    if (rule.webhook_url) {
      await this.repo.insertNotification({
        alertId: alert.id,
        ruleId: rule.id,
        channel: 'webhook',
        event,
        recipients: [],
        webhookUrl: rule.webhook_url,
        subject: msg.subject,
        body: msg.body,
        payload: msg.payload,
        status: suppressedReason ? 'suppressed' : 'pending',
        lastError: suppressedReason,
        createdAt: now,
        createdBy: 'alert engine',
        siteIds,
      });
    }
  }

  /** `siteIds`: the sites the e-mail concerns (the sender's; null = every site). */
  async enqueueManual(mail: Email, actor: string, siteIds: number[] | null): Promise<number> {
    return this.repo.insertNotification({
      alertId: null,
      ruleId: null,
      channel: 'email',
      event: 'manual',
      recipients: mail.to,
      webhookUrl: null,
      subject: mail.subject,
      body: mail.body,
      payload: null,
      status: this.initialEmailStatus(mail.to),
      createdAt: this.clock.now(),
      createdBy: actor,
      siteIds,
    });
  }

  private initialEmailStatus(to: string[]): 'pending' | 'recorded' | 'failed' {
    if (!this.transport) return 'recorded';
    return to.length === 0 ? 'failed' : 'pending';
  }

  /** Try every due notification once; a failure is retried later with full-jitter backoff, up to the attempt limit. */
  deliverDue(): Promise<void> {
    this.delivering ??= this.deliverDueOnce().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private async deliverDueOnce(): Promise<void> {
    const due = await this.repo.dueNotifications(this.clock.now());
    for (const n of due) await this.attempt(n);
  }

  private async attempt(n: NotificationRow): Promise<void> {
    const attempts = n.attempts + 1;
    try {
      if (n.channel === 'email') {
        if (!this.transport) {
          await this.repo.markAttempt(n.id, {
            status: 'recorded',
            attempts: n.attempts,
            lastError: null,
            nextAttemptAt: null,
            sentAt: null,
          });
          return;
        }
        await this.transport.sendMail({
          from: this.config.emailFrom,
          to: n.recipients,
          subject: n.subject,
          text: n.body,
        });
      } else {
        const res = await fetch(n.webhook_url as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'MeterIT-alerts' },
          body: JSON.stringify(n.payload),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
      }
      await this.repo.markAttempt(n.id, {
        status: 'sent',
        attempts,
        lastError: null,
        nextAttemptAt: null,
        sentAt: this.clock.now(),
      });
      this.logger.info('notification sent', { notification_id: n.id, channel: n.channel, event: n.event, attempts });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = attempts >= this.config.deliveryMaxAttempts;
      const delay = Math.max(
        this.config.retryBaseSeconds * 1000 * 0.5,
        fullJitterBackoff(attempts - 1, {
          baseMs: this.config.retryBaseSeconds * 1000,
          capMs: this.config.retryCapSeconds * 1000,
        }),
      );
      await this.repo.markAttempt(n.id, {
        status: giveUp ? 'failed' : 'retrying',
        attempts,
        lastError: message,
        nextAttemptAt: giveUp ? null : new Date(this.clock.now().getTime() + delay),
        sentAt: null,
      });
      this.logger.warn(giveUp ? 'notification failed for good' : 'notification failed; will retry', {
        notification_id: n.id,
        channel: n.channel,
        attempts,
        error: message,
      });
    }
  }

  close(): void {
    this.transport?.close();
  }
}
