import type { Knex } from 'knex';
import type {
  AlertSeverity,
  AlertState,
  HeartbeatMeterState,
  HeartbeatRequest,
  NotificationStatus,
} from '@meterit/shared';
import type { AlertRuleKind } from '@meterit/shared';

export interface RuleRow {
  id: number;
  kind: AlertRuleKind;
  builtin: boolean;
  name: string;
  enabled: boolean;
  severity: AlertSeverity;
  scope: 'all' | 'site' | 'meter';
  site_id: number | null;
  site_name: string | null;
  meter_id: number | null;
  meter_name: string | null;
  data_point: string | null;
  condition: 'above' | 'below' | 'outside' | null;
  threshold: number | null;
  threshold_high: number | null;
  for_seconds: number;
  cooldown_seconds: number | null;
  recipients: string[];
  webhook_url: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AlertRow {
  id: number;
  rule_id: number;
  rule_name: string;
  kind: AlertRuleKind;
  subject_key: string;
  site_id: number | null;
  site_name: string | null;
  meter_id: number | null;
  meter_name: string | null;
  state: AlertState;
  severity: AlertSeverity;
  title: string;
  detail: string;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  since: Date;
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  last_evaluated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by_email: string | null;
  acknowledge_note: string | null;
}

export interface NotificationRow {
  id: number;
  alert_id: number | null;
  rule_id: number | null;
  channel: 'email' | 'webhook';
  event: 'firing' | 'resolved' | 'manual';
  recipients: string[];
  webhook_url: string | null;
  subject: string;
  body: string;
  payload: unknown;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  sent_at: Date | null;
  created_by: string | null;
}

export interface NewAlert {
  ruleId: number;
  subjectKey: string;
  siteId: number | null;
  meterId: number | null;
  state: AlertState;
  severity: AlertSeverity;
  title: string;
  detail: string;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  since: Date;
  now: Date;
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

export interface AlertFilter {
  siteIds: number[] | null;
  states?: AlertState[] | undefined;
  siteId?: number | undefined;
  ruleId?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  includePending: boolean;
  limit: number;
}

const RULE_COLUMNS = `r.id, r.kind, r.builtin, r.name, r.enabled, r.severity, r.scope, r.site_id, s.name AS site_name, r.meter_id,
  m.name AS meter_name, r.data_point, r.condition, r.threshold, r.threshold_high, r.for_seconds, r.cooldown_seconds,
  r.recipients, r.webhook_url, r.created_at, r.updated_at`;
const RULE_FROM = 'alert_rules r LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN meters m ON m.id = r.meter_id';

const ALERT_COLUMNS = `a.id::int AS id, a.rule_id, r.name AS rule_name, r.kind, a.subject_key, a.site_id, s.name AS site_name, a.meter_id,
  m.name AS meter_name, a.state, a.severity, a.title, a.detail, a.value, a.threshold, a.unit, a.since, a.started_at, a.fired_at,
  a.resolved_at, a.last_evaluated_at, a.acknowledged_at, a.acknowledged_by_email, a.acknowledge_note`;
const ALERT_FROM =
  'alerts a JOIN alert_rules r ON r.id = a.rule_id LEFT JOIN sites s ON s.id = a.site_id LEFT JOIN meters m ON m.id = a.meter_id';

const NOTIFICATION_COLUMNS = `id::int AS id, alert_id::int AS alert_id, rule_id, channel, event, recipients, webhook_url, subject, body, payload, status,
  attempts, last_error, next_attempt_at, created_at, sent_at, created_by`;

/** All SQL of alerts: rules, alerts and their events, the notifications outbox. */
export class AlertsRepository {
  constructor(private readonly knex: Knex) {}

  async ping(): Promise<void> {
    await this.knex.raw('SELECT 1');
  }

  // --- rules ---

  async ensureBuiltin(kind: string, name: string, severity: AlertSeverity): Promise<void> {
    await this.knex.raw(
      `INSERT INTO alert_rules (kind, builtin, name, severity, scope) VALUES (?, true, ?, ?, 'all')
       ON CONFLICT (kind) WHERE builtin DO NOTHING`,
      [kind, name, severity],
    );
  }

  async rules(opts: { enabledOnly?: boolean; ids?: number[] } = {}): Promise<RuleRow[]> {
    const { rows } = await this.knex.raw<{ rows: RuleRow[] }>(
      `SELECT ${RULE_COLUMNS} FROM ${RULE_FROM}
        WHERE (r.enabled OR NOT ?) AND (?::int[] IS NULL OR r.id = ANY(?::int[]))
        ORDER BY r.builtin DESC, r.id`,
      [opts.enabledOnly ?? false, opts.ids ?? null, opts.ids ?? null] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  async rule(id: number): Promise<RuleRow | undefined> {
    return (await this.rules({ ids: [id] }))[0];
  }

  async deleteRule(id: number): Promise<void> {
    await this.knex.raw('DELETE FROM alert_rules WHERE id = ? AND NOT builtin', [id]);
  }

  async insertRule(
    r: Omit<RuleRow, 'id' | 'builtin' | 'site_name' | 'meter_name' | 'created_at' | 'updated_at'>,
    userId: number | null,
  ): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO alert_rules (kind, name, enabled, severity, scope, site_id, meter_id, data_point, condition, threshold, threshold_high,
                                for_seconds, cooldown_seconds, recipients, webhook_url, created_by, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, (SELECT id FROM users WHERE id = ?), (SELECT id FROM users WHERE id = ?)) RETURNING id`,
      [
        r.kind,
        r.name,
        r.enabled,
        r.severity,
        r.scope,
        r.site_id,
        r.meter_id,
        r.data_point,
        r.condition,
        r.threshold,
        r.threshold_high,
        r.for_seconds,
        r.cooldown_seconds,
        r.recipients,
        r.webhook_url,
        userId,
        userId,
      ] as unknown as Knex.RawBinding[],
    );
    return (rows[0] as { id: number }).id;
  }

  async updateRule(
    id: number,
    r: Omit<RuleRow, 'id' | 'kind' | 'builtin' | 'site_name' | 'meter_name' | 'created_at' | 'updated_at'>,
    userId: number | null,
  ): Promise<void> {
    await this.knex.raw(
      `UPDATE alert_rules SET name = ?, enabled = ?, severity = ?, scope = ?, site_id = ?, meter_id = ?, data_point = ?, condition = ?,
              threshold = ?, threshold_high = ?, for_seconds = ?, cooldown_seconds = ?, recipients = ?::text[], webhook_url = ?,
              updated_by = (SELECT id FROM users WHERE id = ?), updated_at = now()
        WHERE id = ?`,
      [
        r.name,
        r.enabled,
        r.severity,
        r.scope,
        r.site_id,
        r.meter_id,
        r.data_point,
        r.condition,
        r.threshold,
        r.threshold_high,
        r.for_seconds,
        r.cooldown_seconds,
        r.recipients,
        r.webhook_url,
        userId,
        id,
      ] as unknown as Knex.RawBinding[],
    );
  }

  // --- alerts ---

  async openAlerts(ruleId: number): Promise<AlertRow[]> {
    const { rows } = await this.knex.raw<{ rows: AlertRow[] }>(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERT_FROM} WHERE a.rule_id = ? AND a.state <> 'resolved'`,
      [ruleId],
    );
    return rows;
  }

  async insertAlert(a: NewAlert): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO alerts (rule_id, subject_key, site_id, meter_id, state, severity, title, detail, value, threshold, unit, since, started_at,
                           fired_at, last_evaluated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id::int AS id`,
      [
        a.ruleId,
        a.subjectKey,
        a.siteId,
        a.meterId,
        a.state,
        a.severity,
        a.title,
        a.detail,
        a.value,
        a.threshold,
        a.unit,
        a.since,
        a.now,
        a.state === 'firing' ? a.now : null,
        a.now,
      ],
    );
    return (rows[0] as { id: number }).id;
  }

  async updateAlert(
    id: number,
    patch: {
      state?: AlertState;
      title?: string;
      detail?: string;
      value?: number | null;
      threshold?: number | null;
      firedAt?: Date;
      resolvedAt?: Date;
      now: Date;
    },
  ): Promise<void> {
    await this.knex.raw(
      `UPDATE alerts SET state = COALESCE(?, state), title = COALESCE(?, title), detail = COALESCE(?, detail),
              value = CASE WHEN ? THEN ? ELSE value END, threshold = CASE WHEN ? THEN ? ELSE threshold END,
              fired_at = COALESCE(?, fired_at), resolved_at = COALESCE(?, resolved_at), last_evaluated_at = ?
        WHERE id = ?`,
      [
        patch.state ?? null,
        patch.title ?? null,
        patch.detail ?? null,
        patch.value !== undefined,
        patch.value ?? null,
        patch.threshold !== undefined,
        patch.threshold ?? null,
        patch.firedAt ?? null,
        patch.resolvedAt ?? null,
        patch.now,
        id,
      ],
    );
  }

  async addEvent(
    alertId: number,
    at: Date,
    type: string,
    message: string,
    value: number | null = null,
    actor: string | null = null,
  ): Promise<void> {
    await this.knex.raw(
      'INSERT INTO alert_events (alert_id, at, type, message, value, actor) VALUES (?, ?, ?, ?, ?, ?)',
      [alertId, at, type, message, value, actor],
    );
  }

  async events(
    alertId: number,
  ): Promise<{ at: Date; type: string; message: string; value: number | null; actor: string | null }[]> {
    const { rows } = await this.knex.raw<{
      rows: { at: Date; type: string; message: string; value: number | null; actor: string | null }[];
    }>('SELECT at, type, message, value, actor FROM alert_events WHERE alert_id = ? ORDER BY at, id', [alertId]);
    return rows;
  }

  async alert(id: number): Promise<AlertRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: AlertRow[] }>(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERT_FROM} WHERE a.id = ?`,
      [id],
    );
    return rows[0];
  }

  /** Active (firing, then pending) first, newest first within each; global alerts (no site) are visible to everyone. */
  async alerts(f: AlertFilter): Promise<AlertRow[]> {
    const { rows } = await this.knex.raw<{ rows: AlertRow[] }>(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERT_FROM}
        WHERE (?::int[] IS NULL OR a.site_id IS NULL OR a.site_id = ANY(?::int[]))
          AND (?::text[] IS NULL OR a.state = ANY(?::text[]))
          AND (?::int IS NULL OR a.site_id = ?)
          AND (?::int IS NULL OR a.rule_id = ?)
          AND (?::timestamptz IS NULL OR COALESCE(a.resolved_at, 'infinity') >= ?)
          AND (?::timestamptz IS NULL OR a.started_at <= ?)
          AND (? OR a.fired_at IS NOT NULL)
        ORDER BY CASE a.state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, COALESCE(a.fired_at, a.started_at) DESC, a.id DESC
        LIMIT ?`,
      [
        f.siteIds,
        f.siteIds,
        f.states ?? null,
        f.states ?? null,
        f.siteId ?? null,
        f.siteId ?? null,
        f.ruleId ?? null,
        f.ruleId ?? null,
        f.from ?? null,
        f.from ?? null,
        f.to ?? null,
        f.to ?? null,
        f.includePending,
        f.limit,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  async acknowledge(id: number, at: Date, userId: number, email: string, note: string | null): Promise<boolean> {
    const r = await this.knex.raw<{ rowCount: number }>(
      'UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_email = ?, acknowledge_note = ? WHERE id = ? AND acknowledged_at IS NULL',
      [at, userId, email, note, id],
    );
    return r.rowCount > 0;
  }

  // --- notifications ---

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

  async markAttempt(
    id: number,
    r: {
      status: NotificationStatus;
      attempts: number;
      lastError: string | null;
      nextAttemptAt: Date | null;
      sentAt: Date | null;
    },
  ): Promise<void> {
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

  // --- what the rules look at ---

  async sitesWithHeartbeat(): Promise<
    { id: number; name: string; last_heartbeat_at: Date | null; last_heartbeat: HeartbeatRequest | null }[]
  > {
    const { rows } = await this.knex.raw<{
      rows: { id: number; name: string; last_heartbeat_at: Date | null; last_heartbeat: HeartbeatRequest | null }[];
    }>('SELECT id, name, last_heartbeat_at, last_heartbeat FROM sites WHERE is_active ORDER BY id');
    return rows;
  }

  /** Each active meter's state as its site agent reported it in the site's latest heartbeat (`meter_states`). */
  async meterAgentStates(): Promise<
    {
      id: number;
      name: string;
      site_id: number;
      site_name: string;
      last_heartbeat_at: Date | null;
      state: HeartbeatMeterState;
    }[]
  > {
    const { rows } = await this.knex.raw<{ rows: Awaited<ReturnType<AlertsRepository['meterAgentStates']>> }>(
      `SELECT m.id, m.name, m.site_id, s.name AS site_name, s.last_heartbeat_at, x.state
         FROM sites s
         JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.last_heartbeat->'meter_states') = 'array' THEN s.last_heartbeat->'meter_states' ELSE '[]'::jsonb END) AS x(state) ON true
         JOIN meters m ON m.site_id = s.id AND m.external_id = x.state->>'external_id'
        WHERE s.is_active AND m.is_active
        ORDER BY m.id`,
    );
    return rows;
  }

  async heartbeatsBetween(
    from: Date,
    to: Date,
  ): Promise<{ site_id: number; received_at: Date; payload: HeartbeatRequest }[]> {
    const { rows } = await this.knex.raw<{ rows: { site_id: number; received_at: Date; payload: HeartbeatRequest }[] }>(
      'SELECT site_id, received_at, payload FROM heartbeats WHERE received_at > ? AND received_at <= ? ORDER BY received_at',
      [from, to],
    );
    return rows;
  }

  /** Per active site (or one site), its newest heartbeat received at or before `at`. */
  async heartbeatsAtOrBefore(
    at: Date,
    siteId: number | null = null,
  ): Promise<Map<number, { received_at: Date; payload: HeartbeatRequest }>> {
    const { rows } = await this.knex.raw<{ rows: { site_id: number; received_at: Date; payload: HeartbeatRequest }[] }>(
      `SELECT s.id AS site_id, h.received_at, h.payload FROM sites s
         CROSS JOIN LATERAL (SELECT received_at, payload FROM heartbeats WHERE site_id = s.id AND received_at <= ? ORDER BY received_at DESC LIMIT 1) h
        WHERE s.is_active AND (?::int IS NULL OR s.id = ?)`,
      [at, siteId, siteId],
    );
    return new Map(rows.map((r) => [r.site_id, { received_at: r.received_at, payload: r.payload }]));
  }

  /** Active meters of active sites in scope, with their newest reading (of one data point when given). */
  async meterActivity(scope: { siteId: number | null; meterId: number | null; dataPoint: string | null }): Promise<
    {
      id: number;
      name: string;
      site_id: number;
      site_name: string;
      created_at: Date;
      last_reading_at: Date | null;
      last_heartbeat_at: Date | null;
      last_heartbeat: HeartbeatRequest | null;
    }[]
  > {
    const { rows } = await this.knex.raw<{ rows: Awaited<ReturnType<AlertsRepository['meterActivity']>> }>(
      `SELECT m.id, m.name, m.site_id, s.name AS site_name, m.created_at, s.last_heartbeat_at, s.last_heartbeat,
              (SELECT max(r.ts) FROM meter_readings r WHERE r.meter_id = m.id AND r.site_id = m.site_id AND (?::text IS NULL OR r.data_point = ?)) AS last_reading_at
         FROM meters m JOIN sites s ON s.id = m.site_id
        WHERE m.is_active AND s.is_active AND (?::int IS NULL OR m.site_id = ?) AND (?::int IS NULL OR m.id = ?)
        ORDER BY m.id`,
      [scope.dataPoint, scope.dataPoint, scope.siteId, scope.siteId, scope.meterId, scope.meterId],
    );
    return rows;
  }

  /**
   * Per series (meter, data point) in scope over (from, to]: the newest reading, and since when the readings have
   * breached without interruption (null when the newest does not breach).
   */
  async breachState(
    scope: { siteId: number | null; meterId: number | null; dataPoint: string },
    cond: { condition: string; low: number | null; high: number | null },
    from: Date,
    to: Date,
  ): Promise<
    {
      site_id: number;
      site_name: string;
      meter_id: number;
      meter_name: string;
      data_point: string;
      unit: string | null;
      latest_ts: Date;
      latest_value: number;
      latest_breach: boolean;
      breach_since: Date | null;
    }[]
  > {
    const { rows } = await this.knex.raw<{ rows: Awaited<ReturnType<AlertsRepository['breachState']>> }>(
      `WITH r AS (
         SELECT r.site_id, r.meter_id, r.data_point, r.ts, r.value, r.unit,
                CASE ? WHEN 'above' THEN r.value > ? WHEN 'below' THEN r.value < ? ELSE (r.value < ? OR r.value > ?) END AS breach
           FROM meter_readings r JOIN meters m ON m.id = r.meter_id AND m.is_active
          WHERE r.data_point = ? AND (?::int IS NULL OR r.site_id = ?) AND (?::int IS NULL OR r.meter_id = ?) AND r.ts > ? AND r.ts <= ?),
       g AS (SELECT site_id, meter_id, data_point, max(ts) AS latest_ts, max(ts) FILTER (WHERE NOT breach) AS last_ok FROM r GROUP BY 1, 2, 3)
       SELECT g.site_id, s.name AS site_name, g.meter_id, m.name AS meter_name, g.data_point, l.unit, g.latest_ts, l.value AS latest_value,
              l.breach AS latest_breach,
              CASE WHEN l.breach THEN (SELECT min(x.ts) FROM r x WHERE x.meter_id = g.meter_id AND x.data_point = g.data_point AND x.ts > COALESCE(g.last_ok, '-infinity')) END AS breach_since
         FROM g JOIN r l ON l.meter_id = g.meter_id AND l.data_point = g.data_point AND l.ts = g.latest_ts
         JOIN sites s ON s.id = g.site_id JOIN meters m ON m.id = g.meter_id
        ORDER BY g.site_id, g.meter_id`,
      [
        cond.condition,
        cond.high,
        cond.low,
        cond.low,
        cond.high,
        scope.dataPoint,
        scope.siteId,
        scope.siteId,
        scope.meterId,
        scope.meterId,
        from,
        to,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Runs of consecutive breaching readings per series over (from, to], each with where it ended (the next good reading). */
  async breachRuns(
    scope: { siteId: number | null; meterId: number | null; dataPoint: string },
    cond: { condition: string; low: number | null; high: number | null },
    from: Date,
    to: Date,
  ): Promise<
    {
      site_id: number;
      site_name: string;
      meter_id: number;
      meter_name: string;
      run_start: Date;
      run_end: Date | null;
      last_breach: Date;
      peak: number;
    }[]
  > {
    const { rows } = await this.knex.raw<{ rows: Awaited<ReturnType<AlertsRepository['breachRuns']>> }>(
      `WITH r AS (
         SELECT r.site_id, r.meter_id, r.ts, r.value,
                CASE ? WHEN 'above' THEN r.value > ? WHEN 'below' THEN r.value < ? ELSE (r.value < ? OR r.value > ?) END AS breach
           FROM meter_readings r JOIN meters m ON m.id = r.meter_id AND m.is_active
          WHERE r.data_point = ? AND (?::int IS NULL OR r.site_id = ?) AND (?::int IS NULL OR r.meter_id = ?) AND r.ts > ? AND r.ts <= ?),
       x AS (SELECT *, sum(CASE WHEN breach THEN 0 ELSE 1 END) OVER (PARTITION BY meter_id ORDER BY ts) AS grp FROM r),
       g AS (SELECT site_id, meter_id, grp, min(ts) AS first_ts, min(ts) FILTER (WHERE breach) AS run_start, max(ts) FILTER (WHERE breach) AS last_breach,
                    max(value) FILTER (WHERE breach) AS hi, min(value) FILTER (WHERE breach) AS lo
               FROM x GROUP BY 1, 2, 3),
       e AS (SELECT *, lead(first_ts) OVER (PARTITION BY meter_id ORDER BY grp) AS run_end FROM g)
       SELECT e.site_id, s.name AS site_name, e.meter_id, m.name AS meter_name, e.run_start, e.run_end, e.last_breach,
              CASE WHEN ? = 'below' THEN e.lo ELSE e.hi END AS peak
         FROM e JOIN sites s ON s.id = e.site_id JOIN meters m ON m.id = e.meter_id
        WHERE e.run_start IS NOT NULL ORDER BY e.run_start`,
      [
        cond.condition,
        cond.high,
        cond.low,
        cond.low,
        cond.high,
        scope.dataPoint,
        scope.siteId,
        scope.siteId,
        scope.meterId,
        scope.meterId,
        from,
        to,
        cond.condition,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Gaps longer than `gapMs` between consecutive timestamps: readings per meter (scope) or heartbeats per site. */
  async readingGaps(
    scope: { siteId: number | null; meterId: number | null; dataPoint: string | null },
    from: Date,
    to: Date,
    gapMs: number,
  ) {
    const { rows } = await this.knex.raw<{
      rows: {
        site_id: number;
        site_name: string;
        meter_id: number;
        meter_name: string;
        gap_from: Date;
        gap_to: Date;
      }[];
    }>(
      `SELECT g.site_id, s.name AS site_name, g.meter_id, m.name AS meter_name, g.prev AS gap_from, g.ts AS gap_to FROM (
         SELECT site_id, meter_id, ts, lag(ts) OVER (PARTITION BY meter_id ORDER BY ts) AS prev FROM (
           SELECT DISTINCT site_id, meter_id, ts FROM meter_readings
            WHERE (?::int IS NULL OR site_id = ?) AND (?::int IS NULL OR meter_id = ?) AND (?::text IS NULL OR data_point = ?) AND ts > ? AND ts <= ?) d) g
         JOIN sites s ON s.id = g.site_id JOIN meters m ON m.id = g.meter_id
        WHERE g.prev IS NOT NULL AND g.ts - g.prev > (? * interval '1 millisecond') ORDER BY g.prev`,
      [scope.siteId, scope.siteId, scope.meterId, scope.meterId, scope.dataPoint, scope.dataPoint, from, to, gapMs],
    );
    return rows;
  }

  async heartbeatGaps(from: Date, to: Date, gapMs: number) {
    const { rows } = await this.knex.raw<{
      rows: { site_id: number; site_name: string; gap_from: Date; gap_to: Date }[];
    }>(
      `SELECT g.site_id, s.name AS site_name, g.prev AS gap_from, g.received_at AS gap_to FROM (
         SELECT site_id, received_at, lag(received_at) OVER (PARTITION BY site_id ORDER BY received_at) AS prev
           FROM heartbeats WHERE received_at > ? AND received_at <= ?) g JOIN sites s ON s.id = g.site_id
        WHERE g.prev IS NOT NULL AND g.received_at - g.prev > (? * interval '1 millisecond') ORDER BY g.prev`,
      [from, to, gapMs],
    );
    return rows;
  }
}
