import type { Knex } from 'knex';
import type { NotificationInfo, NotificationStatus } from '@meterit/shared';

/** A stored notification: the wire's `NotificationInfo` with dates as `Date`, and the webhook's JSON body. */
export interface NotificationRow extends Omit<NotificationInfo, 'next_attempt_at' | 'created_at' | 'sent_at'> {
  payload: unknown;
  next_attempt_at: Date | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface NewNotification {
  alertId: number | null;
  ruleId: number | null;
  channel: 'email' | 'webhook';
  event: 'firing' | 'resolved' | 'manual';
  recipients: string[];
  webhookUrl: string | null;
  subject: string;
  body: string;
  payload: unknown;
  status: NotificationStatus;
  lastError?: string | null;
  attempts?: number;
  sentAt?: Date | null;
  createdAt: Date;
  createdBy: string | null;
  /** The sites it concerns: null = every site (only users of every site see it), [] = the client system itself (everyone). */
  siteIds: number[] | null;
}

export interface DeliveryAttempt {
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
}

const NOTIFICATION_COLUMNS = `id::int AS id, alert_id::int AS alert_id, rule_id, channel, event, recipients, webhook_url, subject, body, payload, status,
  attempts, last_error, next_attempt_at, created_at, sent_at, created_by`;

/** The SQL of the notifications outbox: every e-mail and webhook, its delivery attempts, and the cooldown's look-back. */
export class OutboxRepository {
  constructor(private readonly knex: Knex) {}

  async insertNotification(n: NewNotification): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO notifications (alert_id, rule_id, channel, event, recipients, webhook_url, subject, body, payload, status, attempts,
                                  last_error, next_attempt_at, created_at, sent_at, created_by, site_ids)
       VALUES (?, ?, ?, ?, ?::text[], ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::integer[]) RETURNING id::int AS id`,
      [
        n.alertId,
        n.ruleId,
        n.channel,
        n.event,
        n.recipients,
        n.webhookUrl,
        n.subject,
        n.body,
        JSON.stringify(n.payload ?? null),
        n.status,
        n.attempts ?? 0,
        n.lastError ?? null,
        n.status === 'pending' ? n.createdAt : null,
        n.createdAt,
        n.sentAt ?? null,
        n.createdBy,
        n.siteIds,
      ] as unknown as Knex.RawBinding[],
    );
    return (rows[0] as { id: number }).id;
  }

  async dueNotifications(now: Date, limit = 50): Promise<NotificationRow[]> {
    const { rows } = await this.knex.raw<{ rows: NotificationRow[] }>(
      `SELECT ${NOTIFICATION_COLUMNS} FROM notifications
        WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      [now, limit],
    );
    return rows;
  }

  async markAttempt(id: number, r: DeliveryAttempt): Promise<void> {
    await this.knex.raw(
      'UPDATE notifications SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = ? WHERE id = ?',
      [r.status, r.attempts, r.lastError, r.nextAttemptAt, r.sentAt, id],
    );
  }

  /** `siteIds` (the caller's sites; null = every site): only notifications concerning nothing but those sites. */
  async notifications(f: {
    alertId?: number;
    siteIds: number[] | null;
    status?: string;
    limit: number;
  }): Promise<NotificationRow[]> {
    const { rows } = await this.knex.raw<{ rows: NotificationRow[] }>(
      `SELECT ${NOTIFICATION_COLUMNS.split(',')
        .map((c) => `n.${c.trim()}`)
        .join(', ')} FROM notifications n
        WHERE (?::bigint IS NULL OR n.alert_id = ?)
          AND (?::int[] IS NULL OR n.site_ids <@ ?::int[])
          AND (?::text IS NULL OR n.status = ?)
        ORDER BY n.created_at DESC, n.id DESC LIMIT ?`,
      [
        f.alertId ?? null,
        f.alertId ?? null,
        f.siteIds,
        f.siteIds,
        f.status ?? null,
        f.status ?? null,
        f.limit,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** The last firing notification of an earlier alert of the same rule and subject that actually went out (cooldown). */
  async lastFiringSent(ruleId: number, subjectKey: string, exceptAlertId: number): Promise<Date | undefined> {
    const { rows } = await this.knex.raw<{ rows: { created_at: Date }[] }>(
      `SELECT n.created_at FROM notifications n JOIN alerts a ON a.id = n.alert_id
        WHERE a.rule_id = ? AND a.subject_key = ? AND a.id <> ? AND n.event = 'firing' AND n.status <> 'suppressed'
        ORDER BY n.created_at DESC LIMIT 1`,
      [ruleId, subjectKey, exceptAlertId],
    );
    return rows[0]?.created_at;
  }

  async firingSuppressed(alertId: number): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>(
      "SELECT 1 FROM notifications WHERE alert_id = ? AND event = 'firing' AND status = 'suppressed' LIMIT 1",
      [alertId],
    );
    return rows.length > 0;
  }
}
