import type { Knex } from 'knex';
import type { ConsumptionInterval } from '@meterit/shared';
import { bucketSql } from '../readings/buckets.js';
import { LIMIT_MIN_SECONDS } from './counter-arithmetic.js';

export interface SeriesKey {
  siteId: number;
  meterId: number;
  dataPoint: string;
}

/**
 * One series over [from, to): the steps inside it, the one into it and the one out of it. With a physical limit
 * (maxKwhPerHour, and the unit's factor to kWh), a step above it comes back on its own, for counterStep to flag.
 */
export interface StepWindow extends SeriesKey {
  from: Date;
  to: Date;
  factor?: number;
  maxKwhPerHour?: number | null;
}

/** The window's limit in counter units per second (null: none). */
function unitsPerSecond(w: StepWindow): number | null {
  return w.maxKwhPerHour ? w.maxKwhPerHour / 3600 / (w.factor ?? 1) : null;
}

export interface StepRow {
  site_id: number;
  meter_id: number;
  data_point: string;
  /** Which window (index into the windows asked for) the step belongs to. */
  window: number;
  /** Simple rows: the bucket start; single rows: null. */
  bucket: Date | null;
  t0: Date | null;
  t1: Date | null;
  v0: number | null;
  v1: number | null;
  /** Simple rows: what the counter advanced in the bucket; single rows: v1 − v0 (counterStep says what it counts). */
  energy: number;
  secs: number;
  single: boolean;
}

/** Steps by the window they belong to. */
export function groupByWindow(steps: StepRow[]): Map<number, StepRow[]> {
  const out = new Map<number, StepRow[]>();
  for (const s of steps) (out.get(s.window) ?? out.set(s.window, []).get(s.window))?.push(s);
  return out;
}

/** The counter steps of cumulative energy data points, read from the raw readings. */
export class CounterStepsRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * The counter steps (reading → next reading) of each window, including the step from the last reading before its
   * `from` and the step to the first reading at or after its `to`. Steps inside one bucket that only advance and are
   * no gap and within the point's limit are summed per bucket here (most of them); every other step comes back on its own, with both readings, for
   * counterStep to classify (reset, rollover, noise) and attributeSteps to place.
   */
  async counterSteps(
    windows: StepWindow[],
    bucket: ConsumptionInterval,
    tz: string,
    gapSeconds: number,
  ): Promise<StepRow[]> {
    if (windows.length === 0) return [];
    const b0 = bucketSql('t0', bucket, tz);
    const b1 = bucketSql('t1', bucket, tz);
    const { rows } = await this.knex.raw<{ rows: StepRow[] }>(
      `WITH s AS (
         SELECT site_id, meter_id, data_point, wfrom, wto, lim, (w - 1)::int AS w
           FROM unnest(?::int[], ?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::float8[])
                WITH ORDINALITY AS s(site_id, meter_id, data_point, wfrom, wto, lim, w)),
       pts AS (
         SELECT s.w, b.ts, b.value FROM s CROSS JOIN LATERAL (
           SELECT r.ts, r.value FROM meter_readings r
            WHERE r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point AND r.ts < s.wfrom
            ORDER BY r.ts DESC LIMIT 1) b
         UNION ALL
         -- One primary-key range scan per window (OFFSET 0 keeps the planner from turning it into a join that
         -- may scan all the site's readings when its statistics are off).
         SELECT s.w, i.ts, i.value FROM s CROSS JOIN LATERAL (
           SELECT r.ts, r.value FROM meter_readings r
            WHERE r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point
              AND r.ts >= s.wfrom AND r.ts < s.wto OFFSET 0) i
         UNION ALL
         SELECT s.w, a.ts, a.value FROM s CROSS JOIN LATERAL (
           SELECT r.ts, r.value FROM meter_readings r
            WHERE r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point AND r.ts >= s.wto
            ORDER BY r.ts ASC LIMIT 1) a
       ),
       steps AS (
         SELECT w, lag(ts) OVER win AS t0, lag(value) OVER win AS v0, ts AS t1, value AS v1
           FROM pts WINDOW win AS (PARTITION BY w ORDER BY ts)
       ),
       marked AS (
         SELECT st.w, st.t0, st.t1, st.v0, st.v1, ${b0.sql} AS b0,
                extract(epoch FROM st.t1 - st.t0)::float8 AS secs,
                (${b0.sql} = ${b1.sql} AND st.v1 >= st.v0 AND extract(epoch FROM st.t1 - st.t0) <= ?
                 AND st.t0 >= s.wfrom AND st.t1 < s.wto
                 AND (s.lim IS NULL OR st.v1 - st.v0 <= s.lim * greatest(extract(epoch FROM st.t1 - st.t0), ?))
                ) AS simple
           FROM steps st JOIN s ON s.w = st.w
          WHERE st.t0 IS NOT NULL
       )
       SELECT s.site_id, s.meter_id, s.data_point, g.*
         FROM (
           SELECT w AS "window", b0 AS bucket, NULL::timestamptz AS t0, NULL::timestamptz AS t1, NULL::float8 AS v0,
                  NULL::float8 AS v1, sum(v1 - v0)::float8 AS energy, sum(secs)::float8 AS secs, false AS single
             FROM marked WHERE simple GROUP BY w, b0
           UNION ALL
           SELECT w, NULL, t0, t1, v0, v1, (v1 - v0)::float8, secs, true FROM marked WHERE NOT simple
         ) g JOIN s ON s.w = g."window"
        ORDER BY g."window", g.bucket, g.t0`,
      [
        windows.map((w) => w.siteId),
        windows.map((w) => w.meterId),
        windows.map((w) => w.dataPoint),
        windows.map((w) => w.from),
        windows.map((w) => w.to),
        windows.map(unitsPerSecond),
        ...b0.bindings,
        ...b0.bindings,
        ...b1.bindings,
        gapSeconds,
        LIMIT_MIN_SECONDS,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }
}
