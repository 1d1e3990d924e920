import type { Knex } from 'knex';
import type { HeartbeatMeterState, HeartbeatRequest } from '@meterit/shared';

/** The meters a rule looks at; null = any (site or meter), and for `dataPoint` any data point. */
export interface MeterScope {
  siteId: number | null;
  meterId: number | null;
  dataPoint: string | null;
}

/** One data point's series in scope (threshold rules). */
export type SeriesScope = MeterScope & { dataPoint: string };

/** When a reading breaches: above `high`, below `low`, or outside both. */
export interface BreachCondition {
  condition: string;
  low: number | null;
  high: number | null;
}

export interface SiteHeartbeatRow {
  id: number;
  name: string;
  last_heartbeat_at: Date | null;
  last_heartbeat: HeartbeatRequest | null;
}

export interface HeartbeatRow {
  site_id: number;
  received_at: Date;
  payload: HeartbeatRequest;
}

export interface MeterAgentStateRow {
  id: number;
  name: string;
  site_id: number;
  site_name: string;
  last_heartbeat_at: Date | null;
  state: HeartbeatMeterState;
}

export interface MeterActivityRow {
  id: number;
  name: string;
  site_id: number;
  site_name: string;
  created_at: Date;
  last_reading_at: Date | null;
  last_heartbeat_at: Date | null;
  last_heartbeat: HeartbeatRequest | null;
}

export interface BreachStateRow {
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
}

export interface BreachRunRow {
  site_id: number;
  site_name: string;
  meter_id: number;
  meter_name: string;
  run_start: Date;
  run_end: Date | null;
  last_breach: Date;
  peak: number;
}

export interface ReadingGapRow {
  site_id: number;
  site_name: string;
  meter_id: number;
  meter_name: string;
  gap_from: Date;
  gap_to: Date;
}

export interface HeartbeatGapRow {
  site_id: number;
  site_name: string;
  gap_from: Date;
  gap_to: Date;
}

/** The CTE `r` both breach queries start from: the series' readings over (from, to], each marked whether it breaches. */
function breachingReadings(scope: SeriesScope, cond: BreachCondition, from: Date, to: Date) {
  return {
    sql: `r AS (
         SELECT r.site_id, r.meter_id, r.data_point, r.ts, r.value, r.unit,
                CASE ? WHEN 'above' THEN r.value > ? WHEN 'below' THEN r.value < ? ELSE (r.value < ? OR r.value > ?) END AS breach
           FROM meter_readings r JOIN meters m ON m.id = r.meter_id AND m.is_active
          WHERE r.data_point = ? AND (?::int IS NULL OR r.site_id = ?) AND (?::int IS NULL OR r.meter_id = ?) AND r.ts > ? AND r.ts <= ?)`,
    bindings: [
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
    ],
  };
}

/** The SQL of what the rules look at: sites and their heartbeats, meters and their readings. Reads only. */
export class RuleInputsRepository {
  constructor(private readonly knex: Knex) {}

  async sitesWithHeartbeat(): Promise<SiteHeartbeatRow[]> {
    const { rows } = await this.knex.raw<{ rows: SiteHeartbeatRow[] }>(
      'SELECT id, name, last_heartbeat_at, last_heartbeat FROM sites WHERE is_active ORDER BY id',
    );
    return rows;
  }

  /** Each active meter's state as its site agent reported it in the site's latest heartbeat (`meter_states`). */
  async meterAgentStates(): Promise<MeterAgentStateRow[]> {
    const { rows } = await this.knex.raw<{ rows: MeterAgentStateRow[] }>(
      `SELECT m.id, m.name, m.site_id, s.name AS site_name, s.last_heartbeat_at, x.state
         FROM sites s
         JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.last_heartbeat->'meter_states') = 'array' THEN s.last_heartbeat->'meter_states' ELSE '[]'::jsonb END) AS x(state) ON true
         JOIN meters m ON m.site_id = s.id AND m.external_id = x.state->>'external_id'
        WHERE s.is_active AND m.is_active
        ORDER BY m.id`,
    );
    return rows;
  }

  async heartbeatsBetween(from: Date, to: Date): Promise<HeartbeatRow[]> {
    const { rows } = await this.knex.raw<{ rows: HeartbeatRow[] }>(
      'SELECT site_id, received_at, payload FROM heartbeats WHERE received_at > ? AND received_at <= ? ORDER BY received_at',
      [from, to],
    );
    return rows;
  }

  /** Per active site (or one site), its newest heartbeat received at or before `at`. */
  async heartbeatsAtOrBefore(
    at: Date,
    siteId: number | null = null,
  ): Promise<Map<number, Omit<HeartbeatRow, 'site_id'>>> {
    const { rows } = await this.knex.raw<{ rows: HeartbeatRow[] }>(
      `SELECT s.id AS site_id, h.received_at, h.payload FROM sites s
         CROSS JOIN LATERAL (SELECT received_at, payload FROM heartbeats WHERE site_id = s.id AND received_at <= ? ORDER BY received_at DESC LIMIT 1) h
        WHERE s.is_active AND (?::int IS NULL OR s.id = ?)`,
      [at, siteId, siteId],
    );
    return new Map(rows.map((r) => [r.site_id, { received_at: r.received_at, payload: r.payload }]));
  }

  /** Active meters of active sites in scope, with their newest reading (of one data point when given). */
  async meterActivity(scope: MeterScope): Promise<MeterActivityRow[]> {
    const { rows } = await this.knex.raw<{ rows: MeterActivityRow[] }>(
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
  async breachState(scope: SeriesScope, cond: BreachCondition, from: Date, to: Date): Promise<BreachStateRow[]> {
    const r = breachingReadings(scope, cond, from, to);
    const { rows } = await this.knex.raw<{ rows: BreachStateRow[] }>(
      `WITH ${r.sql},
       g AS (SELECT site_id, meter_id, data_point, max(ts) AS latest_ts, max(ts) FILTER (WHERE NOT breach) AS last_ok FROM r GROUP BY 1, 2, 3)
       SELECT g.site_id, s.name AS site_name, g.meter_id, m.name AS meter_name, g.data_point, l.unit, g.latest_ts, l.value AS latest_value,
              l.breach AS latest_breach,
              CASE WHEN l.breach THEN (SELECT min(x.ts) FROM r x WHERE x.meter_id = g.meter_id AND x.data_point = g.data_point AND x.ts > COALESCE(g.last_ok, '-infinity')) END AS breach_since
         FROM g JOIN r l ON l.meter_id = g.meter_id AND l.data_point = g.data_point AND l.ts = g.latest_ts
         JOIN sites s ON s.id = g.site_id JOIN meters m ON m.id = g.meter_id
        ORDER BY g.site_id, g.meter_id`,
      r.bindings as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Runs of consecutive breaching readings per series over (from, to], each with where it ended (the next good reading). */
  async breachRuns(scope: SeriesScope, cond: BreachCondition, from: Date, to: Date): Promise<BreachRunRow[]> {
    const r = breachingReadings(scope, cond, from, to);
    const { rows } = await this.knex.raw<{ rows: BreachRunRow[] }>(
      `WITH ${r.sql},
       x AS (SELECT *, sum(CASE WHEN breach THEN 0 ELSE 1 END) OVER (PARTITION BY meter_id ORDER BY ts) AS grp FROM r),
       g AS (SELECT site_id, meter_id, grp, min(ts) AS first_ts, min(ts) FILTER (WHERE breach) AS run_start, max(ts) FILTER (WHERE breach) AS last_breach,
                    max(value) FILTER (WHERE breach) AS hi, min(value) FILTER (WHERE breach) AS lo
               FROM x GROUP BY 1, 2, 3),
       e AS (SELECT *, lead(first_ts) OVER (PARTITION BY meter_id ORDER BY grp) AS run_end FROM g)
       SELECT e.site_id, s.name AS site_name, e.meter_id, m.name AS meter_name, e.run_start, e.run_end, e.last_breach,
              CASE WHEN ? = 'below' THEN e.lo ELSE e.hi END AS peak
         FROM e JOIN sites s ON s.id = e.site_id JOIN meters m ON m.id = e.meter_id
        WHERE e.run_start IS NOT NULL ORDER BY e.run_start`,
      [...r.bindings, cond.condition] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Gaps longer than `gapMs` between consecutive readings per meter in scope. */
  async readingGaps(scope: MeterScope, from: Date, to: Date, gapMs: number): Promise<ReadingGapRow[]> {
    const { rows } = await this.knex.raw<{ rows: ReadingGapRow[] }>(
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

  /** Gaps longer than `gapMs` between consecutive heartbeats per site. */
  async heartbeatGaps(from: Date, to: Date, gapMs: number): Promise<HeartbeatGapRow[]> {
    const { rows } = await this.knex.raw<{ rows: HeartbeatGapRow[] }>(
      `SELECT g.site_id, s.name AS site_name, g.prev AS gap_from, g.received_at AS gap_to FROM (
         SELECT site_id, received_at, lag(received_at) OVER (PARTITION BY site_id ORDER BY received_at) AS prev
           FROM heartbeats WHERE received_at > ? AND received_at <= ?) g JOIN sites s ON s.id = g.site_id
        WHERE g.prev IS NOT NULL AND g.received_at - g.prev > (? * interval '1 millisecond') ORDER BY g.prev`,
      [from, to, gapMs],
    );
    return rows;
  }
}
