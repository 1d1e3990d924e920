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

/** Reading queries for operators: raw and bucketed series, latest values, counts (counter steps: energy/). */
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
