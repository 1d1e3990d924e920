import type { Knex } from 'knex';
import type { DataPointConfig } from '@meterit/shared';
import { BUCKET_ORIGIN } from '../readings/buckets.js';
import type { StepKind } from './counter-arithmetic.js';

/** A series' stretch of rollups being recomputed: quarter hours [from, to). */
export interface SeriesWindow {
  meterId: number;
  dataPoint: string;
  from: Date;
  to: Date;
}

export interface QuarterRow {
  meterId: number;
  dataPoint: string;
  start: Date;
  measuredKwh: number;
  measuredS: number;
  estimatedKwh: number;
  estimatedS: number;
}

export interface EventRow {
  meterId: number;
  dataPoint: string;
  t0: Date;
  t1: Date;
  v0: number;
  v1: number;
  kwh: number;
  gap: boolean;
  kind: StepKind;
}

export interface SeriesInfoRow {
  meter_id: number;
  data_point: string;
  /** The data point as configured on the meter (null: not configured, so no view counts it). */
  config: DataPointConfig | null;
  /** The unit of its newest reading. */
  unit: string | null;
}

/** A row of an hour, day or month whose value changed (so the site's row above it is summed again). */
export interface TouchedGrain {
  grain: 'hour' | 'day' | 'month';
  start: Date;
}

/** One array per field, in the order named: what unnest(…) takes as columns. */
const columns = <T>(rows: T[], fields: (keyof T)[]) => fields.map((f) => rows.map((r) => r[f]));
const windowArrays = (windows: SeriesWindow[]) => columns(windows, ['meterId', 'dataPoint', 'from', 'to']);
const WINDOWS_SQL = `SELECT * FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[]) AS w(meter_id, data_point, wfrom, wto)`;
const bind = (values: unknown[]) => values as unknown as Knex.RawBinding[];

/**
 * The keys (meter_id, data_point, at) of `table`'s rows in each window of the CTE `w`, for the site bound first.
 * A LATERAL subquery per window, so each is one range scan of the primary key whatever the table's statistics say
 * (a join here may plan a scan of all the site's rows; OFFSET 0 keeps the planner from turning it into one).
 * `table` and `column` are this file's own names. The same shape serves every per-window read below.
 */
function keysInWindows(table: string, column: 'start' | 't1', extra = ''): string {
  const range = column === 'start' ? 'x.start >= w.wfrom AND x.start < w.wto' : 'x.t1 > w.wfrom AND x.t1 <= w.wto';
  return `SELECT w.meter_id, w.data_point, k.at FROM w CROSS JOIN LATERAL (
            SELECT x.${column} AS at FROM ${table} x
             WHERE x.site_id = ? AND x.meter_id = w.meter_id AND x.data_point = w.data_point AND ${range} ${extra}
            OFFSET 0) k`;
}

/**
 * The rollup worker's writes, all inside the transaction that took the changes. Rows whose values did not change are
 * not written again (computed_at stays), so a recompute of a window touches only what the new readings changed.
 */
export class RollupWriteRepository {
  constructor(private readonly trx: Knex.Transaction) {}

  /** How each series is configured and the unit of its newest reading. */
  async seriesInfo(siteId: number, series: { meterId: number; dataPoint: string }[]): Promise<SeriesInfoRow[]> {
    const { rows } = await this.trx.raw<{ rows: SeriesInfoRow[] }>(
      `SELECT s.meter_id, s.data_point,
              (SELECT p FROM jsonb_array_elements(m.data_points) p WHERE p->>'name' = s.data_point LIMIT 1) AS config,
              l.unit
         FROM unnest(?::int[], ?::text[]) AS s(meter_id, data_point)
         JOIN meters m ON m.id = s.meter_id AND m.site_id = ?
         LEFT JOIN LATERAL (
           SELECT r.unit FROM meter_readings r
            WHERE r.site_id = ? AND r.meter_id = s.meter_id AND r.data_point = s.data_point
            ORDER BY r.ts DESC LIMIT 1) l ON true`,
      bind([series.map((s) => s.meterId), series.map((s) => s.dataPoint), siteId, siteId]),
    );
    return rows;
  }

  /** Per series of the site: from its first quarter hour to the end of its last (every quarter hour it has). */
  async allQuarters(siteId: number): Promise<SeriesWindow[]> {
    const { rows } = await this.trx.raw<{ rows: { meter_id: number; data_point: string; from: Date; to: Date }[] }>(
      `SELECT meter_id, data_point, min(start) AS "from", max(start) + interval '15 minutes' AS "to"
         FROM energy_quarter_hours WHERE site_id = ? GROUP BY meter_id, data_point`,
      [siteId],
    );
    return rows.map((r) => ({ meterId: r.meter_id, dataPoint: r.data_point, from: r.from, to: r.to }));
  }

  /** Per window: the newest reading before its start and the oldest after its end (the steps into and out of it). */
  async neighbours(siteId: number, windows: SeriesWindow[]): Promise<{ prev: Date | null; next: Date | null }[]> {
    const { rows } = await this.trx.raw<{ rows: { prev: Date | null; next: Date | null }[] }>(
      `SELECT (SELECT r.ts FROM meter_readings r
                WHERE r.site_id = ? AND r.meter_id = w.meter_id AND r.data_point = w.data_point AND r.ts < w.wfrom
                ORDER BY r.ts DESC LIMIT 1) AS prev,
              (SELECT r.ts FROM meter_readings r
                WHERE r.site_id = ? AND r.meter_id = w.meter_id AND r.data_point = w.data_point AND r.ts > w.wto
                ORDER BY r.ts ASC LIMIT 1) AS next
         FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[])
              WITH ORDINALITY AS w(meter_id, data_point, wfrom, wto, i)
        ORDER BY w.i`,
      bind([siteId, siteId, ...windowArrays(windows)]),
    );
    return rows;
  }

  /** Replace the quarter hours of each window with `rows` (edited ones keep their energy and quality). */
  async writeQuarters(siteId: number, windows: SeriesWindow[], rows: QuarterRow[]): Promise<void> {
    await this.trx.raw(
      `WITH input AS (
         SELECT * FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::float8[], ?::float8[], ?::float8[], ?::float8[])
                  AS t(meter_id, data_point, start, measured_kwh, measured_s, estimated_kwh, estimated_s)
       ), w AS (${WINDOWS_SQL}),
       stale AS (
         DELETE FROM energy_quarter_hours q USING (${keysInWindows('energy_quarter_hours', 'start', "AND x.quality <> 'edited'")}) k
          WHERE q.site_id = ? AND q.meter_id = k.meter_id AND q.data_point = k.data_point AND q.start = k.at
            AND NOT EXISTS (SELECT 1 FROM input i
                             WHERE i.meter_id = q.meter_id AND i.data_point = q.data_point AND i.start = q.start)
       )
       INSERT INTO energy_quarter_hours AS q
              (site_id, meter_id, data_point, start, energy_kwh, measured_kwh, measured_s, estimated_kwh, estimated_s, quality)
       SELECT ?, meter_id, data_point, start, measured_kwh + estimated_kwh, measured_kwh, measured_s, estimated_kwh,
              estimated_s, CASE WHEN estimated_s > 0 THEN 'estimated' ELSE 'measured' END
         FROM input
       ON CONFLICT (site_id, meter_id, data_point, start) DO UPDATE SET
         energy_kwh = CASE WHEN q.quality = 'edited' THEN q.energy_kwh ELSE EXCLUDED.energy_kwh END,
         quality = CASE WHEN q.quality = 'edited' THEN q.quality ELSE EXCLUDED.quality END,
         measured_kwh = EXCLUDED.measured_kwh, measured_s = EXCLUDED.measured_s,
         estimated_kwh = EXCLUDED.estimated_kwh, estimated_s = EXCLUDED.estimated_s, computed_at = now()
       WHERE (q.measured_kwh, q.measured_s, q.estimated_kwh, q.estimated_s)
             IS DISTINCT FROM (EXCLUDED.measured_kwh, EXCLUDED.measured_s, EXCLUDED.estimated_kwh, EXCLUDED.estimated_s)`,
      bind([
        ...columns(rows, ['meterId', 'dataPoint', 'start', 'measuredKwh', 'measuredS', 'estimatedKwh', 'estimatedS']),
        ...windowArrays(windows),
        siteId,
        siteId,
        siteId,
      ]),
    );
  }

  /** Replace the notable steps that end in each window (and upsert the one reaching past its end). */
  async writeEvents(siteId: number, windows: SeriesWindow[], events: EventRow[]): Promise<void> {
    await this.trx.raw(
      `WITH w AS (${WINDOWS_SQL}),
       gone AS (
         DELETE FROM energy_counter_events e USING (${keysInWindows('energy_counter_events', 't1')}) k
          WHERE e.site_id = ? AND e.meter_id = k.meter_id AND e.data_point = k.data_point AND e.t1 = k.at
       )
       INSERT INTO energy_counter_events AS e (site_id, meter_id, data_point, t1, t0, v0, v1, energy_kwh, gap, kind)
       SELECT ?, * FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::float8[], ?::float8[],
                               ?::float8[], ?::boolean[], ?::text[])
       ON CONFLICT (site_id, meter_id, data_point, t1) DO UPDATE SET
         t0 = EXCLUDED.t0, v0 = EXCLUDED.v0, v1 = EXCLUDED.v1, energy_kwh = EXCLUDED.energy_kwh,
         gap = EXCLUDED.gap, kind = EXCLUDED.kind`,
      bind([
        ...windowArrays(windows),
        siteId,
        siteId,
        siteId,
        ...columns(events, ['meterId', 'dataPoint', 't1', 't0', 'v0', 'v1', 'kwh', 'gap', 'kind']),
      ]),
    );
  }

  /** Recompute the 15-minute averages of power data points over each window from their good readings. */
  async writePower(siteId: number, windows: SeriesWindow[]): Promise<void> {
    if (windows.length === 0) return;
    await this.trx.raw(
      `WITH w AS (${WINDOWS_SQL}),
       fresh AS (
         SELECT w.meter_id, w.data_point, a.start, a.value, a.samples FROM w CROSS JOIN LATERAL (
           SELECT date_bin('15 minutes'::interval, r.ts, ?::timestamptz) AS start, avg(r.value)::float8 AS value,
                  count(*)::int AS samples
             FROM meter_readings r
            WHERE r.site_id = ? AND r.meter_id = w.meter_id AND r.data_point = w.data_point
              AND r.ts >= w.wfrom AND r.ts < w.wto AND r.quality = 'good'
            GROUP BY 1) a
       ),
       stale AS (
         DELETE FROM power_quarter_hours p USING (${keysInWindows('power_quarter_hours', 'start')}) k
          WHERE p.site_id = ? AND p.meter_id = k.meter_id AND p.data_point = k.data_point AND p.start = k.at
            AND NOT EXISTS (SELECT 1 FROM fresh f
                             WHERE f.meter_id = p.meter_id AND f.data_point = p.data_point AND f.start = p.start)
       )
       INSERT INTO power_quarter_hours AS p (site_id, meter_id, data_point, start, value, samples)
       SELECT ?, meter_id, data_point, start, value, samples FROM fresh
       ON CONFLICT (site_id, meter_id, data_point, start) DO UPDATE SET
         value = EXCLUDED.value, samples = EXCLUDED.samples, computed_at = now()
       WHERE (p.value, p.samples) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.samples)`,
      bind([...windowArrays(windows), BUCKET_ORIGIN, siteId, siteId, siteId, siteId]),
    );
  }

  /**
   * Sum the hours (UTC), days and months (in `tz`) above each window's quarter hours again, and delete those left
   * without any. Returns the rows that changed, for the site's own rows above them.
   */
  async rollUp(siteId: number, windows: SeriesWindow[], tz: string): Promise<TouchedGrain[]> {
    if (windows.length === 0) return [];
    const { rows } = await this.trx.raw<{ rows: TouchedGrain[] }>(
      `WITH w AS (${WINDOWS_SQL}),
       g AS (SELECT * FROM (VALUES ('hour', 'UTC'), ('day', ?), ('month', ?)) AS g(grain, zone)),
       ranges AS (
         SELECT w.meter_id, w.data_point, g.grain, g.zone, date_trunc(g.grain, w.wfrom, g.zone) AS gfrom,
                ((date_trunc(g.grain, w.wto - interval '1 microsecond', g.zone) AT TIME ZONE g.zone)
                  + ('1 ' || g.grain)::interval) AT TIME ZONE g.zone AS gto
           FROM w CROSS JOIN g
       ),
       picked AS (
         SELECT DISTINCT r.grain, r.zone, r.meter_id, r.data_point, q.start, q.energy_kwh, q.measured_kwh,
                q.measured_s, q.estimated_kwh, q.estimated_s, q.quality
           FROM ranges r CROSS JOIN LATERAL (
             SELECT * FROM energy_quarter_hours q
              WHERE q.site_id = ? AND q.meter_id = r.meter_id AND q.data_point = r.data_point
                AND q.start >= r.gfrom AND q.start < r.gto OFFSET 0) q
       ),
       agg AS (
         SELECT meter_id, data_point, grain, zone, date_trunc(grain, start, zone) AS start,
                sum(energy_kwh) AS energy_kwh, sum(measured_kwh) AS measured_kwh, sum(measured_s) AS measured_s,
                sum(estimated_kwh) AS estimated_kwh, sum(estimated_s) AS estimated_s,
                CASE WHEN bool_or(quality = 'edited') THEN 'edited'
                     WHEN bool_or(quality = 'estimated') THEN 'estimated' ELSE 'measured' END AS quality,
                count(*)::int AS quarters
           FROM picked GROUP BY 1, 2, 3, 4, 5
       ),
       present AS (
         SELECT r.meter_id, r.data_point, r.grain, x.start FROM ranges r CROSS JOIN LATERAL (
           SELECT e.start FROM energy_rollups e
            WHERE e.site_id = ? AND e.meter_id = r.meter_id AND e.data_point = r.data_point AND e.grain = r.grain
              AND e.start >= r.gfrom AND e.start < r.gto OFFSET 0) x
       ),
       stale AS (
         DELETE FROM energy_rollups e USING present p
          WHERE e.site_id = ? AND e.meter_id = p.meter_id AND e.data_point = p.data_point AND e.grain = p.grain
            AND e.start = p.start
            AND NOT EXISTS (SELECT 1 FROM agg a WHERE a.meter_id = e.meter_id AND a.data_point = e.data_point
                                                  AND a.grain = e.grain AND a.start = e.start)
         RETURNING e.grain, e.start
       ),
       written AS (
         INSERT INTO energy_rollups AS e (site_id, meter_id, data_point, grain, start, ends_at, time_zone, energy_kwh,
                                          measured_kwh, measured_s, estimated_kwh, estimated_s, quality, quarters)
         SELECT ?, meter_id, data_point, grain, start,
                ((start AT TIME ZONE zone) + ('1 ' || grain)::interval) AT TIME ZONE zone, zone, energy_kwh,
                measured_kwh, measured_s, estimated_kwh, estimated_s, quality, quarters
           FROM agg
         ON CONFLICT (site_id, meter_id, data_point, grain, start) DO UPDATE SET
           ends_at = EXCLUDED.ends_at, time_zone = EXCLUDED.time_zone, energy_kwh = EXCLUDED.energy_kwh,
           measured_kwh = EXCLUDED.measured_kwh, measured_s = EXCLUDED.measured_s,
           estimated_kwh = EXCLUDED.estimated_kwh, estimated_s = EXCLUDED.estimated_s, quality = EXCLUDED.quality,
           quarters = EXCLUDED.quarters, computed_at = now()
         WHERE (e.ends_at, e.time_zone, e.energy_kwh, e.measured_kwh, e.measured_s, e.estimated_kwh, e.estimated_s,
                e.quality, e.quarters)
               IS DISTINCT FROM (EXCLUDED.ends_at, EXCLUDED.time_zone, EXCLUDED.energy_kwh, EXCLUDED.measured_kwh,
                EXCLUDED.measured_s, EXCLUDED.estimated_kwh, EXCLUDED.estimated_s, EXCLUDED.quality, EXCLUDED.quarters)
         RETURNING e.grain, e.start
       )
       SELECT DISTINCT grain, start FROM (SELECT * FROM stale UNION ALL SELECT * FROM written) t`,
      bind([...windowArrays(windows), tz, tz, siteId, siteId, siteId, siteId]),
    );
    return rows;
  }

  /** Sum the site's rows of the touched hours, days and months again from its series' rows. */
  async rollUpSite(siteId: number, touched: TouchedGrain[], tz: string): Promise<void> {
    if (touched.length === 0) return;
    await this.trx.raw(
      `WITH t AS (SELECT DISTINCT * FROM unnest(?::text[], ?::timestamptz[]) AS t(grain, start)),
       agg AS (
         SELECT t.grain, t.start, min(e.ends_at) AS ends_at, sum(e.energy_kwh) AS energy_kwh,
                sum(e.measured_kwh) AS measured_kwh, sum(e.estimated_kwh) AS estimated_kwh,
                CASE WHEN bool_or(e.quality = 'edited') THEN 'edited'
                     WHEN bool_or(e.quality = 'estimated') THEN 'estimated' ELSE 'measured' END AS quality,
                count(*)::int AS series
           FROM t CROSS JOIN LATERAL (
             SELECT * FROM energy_rollups e WHERE e.site_id = ? AND e.grain = t.grain AND e.start = t.start OFFSET 0) e
          GROUP BY t.grain, t.start
       ),
       stale AS (
         DELETE FROM site_energy_rollups s USING t
          WHERE s.site_id = ? AND s.grain = t.grain AND s.start = t.start
            AND NOT EXISTS (SELECT 1 FROM agg a WHERE a.grain = s.grain AND a.start = s.start)
       )
       INSERT INTO site_energy_rollups AS s (site_id, grain, start, ends_at, time_zone, energy_kwh, measured_kwh,
                                             estimated_kwh, quality, series)
       SELECT ?, grain, start, ends_at, CASE WHEN grain = 'hour' THEN 'UTC' ELSE ? END, energy_kwh, measured_kwh,
              estimated_kwh, quality, series
         FROM agg
       ON CONFLICT (site_id, grain, start) DO UPDATE SET
         ends_at = EXCLUDED.ends_at, time_zone = EXCLUDED.time_zone, energy_kwh = EXCLUDED.energy_kwh,
         measured_kwh = EXCLUDED.measured_kwh, estimated_kwh = EXCLUDED.estimated_kwh, quality = EXCLUDED.quality,
         series = EXCLUDED.series, computed_at = now()
       WHERE (s.ends_at, s.time_zone, s.energy_kwh, s.measured_kwh, s.estimated_kwh, s.quality, s.series)
             IS DISTINCT FROM (EXCLUDED.ends_at, EXCLUDED.time_zone, EXCLUDED.energy_kwh, EXCLUDED.measured_kwh,
              EXCLUDED.estimated_kwh, EXCLUDED.quality, EXCLUDED.series)`,
      bind([touched.map((t) => t.grain), touched.map((t) => t.start), siteId, siteId, siteId, tz]),
    );
  }
}
