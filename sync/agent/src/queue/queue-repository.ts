import type { Knex } from 'knex';
import type { SyncReading } from '@meterit/shared';
import { readingOf, type NewReading, type ReadingColumns } from './reading-rows.js';

export type { NewReading } from './reading-rows.js';

export interface QueuedReading extends SyncReading {
  id: number;
}

export interface QueueStats {
  depth: number;
  oldestUnsentAt: Date | null;
  deadLetters: number;
}

export interface SyncLogEntry {
  startedAt: Date;
  finishedAt: Date;
  kind: 'batch' | 'heartbeat' | 'config';
  batchSize: number;
  stored: number;
  duplicates: number;
  rejected: number;
  success: boolean;
  errorCode?: string | null;
  errorMessage?: string | null;
  requestId?: string | null;
}

export interface SyncLogRow extends SyncLogEntry {
  id: number;
}

export interface DeadLetter extends NewReading {
  id: number;
  readingId: number;
  code: string;
  reason: string;
  createdAt: Date;
}

interface ReadingRow extends ReadingColumns {
  id: number;
}

/** The upload queue, dead letters and sync log: all SQL of the site's delivery path. */
export class QueueRepository {
  constructor(private readonly knex: Knex) {}

  /** Store readings; a reading with the same (meter, point, timestamp) is already there and is ignored. */
  async enqueue(readings: NewReading[]): Promise<number> {
    if (readings.length === 0) return 0;
    // One statement for the whole set; values travel as JSON, whose numbers round-trip doubles exactly.
    const rows = readings.map((r) => ({
      meter_external_id: r.meterExternalId,
      data_point: r.dataPoint,
      ts: r.ts.toISOString(),
      value: r.value,
      unit: r.unit,
      quality: r.quality,
    }));
    const result = await this.knex.raw(
      `INSERT INTO meter_readings (meter_external_id, data_point, ts, value, unit, quality)
       SELECT meter_external_id, data_point, ts, value, unit, quality
       FROM jsonb_to_recordset(?::jsonb)
         AS x(meter_external_id text, data_point text, ts timestamptz, value float8, unit text, quality text)
       ON CONFLICT (meter_external_id, data_point, ts) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    return (result as { rowCount: number }).rowCount;
  }

  /**
   * Delete the oldest unsent readings (the storage limit's drop-oldest policy), sparing those up to
   * `spareUpToId` (on their way: see ReadingsInFlight); returns how many.
   */
  async dropOldestUnsent(count: number, spareUpToId = 0): Promise<number> {
    if (count <= 0) return 0;
    return this.knex('meter_readings')
      .whereIn(
        'id',
        this.knex('meter_readings')
          .whereNull('synced_at')
          .where('id', '>', spareUpToId)
          .orderBy('id')
          .limit(count)
          .select('id'),
      )
      .delete();
  }

  /** Sync log entries are kept for a while (30 days by default), then deleted. */
  async purgeSyncLog(olderThan: Date): Promise<number> {
    return this.knex('sync_log').where('finished_at', '<', olderThan).delete();
  }

  /**
   * The oldest readings not yet acknowledged by the client system, after the reading `afterId`
   * (the last one of the batch before, still in flight). Served by the partial index
   * meter_readings_unsent_idx (id) WHERE synced_at IS NULL.
   */
  async oldestUnsent(limit: number, afterId = 0): Promise<QueuedReading[]> {
    const rows: ReadingRow[] = await this.knex('meter_readings')
      .whereNull('synced_at')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .select('id', 'meter_external_id', 'data_point', 'ts', 'value', 'unit', 'quality');
    return rows.map((r) => ({
      id: Number(r.id),
      meter_external_id: r.meter_external_id,
      data_point: r.data_point,
      timestamp: r.ts.toISOString(),
      value: r.value,
      unit: r.unit,
      quality: r.quality,
    }));
  }

  /** Called only after the client system committed the batch and answered 2xx. */
  async markSynced(ids: number[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.knex.raw('UPDATE meter_readings SET synced_at = ? WHERE id = ANY(?::bigint[])', [at, ids]);
  }

  async incrementRetry(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.knex.raw('UPDATE meter_readings SET retry_count = retry_count + 1 WHERE id = ANY(?::bigint[])', [ids]);
  }

  /** Move rejected readings out of the queue into the dead letters, in one transaction. */
  async deadLetter(items: Array<{ reading: QueuedReading; code: string; reason: string }>): Promise<void> {
    if (items.length === 0) return;
    await this.knex.transaction(async (trx) => {
      await trx('dead_letters').insert(
        items.map(({ reading, code, reason }) => ({
          reading_id: reading.id,
          meter_external_id: reading.meter_external_id,
          data_point: reading.data_point,
          ts: reading.timestamp,
          value: reading.value,
          unit: reading.unit,
          quality: reading.quality,
          code,
          reason,
        })),
      );
      await trx('meter_readings')
        .whereIn(
          'id',
          items.map((i) => i.reading.id),
        )
        .delete();
    });
  }

  async stats(): Promise<QueueStats> {
    const q = await this.knex('meter_readings')
      .whereNull('synced_at')
      .select(this.knex.raw('count(*)::int AS depth'), this.knex.raw('min(ts) AS oldest'))
      .first();
    const d = await this.knex('dead_letters').count<{ count: number }[]>('* as count').first();
    return { depth: Number(q?.depth ?? 0), oldestUnsentAt: q?.oldest ?? null, deadLetters: Number(d?.count ?? 0) };
  }

  /** The queue churns (insert, mark synced, purge): refresh its statistics and free space. */
  async vacuum(): Promise<void> {
    await this.knex.raw('VACUUM (ANALYZE) meter_readings');
  }

  /** Resolves when the site database answers within `timeoutMs` (the /ready check). */
  async databaseAnswers(timeoutMs: number): Promise<void> {
    await this.knex.raw('SELECT 1').timeout(timeoutMs, { cancel: true });
  }

  /** Synced readings are kept for the local dashboard, then purged. Unsynced ones are never purged. */
  async purgeSynced(olderThan: Date): Promise<number> {
    return this.knex('meter_readings').whereNotNull('synced_at').where('synced_at', '<', olderThan).delete();
  }

  async logSync(e: SyncLogEntry): Promise<void> {
    await this.knex('sync_log').insert({
      started_at: e.startedAt,
      finished_at: e.finishedAt,
      kind: e.kind,
      batch_size: e.batchSize,
      stored: e.stored,
      duplicates: e.duplicates,
      rejected: e.rejected,
      success: e.success,
      error_code: e.errorCode ?? null,
      error_message: e.errorMessage ?? null,
      request_id: e.requestId ?? null,
    });
  }

  /** The newest sync log entries first. */
  async syncLog(limit: number, opts: { failuresOnly?: boolean } = {}): Promise<SyncLogRow[]> {
    const q = this.knex('sync_log').orderBy('id', 'desc').limit(limit);
    if (opts.failuresOnly) q.where({ success: false });
    const rows: Array<{
      id: string | number;
      started_at: Date;
      finished_at: Date;
      kind: SyncLogEntry['kind'];
      batch_size: number;
      stored: number;
      duplicates: number;
      rejected: number;
      success: boolean;
      error_code: string | null;
      error_message: string | null;
      request_id: string | null;
    }> = await q.select('*');
    return rows.map((r) => ({
      id: Number(r.id),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      kind: r.kind,
      batchSize: r.batch_size,
      stored: r.stored,
      duplicates: r.duplicates,
      rejected: r.rejected,
      success: r.success,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      requestId: r.request_id,
    }));
  }

  /** When a batch was last accepted by the client system (survives restarts, unlike the uploader's memory). */
  async lastSuccessfulSyncAt(): Promise<Date | null> {
    const row = (await this.knex('sync_log')
      .where({ success: true, kind: 'batch' })
      .max('finished_at as at')
      .first()) as { at: Date | null } | undefined;
    return row?.at ?? null;
  }

  /** The newest dead letters first. */
  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const rows: Array<
      ReadingColumns & {
        id: string | number;
        reading_id: string | number;
        code: string;
        reason: string;
        created_at: Date;
      }
    > = await this.knex('dead_letters').orderBy('id', 'desc').limit(limit).select('*');
    return rows.map((r) => ({
      id: Number(r.id),
      readingId: Number(r.reading_id),
      ...readingOf(r),
      code: r.code,
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }

  /**
   * Move dead letters (all, or the given ids) back into the upload queue, in one statement.
   * A reading whose key is already queued or synced again is not duplicated; its dead letter
   * is removed all the same, because the reading is not lost.
   */
  async requeueDeadLetters(ids?: number[]): Promise<{ moved: number; requeued: number }> {
    const result = await this.knex.raw(
      `WITH moved AS (
         DELETE FROM dead_letters WHERE (?::bigint[] IS NULL OR id = ANY(?::bigint[]))
         RETURNING meter_external_id, data_point, ts, value, unit, quality
       ), requeued AS (
         INSERT INTO meter_readings (meter_external_id, data_point, ts, value, unit, quality)
         SELECT meter_external_id, data_point, ts, value, unit, quality FROM moved ORDER BY ts
         ON CONFLICT (meter_external_id, data_point, ts) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM requeued)::int AS requeued`,
      [ids ?? null, ids ?? null],
    );
    const row = (result as { rows: Array<{ moved: number; requeued: number }> }).rows[0];
    return { moved: row?.moved ?? 0, requeued: row?.requeued ?? 0 };
  }
}
