import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, shortTime, type ToolDeps } from '../context.js';
import { statusResponseSchema, syncLogEntryViewSchema, type ForeignDeviceView } from '@meterit/shared/site-contracts';

export const GET_SYNC_STATUS = 'get_sync_status';

const input = z.object({
  sync_log_entries: z
    .number()
    .int()
    .min(0)
    .max(50)
    .default(5)
    .describe('How many of the newest upload attempts to include (0 to 50, default 5)'),
  failures_only: z.boolean().default(false).describe('Only failed upload attempts in the sync log part'),
});

const status = statusResponseSchema.shape;
const output = z.object({
  now: status.now,
  health: status.health,
  collection: status.collection,
  uplink: status.uplink,
  last_sync: status.last_sync,
  last_successful_sync_at: status.last_successful_sync_at,
  next_sync_at: status.next_sync_at,
  backlog: status.backlog,
  outage_hours: status.storage.shape.outage_hours,
  dead_letters: z.number().describe('Readings the client system refused (see list_dead_letters)'),
  meters: status.meters,
  agent: status.agent,
  local_database: status.local_database,
  foreign_device: status.foreign_device,
  recent_syncs: z.array(syncLogEntryViewSchema.omit({ started_at: true, request_id: true })),
});

function foreignDeviceWords(f: ForeignDeviceView): string {
  const last = f.last_registered_at ? `last renewal ${shortTime(f.last_registered_at)}` : 'never registered';
  if (f.state === 'registered') return `registered (${last}, renewed every ${Math.round(f.ttl_s / 2)} s)`;
  if (f.state === 'pending') return 'registering';
  return `failing (${last}${f.registered ? ', the earlier registration still holds' : ''}): ${f.last_error ?? 'unknown error'}`;
}

export function registerGetSyncStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GET_SYNC_STATUS,
    {
      title: 'Site health and sync status',
      description:
        'Is this site healthy, and if not, why: one verdict (ok / attention / problem) with findings and what to do, whether collection runs, ' +
        'the uplink to the client system, the last sync, the backlog of unsent readings and its age, how many hours of outage the disk holds, ' +
        'dead letters, meter counts by state, the foreign-device registration with a BBMD (when configured), and the newest upload attempts.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      guarded(GET_SYNC_STATUS, async () => {
        const [s, log] = await Promise.all([
          deps.ops.status(),
          args.sync_log_entries > 0 ? deps.ops.syncLog(args.sync_log_entries, args.failures_only) : Promise.resolve([]),
        ]);
        const data: z.infer<typeof output> = {
          now: s.now,
          health: s.health,
          collection: s.collection,
          uplink: s.uplink,
          last_sync: s.last_sync,
          last_successful_sync_at: s.last_successful_sync_at,
          next_sync_at: s.next_sync_at,
          backlog: s.backlog,
          outage_hours: s.storage.outage_hours,
          dead_letters: s.dead_letters.count,
          meters: s.meters,
          agent: s.agent,
          local_database: s.local_database,
          foreign_device: s.foreign_device,
          recent_syncs: log.map((e) => ({
            id: e.id,
            finished_at: e.finished_at,
            kind: e.kind,
            batch_size: e.batch_size,
            stored: e.stored,
            duplicates: e.duplicates,
            rejected: e.rejected,
            success: e.success,
            error_code: e.error_code,
            error_message: e.error_message,
          })),
        };
        const lines = [
          `Site health: ${s.health.level.toUpperCase()}. ${s.health.summary}`,
          `Collection: ${s.collection.collecting ? `running, every ${s.collection.interval_s} s` : `stopped${s.collection.reason ? ` (${s.collection.reason})` : ''}`}; last poll ${shortTime(s.collection.last_cycle_at)}.`,
          `Uplink: ${s.uplink.state}${s.uplink.since ? ` since ${shortTime(s.uplink.since)}` : ''}${s.uplink.last_error && s.uplink.state !== 'up' ? ` (${s.uplink.last_error.code}: ${s.uplink.last_error.message})` : ''}; last successful sync ${shortTime(s.last_successful_sync_at)}.`,
          `Backlog: ${s.backlog.count} unsent readings${s.backlog.oldest_age_s !== null ? `, oldest ${s.backlog.oldest_age_s} s old` : ''}${s.storage.outage_hours !== null ? `; room for about ${s.storage.outage_hours} h of outage (bounded by ${s.storage.bound === 'queue_limit' ? 'the queue limit QUEUE_MAX_READINGS' : 'disk space'})` : ''}. Dead letters: ${s.dead_letters.count}.`,
          `Meters: ${s.meters.configured} configured, ${s.meters.ok} ok, ${s.meters.slow} slow, ${s.meters.failing} failing, ${s.meters.never_answered} never answered.`,
          ...(s.local_database.state !== 'up' || s.local_database.spilled_readings > 0
            ? [
                `Local database: ${s.local_database.state} since ${shortTime(s.local_database.since)}; ${s.local_database.spilled_readings} readings wait in the spill file.`,
              ]
            : []),
          ...(s.foreign_device
            ? [
                `Foreign-device registration with the BBMD at ${s.foreign_device.bbmd}: ${foreignDeviceWords(s.foreign_device)}.`,
              ]
            : []),
          ...s.health.findings.map((f) => `- [${f.level}] ${f.message} → ${f.action}`),
        ];
        return answer(lines.join('\n'), data);
      }),
  );
}
