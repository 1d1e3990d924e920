import type { Knex } from 'knex';

/** What one ingested batch stored of one series: the time span of its new readings. */
export interface ChangeRow {
  id: number;
  meter_id: number;
  data_point: string;
  from_ts: Date;
  to_ts: Date;
}

/** One claim of a pass: at most this many changes … */
const CLAIM_ROWS = 2000;
/** … and, past the first, no more than this much series time (a rebuild's month-long spans come a few at a time). */
const CLAIM_SERIES_MS = 62 * 86_400_000;

/**
 * The rollups' work queue and bookkeeping: the changes ingest recorded, the per-site lock and watermark, whether
 * rollups are kept at all, and their retention.
 */
export class RollupChangesRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * Serialise work on one site's rollups (the worker, a read catching up, another API process) until the
   * transaction ends. Two int keys: a namespace of this job and the site.
   */
  async lockSite(trx: Knex.Transaction, siteId: number): Promise<void> {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('meterit:energy-rollups'), ?)", [siteId]);
  }

  /** Whether more than `limit` changes wait for these sites (counting stops there). */
  async queuedMoreThan(siteIds: number[], limit: number): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM (SELECT 1 FROM rollup_changes WHERE site_id = ANY(?::int[]) LIMIT ?) q',
      [siteIds, limit + 1] as unknown as Knex.RawBinding[],
    );
    return (rows[0]?.n ?? 0) > limit;
  }

  /** Sites with changes waiting (optionally only among `siteIds`), each with its newest change id now. */
  async pendingSites(siteIds: number[] | null = null): Promise<{ siteId: number; lastId: number }[]> {
    const { rows } = await this.knex.raw<{ rows: { site_id: number; last_id: number }[] }>(
      `SELECT site_id, max(id)::float8 AS last_id FROM rollup_changes
        WHERE ?::int[] IS NULL OR site_id = ANY(?::int[]) GROUP BY site_id ORDER BY 1`,
      [siteIds, siteIds] as unknown as Knex.RawBinding[],
    );
    return rows.map((r) => ({ siteId: r.site_id, lastId: r.last_id }));
  }

  /**
   * Take the site's oldest changes (in the order ingest committed their ids) out of the queue: they are deleted
   * here and come back if the transaction rolls back. A change whose batch committed after a later id's batch is
   * still taken (it is simply still there), which a watermark on ids alone would skip.
   */
  async claim(trx: Knex.Transaction, siteId: number, upToId = Number.MAX_SAFE_INTEGER): Promise<ChangeRow[]> {
    const { rows } = await trx.raw<{ rows: ChangeRow[] }>(
      `SELECT id::float8 AS id, meter_id, data_point, from_ts, to_ts FROM rollup_changes
        WHERE site_id = ? AND id <= ? ORDER BY id LIMIT ?`,
      [siteId, upToId, CLAIM_ROWS],
    );
    let spanMs = 0;
    const taken = rows.filter((r, i) => {
      spanMs += r.to_ts.getTime() - r.from_ts.getTime();
      return i === 0 || spanMs <= CLAIM_SERIES_MS;
    });
    if (taken.length === 0) return [];
    await trx.raw('DELETE FROM rollup_changes WHERE site_id = ? AND id = ANY(?::bigint[])', [
      siteId,
      taken.map((r) => r.id),
    ] as unknown as Knex.RawBinding[]);
    return taken;
  }

  /**
   * The site's watermark: the newest change taken into its rollups, when, how many so far, and the time zone its
   * days and months are counted in now.
   */
  async markProcessed(trx: Knex.Transaction, siteId: number, lastId: number, count: number, tz: string) {
    await trx.raw(
      `INSERT INTO rollup_state (site_id, last_change_id, processed_at, changes_processed, time_zone)
       VALUES (?, ?, now(), ?, ?)
       ON CONFLICT (site_id) DO UPDATE SET last_change_id = greatest(rollup_state.last_change_id, EXCLUDED.last_change_id),
         processed_at = now(), changes_processed = rollup_state.changes_processed + EXCLUDED.changes_processed,
         time_zone = EXCLUDED.time_zone`,
      [siteId, lastId, count, tz],
    );
  }

  /** Sites (optionally among `siteIds`) whose days and months were counted in another zone than theirs now. */
  async sitesWithOtherZone(siteIds: number[] | null = null): Promise<number[]> {
    const { rows } = await this.knex.raw<{ rows: { site_id: number }[] }>(
      `SELECT r.site_id FROM rollup_state r JOIN sites s ON s.id = r.site_id
        WHERE r.time_zone <> s.time_zone AND (?::int[] IS NULL OR r.site_id = ANY(?::int[]))`,
      [siteIds, siteIds] as unknown as Knex.RawBinding[],
    );
    return rows.map((r) => r.site_id);
  }

  /** Forget the site's days and months (its own and its series'), to count them again in another zone. */
  async dropCalendar(trx: Knex.Transaction, siteId: number): Promise<void> {
    await trx.raw("DELETE FROM energy_rollups WHERE site_id = ? AND grain IN ('day', 'month')", [siteId]);
    await trx.raw("DELETE FROM site_energy_rollups WHERE site_id = ? AND grain IN ('day', 'month')", [siteId]);
    await trx.raw('UPDATE rollup_state SET time_zone = (SELECT time_zone FROM sites WHERE id = ?) WHERE site_id = ?', [
      siteId,
      siteId,
    ]);
  }

  /** The site's time zone, in which its days and months are counted. */
  async siteTimeZone(trx: Knex, siteId: number): Promise<string> {
    const { rows } = await trx.raw<{ rows: { time_zone: string }[] }>('SELECT time_zone FROM sites WHERE id = ?', [
      siteId,
    ]);
    return rows[0]?.time_zone ?? 'UTC';
  }

  /**
   * At start: when rollups are kept but were not (never, or switched off since), queue every stored series once per
   * UTC month so they are built from the readings there are; when they are not kept, say so, so that switching them
   * on again rebuilds. Returns the number of changes queued.
   */
  async ensureKept(kept: boolean): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { kept_since: Date | null }[] }>(
        'SELECT kept_since FROM energy_rollup_status FOR UPDATE',
      );
      const since = rows[0]?.kept_since ?? null;
      if (!kept) {
        if (since !== null) await trx.raw('UPDATE energy_rollup_status SET kept_since = NULL');
        return 0;
      }
      if (since !== null) return 0;
      const queued = await trx.raw<{ rowCount: number }>(
        `INSERT INTO rollup_changes (site_id, meter_id, data_point, from_ts, to_ts)
         SELECT site_id, meter_id, data_point, min(ts), max(ts) FROM meter_readings
          GROUP BY site_id, meter_id, data_point, date_trunc('month', ts, 'UTC')
          ORDER BY 1, 4`,
      );
      await trx.raw('UPDATE energy_rollup_status SET kept_since = now()');
      return queued.rowCount ?? 0;
    });
  }

  /** Whether rollups are kept now (they answer reads only then). */
  async keptSince(): Promise<Date | null> {
    const { rows } = await this.knex.raw<{ rows: { kept_since: Date | null }[] }>(
      'SELECT kept_since FROM energy_rollup_status',
    );
    return rows[0]?.kept_since ?? null;
  }

  /** Rollup retention: delete every rollup row (and counter event) that starts before `cutoff`. */
  async deleteBefore(cutoff: Date): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [table, column] of [
      ['energy_quarter_hours', 'start'],
      ['power_quarter_hours', 'start'],
      ['energy_rollups', 'start'],
      ['site_energy_rollups', 'start'],
      ['energy_counter_events', 't1'],
    ] as const) {
      const r = await this.knex.raw<{ rowCount: number }>(`DELETE FROM ${table} WHERE ${column} < ?`, [cutoff]);
      if (r.rowCount) out[table] = r.rowCount;
    }
    return out;
  }
}
