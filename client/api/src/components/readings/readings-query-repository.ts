import type { Knex } from 'knex';
import type { ReadingAgg, ReadingBucket } from '@meterit/shared';
import { bucketSql } from './buckets.js';

export interface ReadingFilter {
  /** null = every site (already narrowed to what the user may see). */
  siteIds: number[] | null;
  meterId?: number | undefined;
  dataPoint?: string | undefined;
  from: Date;
  to: Date;
}

export interface ReadingQueryRow {
  site_id: number;
  meter_id: number;
  meter_external_id: string;
  meter_name: string;
  site_name: string;
  data_point: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
  count?: number;
  flagged?: number;
  avg?: number;
  min?: number;
  max?: number;
  last?: number;
}

export interface StepRow {
  site_id: number;
  meter_id: number;
  data_point: string;
  /** Simple rows: the bucket start; single rows: null. */
  bucket: Date | null;
  t0: Date | null;
  t1: Date | null;
  v0: number | null;
  v1: number | null;
  energy: number;
  secs: number;
  single: boolean;
}

export interface SeriesKey {
  siteId: number;
  meterId: number;
  dataPoint: string;
}

/** Reading queries for operators: raw and bucketed series, and counter steps for consumption. */
export class ReadingsQueryRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * Raw readings or buckets, ordered by meter, point and time, at most `limit` rows.
   * Filters hit the primary key (site_id, meter_id, data_point, ts) or the (site_id, ts) / (meter_id, ts) indexes.
   */
  async series(
    f: ReadingFilter,
    bucket: ReadingBucket,
    agg: ReadingAgg,
    tz: string,
    limit: number,
  ): Promise<ReadingQueryRow[]> {
    const where = `r.ts >= ? AND r.ts < ?
        AND (?::int[] IS NULL OR r.site_id = ANY(?::int[]))
        AND (?::int IS NULL OR r.meter_id = ?)
        AND (?::text IS NULL OR r.data_point = ?)`;
    const whereBindings = [
      f.from,
      f.to,
      f.siteIds,
      f.siteIds,
      f.meterId ?? null,
      f.meterId ?? null,
      f.dataPoint ?? null,
      f.dataPoint ?? null,
    ];
    if (bucket === 'raw') {
      const { rows } = await this.knex.raw<{ rows: ReadingQueryRow[] }>(
        `SELECT r.site_id, s.name AS site_name, r.meter_id, m.external_id AS meter_external_id, m.name AS meter_name,
                r.data_point, r.ts, r.value, r.unit, r.quality
           FROM meter_readings r JOIN meters m ON m.id = r.meter_id JOIN sites s ON s.id = r.site_id
          WHERE ${where}
          ORDER BY r.site_id, r.meter_id, r.data_point, r.ts
          LIMIT ?`,
        [...whereBindings, limit] as unknown as Knex.RawBinding[],
      );
      return rows;
    }
    const b = bucketSql('r.ts', bucket, tz);
    const { rows } = await this.knex.raw<{ rows: ReadingQueryRow[] }>(
      `SELECT g.*, CASE ? WHEN 'avg' THEN g.avg WHEN 'min' THEN g.min WHEN 'max' THEN g.max ELSE g.last END AS value
         FROM (
           SELECT r.site_id, s.name AS site_name, r.meter_id, m.external_id AS meter_external_id, m.name AS meter_name,
                  r.data_point, ${b.sql} AS ts,
                  avg(r.value) AS avg, min(r.value) AS min, max(r.value) AS max,
                  (array_agg(r.value ORDER BY r.ts DESC))[1] AS last,
                  count(*)::int AS count,
                  (count(*) FILTER (WHERE r.quality <> 'good'))::int AS flagged,
                  -- 'good', or the most recent quality that was not
                  (array_agg(r.quality ORDER BY (r.quality = 'good'), r.ts DESC))[1] AS quality,
                  (array_agg(r.unit ORDER BY r.ts DESC))[1] AS unit
             FROM meter_readings r JOIN meters m ON m.id = r.meter_id JOIN sites s ON s.id = r.site_id
            WHERE ${where}
            GROUP BY 1, 2, 3, 4, 5, 6, 7
         ) g
        ORDER BY g.site_id, g.meter_id, g.data_point, g.ts
        LIMIT ?`,
      [agg, ...b.bindings, ...whereBindings, limit] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /**
   * The newest raw reading of each of the meter's `dataPoints` before `before`: one backward step down the
   * primary key (site_id, meter_id, data_point, ts) per point, however many readings the meter has.
   */
  async latestBefore(
    siteId: number,
    meterId: number,
    dataPoints: string[],
    before: Date,
  ): Promise<{ data_point: string; ts: Date; value: number; unit: string | null; quality: string }[]> {
    if (dataPoints.length === 0) return [];
    const { rows } = await this.knex.raw<{
      rows: { data_point: string; ts: Date; value: number; unit: string | null; quality: string }[];
    }>(
      `SELECT p.data_point, l.ts, l.value, l.unit, l.quality
         FROM unnest(?::text[]) AS p(data_point) CROSS JOIN LATERAL (
           SELECT r.ts, r.value, r.unit, r.quality FROM meter_readings r
            WHERE r.site_id = ? AND r.meter_id = ? AND r.data_point = p.data_point AND r.ts < ?
            ORDER BY r.ts DESC LIMIT 1) l`,
      [dataPoints, siteId, meterId, before] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /**
   * The counter steps (reading → next reading) of each series over [from, to), including the step from the
   * last reading before `from` and the step to the first reading at or after `to`. Steps inside one bucket
   * that are neither gaps nor resets are summed per bucket here; every other step comes back on its own.
   * A decrease larger than float noise is a counter reset (the meter restarted from zero or rolled over):
   * the step's energy is the new value, as Prometheus' increase() does.
   */
  async counterSteps(
    series: SeriesKey[],
    from: Date,
    to: Date,
    bucket: '15m' | '1h' | '1d',
    tz: string,
    gapSeconds: number,
  ): Promise<StepRow[]> {
    if (series.length === 0) return [];
    const b0 = bucketSql('t0', bucket, tz);
    const b1 = bucketSql('t1', bucket, tz);
    const { rows } = await this.knex.raw<{ rows: StepRow[] }>(
      `WITH s AS (SELECT * FROM unnest(?::int[], ?::int[], ?::text[]) AS s(site_id, meter_id, data_point)),
       pts AS (
         SELECT s.site_id, s.meter_id, s.data_point, b.ts, b.value FROM s CROSS JOIN LATERAL (
           SELECT r.ts, r.value FROM meter_readings r
            WHERE r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point AND r.ts < ?
            ORDER BY r.ts DESC LIMIT 1) b
         UNION ALL
         SELECT r.site_id, r.meter_id, r.data_point, r.ts, r.value
           FROM s JOIN meter_readings r ON r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point
          WHERE r.ts >= ? AND r.ts < ?
         UNION ALL
         SELECT s.site_id, s.meter_id, s.data_point, a.ts, a.value FROM s CROSS JOIN LATERAL (
           SELECT r.ts, r.value FROM meter_readings r
            WHERE r.site_id = s.site_id AND r.meter_id = s.meter_id AND r.data_point = s.data_point AND r.ts >= ?
            ORDER BY r.ts ASC LIMIT 1) a
       ),
       steps AS (
         SELECT site_id, meter_id, data_point, lag(ts) OVER w AS t0, lag(value) OVER w AS v0, ts AS t1, value AS v1
           FROM pts WINDOW w AS (PARTITION BY site_id, meter_id, data_point ORDER BY ts)
       ),
       classified AS (
         SELECT site_id, meter_id, data_point, t0, t1, v0, v1,
                ${b0.sql} AS b0, ${b1.sql} AS b1,
                CASE WHEN v1 >= v0 THEN v1 - v0
                     WHEN v0 - v1 <= greatest(0.001, abs(v0) * 1e-6) THEN 0
                     ELSE greatest(v1, 0) END AS energy,
                (v1 < v0 AND v0 - v1 > greatest(0.001, abs(v0) * 1e-6)) AS is_reset,
                extract(epoch FROM t1 - t0)::float8 AS secs
           FROM steps WHERE t0 IS NOT NULL
       ),
       marked AS (
         SELECT *, (b0 = b1 AND secs <= ? AND NOT is_reset AND t0 >= ? AND t1 < ?) AS simple FROM classified
       )
       SELECT site_id, meter_id, data_point, b0 AS bucket, NULL::timestamptz AS t0, NULL::timestamptz AS t1,
              NULL::float8 AS v0, NULL::float8 AS v1, sum(energy)::float8 AS energy, sum(secs)::float8 AS secs, false AS single
         FROM marked WHERE simple GROUP BY site_id, meter_id, data_point, b0
       UNION ALL
       SELECT site_id, meter_id, data_point, NULL, t0, t1, v0, v1, energy::float8, secs, true
         FROM marked WHERE NOT simple
       ORDER BY 1, 2, 3, 4, 5`,
      [
        series.map((s) => s.siteId),
        series.map((s) => s.meterId),
        series.map((s) => s.dataPoint),
        from,
        from,
        to,
        to,
        ...b0.bindings,
        ...b1.bindings,
        gapSeconds,
        from,
        to,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /**
   * Per active meter: readings stored in [from, to), and since when the meter exists: its creation here,
   * or its first reading if that is earlier (readings a site kept while offline). For data completeness;
   * uses the (meter_id, ts) index.
   */
  async countPerMeter(
    siteIds: number[] | null,
    from: Date,
    to: Date,
  ): Promise<{ site_id: number; meter_id: number; readings: number; since: Date }[]> {
    const { rows } = await this.knex.raw<{
      rows: { site_id: number; meter_id: number; readings: number; since: Date }[];
    }>(
      `SELECT m.site_id, m.id AS meter_id,
              (SELECT count(*) FROM meter_readings r WHERE r.meter_id = m.id AND r.site_id = m.site_id AND r.ts >= ? AND r.ts < ?)::int AS readings,
              least(m.created_at, (SELECT min(r.ts) FROM meter_readings r WHERE r.meter_id = m.id AND r.site_id = m.site_id)) AS since
         FROM meters m
        WHERE m.is_active AND (?::int[] IS NULL OR m.site_id = ANY(?::int[]))`,
      [from, to, siteIds, siteIds] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Bucket starts covering [from, to) plus the end of the last one. Days in `tz` (DST-aware). */
  async dayBoundaries(from: Date, to: Date, tz: string): Promise<Date[]> {
    const { rows } = await this.knex.raw<{ rows: { start: Date }[] }>(
      `SELECT (d AT TIME ZONE ?) AS start
         FROM generate_series(date_trunc('day', ?::timestamptz, ?) AT TIME ZONE ?,
                              (date_trunc('day', ?::timestamptz - interval '1 microsecond', ?) AT TIME ZONE ?) + interval '1 day',
                              interval '1 day') AS d`,
      [tz, from, tz, tz, to, tz, tz],
    );
    return rows.map((r) => r.start);
  }
}
