import type { Knex } from 'knex';
import { parseStrictIso } from './timestamps.js';

export interface ReadingToStore {
  meterId: number;
  dataPoint: string;
  /** ISO-8601 as received; PostgreSQL parses it, so no precision is lost in JavaScript. */
  timestamp: string;
  value: number;
  unit: string | null;
  quality: string;
}

export interface BatchLogEntry {
  siteId: number;
  batchId: string | null;
  requestId: string;
  readings: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

/** All SQL about readings and the batch log. */
export class ReadingsRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * Insert readings idempotently in one statement. Returns the 0-based positions (in `readings`) that
   * were newly stored; every other position was already there or repeats an earlier one of this batch.
   * Within the batch the first occurrence of a key is the one inserted (DISTINCT ON … ORDER BY ord);
   * that sort is skipped when no key repeats (the usual batch), which a check in JS tells.
   * Rows go in key order, so two concurrent batches with overlapping readings wait on each other
   * instead of deadlocking.
   *
   * With `rollupUnits`, the same statement records for the energy rollups what it stored: one row per series (of a
   * reading unit among them, or none) with the time span of its new readings. Duplicates record nothing, so a resent
   * batch costs the rollups nothing.
   */
  async insertIdempotent(
    trx: Knex.Transaction,
    siteId: number,
    readings: ReadingToStore[],
    rollupUnits: readonly string[] | null = null,
  ): Promise<Set<number>> {
    const firstOfKey = hasRepeatedKey(readings)
      ? 'SELECT DISTINCT ON (meter_id, data_point, ts) * FROM input ORDER BY meter_id, data_point, ts, ord'
      : 'SELECT * FROM input';
    const { rows } = await trx.raw<{ rows: { ord: number }[] }>(
      `WITH input AS (
         SELECT * FROM unnest(?::int[], ?::text[], ?::timestamptz[], ?::float8[], ?::text[], ?::text[])
                  WITH ORDINALITY AS t(meter_id, data_point, ts, value, unit, quality, ord)
       ), first_of_key AS (
         ${firstOfKey}
       ), inserted AS (
         INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality)
         SELECT ?, meter_id, data_point, ts, value, unit, quality FROM first_of_key ORDER BY meter_id, data_point, ts
         ON CONFLICT (site_id, meter_id, data_point, ts) DO NOTHING
         RETURNING meter_id, data_point, ts, unit
       ), changed AS (
         INSERT INTO rollup_changes (site_id, meter_id, data_point, from_ts, to_ts)
         SELECT ?, meter_id, data_point, min(ts), max(ts) FROM inserted
          WHERE ?::text[] IS NOT NULL AND (unit IS NULL OR unit = ANY(?::text[]))
          GROUP BY meter_id, data_point
       )
       SELECT f.ord FROM first_of_key f JOIN inserted i USING (meter_id, data_point, ts)`,
      // pg sends JS arrays as PostgreSQL array literals; the casts above give them their types.
      [
        readings.map((r) => r.meterId),
        readings.map((r) => r.dataPoint),
        readings.map((r) => r.timestamp),
        readings.map((r) => r.value),
        readings.map((r) => r.unit),
        readings.map((r) => r.quality),
        siteId,
        siteId,
        rollupUnits,
        rollupUnits,
      ] as unknown as Knex.RawBinding[],
    );
    return new Set(rows.map((r) => Number(r.ord) - 1));
  }

  /** The batch log row and, when something was stored or was already there, the site's last batch time: one statement. */
  async logBatch(entry: BatchLogEntry, trx: Knex = this.knex): Promise<void> {
    await trx.raw(
      `WITH logged AS (
         INSERT INTO sync_batches (site_id, batch_id, request_id, readings, stored, duplicates, rejected)
         VALUES (?, ?, ?, ?, ?, ?, ?)
       )
       UPDATE sites SET last_batch_at = now() WHERE id = ? AND ?::boolean`,
      [
        entry.siteId,
        entry.batchId,
        entry.requestId,
        entry.readings,
        entry.stored,
        entry.duplicates,
        entry.rejected,
        entry.siteId,
        entry.stored + entry.duplicates > 0,
      ],
    );
  }
}

/**
 * Whether two readings share (meter, data point, instant). Timestamps are compared as instants to
 * the millisecond, so the same instant written two ways counts as repeated; two instants within
 * one millisecond also do, which only costs the sort.
 */
function hasRepeatedKey(readings: ReadingToStore[]): boolean {
  const seen = new Set<string>();
  for (const r of readings) {
    // The agent's form (toISOString, 24 characters with Z) parses natively; any other valid form strictly.
    const parsed =
      r.timestamp.length === 24 && r.timestamp.endsWith('Z')
        ? { ms: Date.parse(r.timestamp) }
        : parseStrictIso(r.timestamp);
    if (!('ms' in parsed) || Number.isNaN(parsed.ms)) return true;
    const key = `${r.meterId}|${parsed.ms}|${r.dataPoint}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}
