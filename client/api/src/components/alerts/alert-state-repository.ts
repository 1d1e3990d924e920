import type { Knex } from 'knex';
import type { AlertInfo, AlertState } from '@meterit/shared';

/** A stored alert: the wire's `AlertInfo` with dates as `Date`, and who acknowledged it by e-mail address. */
export interface AlertRow extends Omit<
  AlertInfo,
  'since' | 'started_at' | 'fired_at' | 'resolved_at' | 'last_evaluated_at' | 'acknowledged_at' | 'acknowledged_by'
> {
  since: Date;
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  last_evaluated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by_email: string | null;
}

/** A new alert: what the observation says (same names as the row), for which rule and subject, evaluated `now`. */
export interface NewAlert extends Pick<
  AlertRow,
  'state' | 'severity' | 'title' | 'detail' | 'value' | 'threshold' | 'unit' | 'since'
> {
  ruleId: number;
  subjectKey: string;
  siteId: number | null;
  meterId: number | null;
  now: Date;
}

export interface AlertPatch {
  state?: AlertState;
  title?: string;
  detail?: string;
  value?: number | null;
  threshold?: number | null;
  firedAt?: Date;
  resolvedAt?: Date;
  now: Date;
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

export interface AlertEventRow {
  at: Date;
  type: string;
  message: string;
  value: number | null;
  actor: string | null;
}

const ALERT_COLUMNS = `a.id::int AS id, a.rule_id, r.name AS rule_name, r.kind, a.subject_key, a.site_id, s.name AS site_name, a.meter_id,
  m.name AS meter_name, a.state, a.severity, a.title, a.detail, a.value, a.threshold, a.unit, a.since, a.started_at, a.fired_at,
  a.resolved_at, a.last_evaluated_at, a.acknowledged_at, a.acknowledged_by_email, a.acknowledge_note`;
const ALERT_FROM =
  'alerts a JOIN alert_rules r ON r.id = a.rule_id LEFT JOIN sites s ON s.id = a.site_id LEFT JOIN meters m ON m.id = a.meter_id';

/** The SQL of `alerts` (one per rule and subject, its state and acknowledgement) and their history, `alert_events`. */
export class AlertStateRepository {
  constructor(private readonly knex: Knex) {}

  /** The rule's alerts that are not resolved (pending or firing). */
  async open(ruleId: number): Promise<AlertRow[]> {
    const { rows } = await this.knex.raw<{ rows: AlertRow[] }>(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERT_FROM} WHERE a.rule_id = ? AND a.state <> 'resolved'`,
      [ruleId],
    );
    return rows;
  }

  async insert(a: NewAlert): Promise<number> {
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

  async update(id: number, patch: AlertPatch): Promise<void> {
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

  async events(alertId: number): Promise<AlertEventRow[]> {
    const { rows } = await this.knex.raw<{ rows: AlertEventRow[] }>(
      'SELECT at, type, message, value, actor FROM alert_events WHERE alert_id = ? ORDER BY at, id',
      [alertId],
    );
    return rows;
  }

  async get(id: number): Promise<AlertRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: AlertRow[] }>(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERT_FROM} WHERE a.id = ?`,
      [id],
    );
    return rows[0];
  }

  /** Active (firing, then pending) first, newest first within each; global alerts (no site) are visible to everyone. */
  async list(f: AlertFilter): Promise<AlertRow[]> {
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

  /** false when it was acknowledged already. */
  async acknowledge(id: number, at: Date, userId: number, email: string, note: string | null): Promise<boolean> {
    const r = await this.knex.raw<{ rowCount: number }>(
      'UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_email = ?, acknowledge_note = ? WHERE id = ? AND acknowledged_at IS NULL',
      [at, userId, email, note, id],
    );
    return r.rowCount > 0;
  }
}
