import type { Knex } from 'knex';
import { readingOf, type NewReading, type ReadingColumns } from './reading-rows.js';

/** One stored reading as the site dashboard shows it (synced or still queued). */
export interface LocalReading extends NewReading {
  synced: boolean;
}

export interface ReadingsFilter {
  meter?: string | undefined;
  dataPoint?: string | undefined;
  from: Date;
  to: Date;
  limit: number;
}

/** The newest value of one (meter, point). */
export type LatestValue = NewReading;

export interface SeriesBucket {
  dataPoint: string;
  unit: string | null;
  t: Date;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/**
 * Read-only views of the readings kept on the site (the unsent queue plus synced readings
 * within SYNCED_RETENTION_HOURS) for the dashboard. The queue itself is QueueRepository's.
 */
export class LocalReadingsRepository {
  constructor(private readonly knex: Knex) {}

  /** Newest first; returns up to limit + 1 rows so the caller can tell that more exist. */
  async list(f: ReadingsFilter): Promise<LocalReading[]> {
    const q = this.knex('meter_readings').where('ts', '>=', f.from).andWhere('ts', '<', f.to);
    if (f.meter) q.andWhere('meter_external_id', f.meter);
    if (f.dataPoint) q.andWhere('data_point', f.dataPoint);
    const rows: Array<ReadingColumns & { synced: boolean }> = await q
      .orderBy([{ column: 'ts', order: 'desc' }, { column: 'meter_external_id' }, { column: 'data_point' }])
      .limit(f.limit + 1)
      .select(
        'meter_external_id',
        'data_point',
        'ts',
        'value',
        'unit',
        'quality',
        this.knex.raw('(synced_at IS NOT NULL) AS synced'),
      );
    return rows.map((r) => ({ ...readingOf(r), synced: r.synced }));
  }

  /** The newest stored value of each (meter, point) since `since`; one index walk per point. */
  async latest(points: Array<{ meter: string; point: string }>, since: Date): Promise<LatestValue[]> {
    if (points.length === 0) return [];
    const result = await this.knex.raw(
      `SELECT p.meter AS meter_external_id, p.point AS data_point, r.ts, r.value, r.unit, r.quality
       FROM jsonb_to_recordset(?::jsonb) AS p(meter text, point text)
       CROSS JOIN LATERAL (
         SELECT ts, value, unit, quality FROM meter_readings
         WHERE meter_external_id = p.meter AND data_point = p.point AND ts >= ?
         ORDER BY ts DESC LIMIT 1
       ) r`,
      [JSON.stringify(points), since],
    );
    return (result as { rows: ReadingColumns[] }).rows.map(readingOf);
  }

  /** One meter's readings averaged into buckets of bucketSeconds (for charts). */
  async series(
    meter: string,
    from: Date,
    to: Date,
    bucketSeconds: number,
    dataPoint?: string,
  ): Promise<SeriesBucket[]> {
    const result = await this.knex.raw(
      `SELECT data_point AS "dataPoint", max(unit) AS unit,
              to_timestamp(floor(extract(epoch FROM ts) / ?) * ?) AS t,
              avg(value) AS avg, min(value) AS min, max(value) AS max, count(*)::int AS count
       FROM meter_readings
       WHERE meter_external_id = ? AND ts >= ? AND ts < ? AND (?::text IS NULL OR data_point = ?)
       GROUP BY data_point, t
       ORDER BY data_point, t`,
      [bucketSeconds, bucketSeconds, meter, from, to, dataPoint ?? null, dataPoint ?? null],
    );
    return (result as { rows: SeriesBucket[] }).rows.map((r) => ({
      ...r,
      avg: Number(r.avg),
      min: Number(r.min),
      max: Number(r.max),
    }));
  }

  /** Bytes the readings table and its indexes take on disk, and about how many rows it holds. */
  async footprint(): Promise<{ bytes: number; rows: number }> {
    const result = await this.knex.raw(
      `SELECT pg_total_relation_size('meter_readings')::bigint AS bytes,
              (SELECT count(*) FROM meter_readings)::bigint AS rows`,
    );
    const row = (result as { rows: Array<{ bytes: string; rows: string }> }).rows[0];
    return { bytes: Number(row?.bytes ?? 0), rows: Number(row?.rows ?? 0) };
  }
}
