import type { Knex } from 'knex';
import type { StepKind } from './counter-arithmetic.js';
import type { SeriesKey } from './counter-steps-repository.js';
import type { PowerSlotRow } from './energy-repository.js';

export type Grain = 'quarter' | 'hour' | 'day' | 'month';

/** One series over one stretch [from, to) that rows of one grain cover. */
export interface GrainWindow extends SeriesKey {
  from: Date;
  to: Date;
}

export interface MeasuredRow {
  /** Index of the window (in the list asked for) the row lies in. */
  window: number;
  start: Date;
  measured_kwh: number;
  measured_s: number;
}

export interface EventReadRow {
  /** Index of the series (in the list asked for). */
  series: number;
  t0: Date;
  t1: Date;
  v0: number;
  v1: number;
  energy_kwh: number;
  gap: boolean;
  kind: StepKind;
}

const bind = (values: unknown[]) => values as unknown as Knex.RawBinding[];
const seriesArrays = (series: SeriesKey[]) => [
  series.map((s) => s.siteId),
  series.map((s) => s.meterId),
  series.map((s) => s.dataPoint),
];

/**
 * Reads of the rollups for the energy views (the worker writes them: RollupWriteRepository). Each series is read
 * with a LATERAL subquery: one primary-key range scan per series, whatever the planner thinks of the site's rows
 * (OFFSET 0 keeps it from turning one into a join).
 */
export class RollupReadRepository {
  constructor(private readonly knex: Knex) {}

  /** Each site's time zone (its days and months are counted in it). */
  async siteZones(siteIds: number[]): Promise<Map<number, string>> {
    const { rows } = await this.knex.raw<{ rows: { id: number; time_zone: string }[] }>(
      'SELECT id, time_zone FROM sites WHERE id = ANY(?::int[])',
      bind([siteIds]),
    );
    return new Map(rows.map((r) => [r.id, r.time_zone]));
  }

  /**
   * The measured part of the rows of `grain` lying wholly inside each window. Days and months only when counted in
   * `tz` (a site's zone may have changed since they were summed); hours are UTC hours.
   */
  async measured(grain: Grain, windows: GrainWindow[], tz: string): Promise<MeasuredRow[]> {
    if (windows.length === 0) return [];
    const w = `unnest(?::int[], ?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[])
               WITH ORDINALITY AS w(site_id, meter_id, data_point, wfrom, wto, i)`;
    const arrays = [...seriesArrays(windows), windows.map((x) => x.from), windows.map((x) => x.to)];
    const sql =
      grain === 'quarter'
        ? `SELECT (w.i - 1)::int AS "window", q.start, q.measured_kwh, q.measured_s
             FROM ${w} CROSS JOIN LATERAL (
               SELECT * FROM energy_quarter_hours q
                WHERE q.site_id = w.site_id AND q.meter_id = w.meter_id AND q.data_point = w.data_point
                  AND q.start >= w.wfrom AND q.start < w.wto AND q.measured_s > 0 OFFSET 0) q`
        : `SELECT (w.i - 1)::int AS "window", e.start, e.measured_kwh, e.measured_s
             FROM ${w} CROSS JOIN LATERAL (
               SELECT * FROM energy_rollups e
                WHERE e.site_id = w.site_id AND e.meter_id = w.meter_id AND e.data_point = w.data_point
                  AND e.grain = ? AND e.start >= w.wfrom AND e.start < w.wto
                  AND e.ends_at <= w.wto AND e.measured_s > 0 AND (e.grain = 'hour' OR e.time_zone = ?) OFFSET 0) e`;
    const { rows } = await this.knex.raw<{ rows: MeasuredRow[] }>(
      sql,
      bind(grain === 'quarter' ? arrays : [...arrays, grain, tz]),
    );
    return rows;
  }

  /**
   * The notable steps (gaps, resets, rollovers) of each series that a raw read of [from, to) would meet: those ending
   * in it, and the one step reaching past `to` from before it.
   */
  async events(series: SeriesKey[], from: Date, to: Date): Promise<EventReadRow[]> {
    if (series.length === 0) return [];
    const cols = 'e.t0, e.t1, e.v0, e.v1, e.energy_kwh, e.gap, e.kind';
    const { rows } = await this.knex.raw<{ rows: EventReadRow[] }>(
      `WITH s AS (SELECT *, (i - 1)::int AS series FROM unnest(?::int[], ?::int[], ?::text[])
                  WITH ORDINALITY AS s(site_id, meter_id, data_point, i))
       SELECT s.series, ${cols} FROM s CROSS JOIN LATERAL (
         SELECT * FROM energy_counter_events x
          WHERE x.site_id = s.site_id AND x.meter_id = s.meter_id AND x.data_point = s.data_point
            AND x.t1 >= ? AND x.t1 < ? OFFSET 0) e
       UNION ALL
       SELECT s.series, ${cols} FROM s CROSS JOIN LATERAL (
         SELECT * FROM energy_counter_events x
          WHERE x.site_id = s.site_id AND x.meter_id = s.meter_id AND x.data_point = s.data_point AND x.t1 >= ?
          ORDER BY x.t1 LIMIT 1) e
        WHERE e.t0 < ?
       ORDER BY 1, 3`,
      bind([...seriesArrays(series), from, to, to, to]),
    );
    return rows;
  }

  /** The 15-minute averages of power data points over [from, to) (quarter-aligned), in their own unit. */
  async power(series: SeriesKey[], from: Date, to: Date): Promise<PowerSlotRow[]> {
    if (series.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: PowerSlotRow[] }>(
      `SELECT p.meter_id, p.data_point, p.start AS slot, p.value
         FROM unnest(?::int[], ?::int[], ?::text[]) AS s(site_id, meter_id, data_point)
         CROSS JOIN LATERAL (
           SELECT * FROM power_quarter_hours p
            WHERE p.site_id = s.site_id AND p.meter_id = s.meter_id AND p.data_point = s.data_point
              AND p.start >= ? AND p.start < ? OFFSET 0) p
        ORDER BY 1, 2, 3`,
      bind([...seriesArrays(series), from, to]),
    );
    return rows;
  }
}
