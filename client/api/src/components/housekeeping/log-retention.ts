import type { Knex } from 'knex';

/** How long the central log tables keep their rows, in days. */
export interface LogRetention {
  heartbeatsDays: number;
  syncBatchesDays: number;
  mcpAuditDays: number;
}

/**
 * The tables that grow with every heartbeat, upload and assistant call. Table and column names are
 * fixed here (never from input); the cut-off is a bound parameter.
 */
const LOG_TABLES = [
  // Each site's newest heartbeat stays whatever its age: the heartbeat-missing alert and the
  // site's status read it for a site that has been silent for long.
  {
    table: 'heartbeats',
    column: 'received_at',
    days: (r: LogRetention) => r.heartbeatsDays,
    keep: 'AND id NOT IN (SELECT DISTINCT ON (site_id) id FROM heartbeats ORDER BY site_id, received_at DESC, id DESC)',
  },
  { table: 'sync_batches', column: 'received_at', days: (r: LogRetention) => r.syncBatchesDays, keep: '' },
  { table: 'mcp_audit', column: 'called_at', days: (r: LogRetention) => r.mcpAuditDays, keep: '' },
  // Refresh tokens are useless once expired; a week later nobody needs to see them.
  { table: 'refresh_tokens', column: 'expires_at', days: () => 7, keep: '' },
] as const;

const DAY_MS = 86_400_000;

/**
 * Delete log rows past their retention, a chunk at a time so a first run on a big table never holds
 * long locks or one huge transaction. Returns the rows deleted per table (only tables with deletions).
 */
export async function purgeLogTables(
  knex: Knex,
  retention: LogRetention,
  now: Date,
  chunk = 10_000,
): Promise<Record<string, number>> {
  const purged: Record<string, number> = {};
  for (const t of LOG_TABLES) {
    const before = new Date(now.getTime() - t.days(retention) * DAY_MS);
    let total = 0;
    for (;;) {
      const r = await knex.raw<{ rowCount: number }>(
        `DELETE FROM ${t.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t.table} WHERE ${t.column} < ? ${t.keep} LIMIT ?))`,
        [before, chunk],
      );
      total += r.rowCount;
      if (r.rowCount < chunk) break;
    }
    if (total > 0) purged[t.table] = total;
  }
  return purged;
}
