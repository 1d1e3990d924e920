import type { Knex } from 'knex';

/**
 * The monthly partitions of meter_readings (native PostgreSQL RANGE partitioning on ts, UTC months).
 * DDL cannot take bind parameters: every name and bound written into SQL here is produced by this file
 * from a Date (ISO-8601) or matches PARTITION_NAME, never from input.
 */
export const READINGS_TABLE = 'meter_readings';
export const DEFAULT_PARTITION = 'meter_readings_default';
const PARTITION_NAME = /^meter_readings_p\d{4}_\d{2}$/;

export interface ReadingsPartition {
  name: string;
  /** Inclusive lower bound; null for the DEFAULT partition. */
  from: Date | null;
  /** Exclusive upper bound; null for the DEFAULT partition. */
  to: Date | null;
}

/** First instant of the UTC month `d` is in, moved by `months`. */
export function monthStart(d: Date, months = 0): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

export function partitionName(month: Date): string {
  return `meter_readings_p${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

function literal(d: Date): string {
  if (!Number.isFinite(d.getTime())) throw new Error('invalid partition bound');
  return `'${d.toISOString()}'`;
}

export class ReadingsPartitions {
  constructor(private readonly knex: Knex) {}

  async list(trx: Knex = this.knex): Promise<ReadingsPartition[]> {
    // The bound expression reads FOR VALUES FROM ('…') TO ('…') with offsets, so the casts are exact in any session time zone.
    const { rows } = await trx.raw<{ rows: { name: string; from: Date | null; to: Date | null }[] }>(
      `SELECT c.relname AS name,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS "from",
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS "to"
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ?::regclass
        ORDER BY 2 NULLS LAST`,
      [READINGS_TABLE],
    );
    return rows;
  }

  /**
   * Create the partition for the month starting at `month` unless one exists. Rows of that month that
   * landed in the DEFAULT partition meanwhile are moved into it, in the same transaction.
   * Returns the number of rows moved, or null when it already existed.
   */
  async ensureMonth(month: Date): Promise<number | null> {
    const from = monthStart(month);
    const to = monthStart(month, 1);
    const name = partitionName(from);
    return this.knex.transaction(async (trx) => {
      await this.lock(trx);
      const existing = await this.list(trx);
      if (existing.some((p) => p.from !== null && p.to !== null && p.from < to && p.to > from)) return null;
      // Created detached and attached afterwards: ATTACH takes a weaker lock on the parent than
      // CREATE … PARTITION OF, so ingest keeps going while it runs.
      await trx.raw(`CREATE TABLE ${name} (LIKE ${READINGS_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      const moved = await trx.raw<{ rowCount: number }>(
        `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE ts >= ? AND ts < ? RETURNING *) INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await trx.raw(
        `ALTER TABLE ${READINGS_TABLE} ATTACH PARTITION ${name} FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`,
      );
      return moved.rowCount ?? 0;
    });
  }

  /** Drop every monthly partition that ends at or before `cutoff`, and delete older rows from the DEFAULT partition. */
  async dropBefore(cutoff: Date): Promise<{ dropped: string[]; deletedFromDefault: number }> {
    return this.knex.transaction(async (trx) => {
      await this.lock(trx);
      const dropped: string[] = [];
      for (const p of await this.list(trx)) {
        if (p.to === null || p.to > cutoff || !PARTITION_NAME.test(p.name)) continue;
        await trx.raw(`DROP TABLE ${p.name}`);
        dropped.push(p.name);
      }
      const deleted = await trx.raw<{ rowCount: number }>(`DELETE FROM ${DEFAULT_PARTITION} WHERE ts < ?`, [cutoff]);
      return { dropped, deletedFromDefault: deleted.rowCount ?? 0 };
    });
  }

  /** Several API processes may run housekeeping at once: one at a time changes the partitions. */
  private async lock(trx: Knex.Transaction): Promise<void> {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('meterit:meter_readings:partitions'))");
  }
}
