import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, shortTime, type ToolDeps } from '../context.js';
import type { ForeignDeviceView } from '../operations.js';
import { backlogSchema, collectionSchema, isoTime, isoTimeOrNull, uplinkSchema } from '../schemas.js';

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

const output = z.object({
  now: isoTime,
  health: z.object({
    level: z.enum(['ok', 'attention', 'problem']).describe('One verdict for the whole site'),
    summary: z.string(),
    findings: z.array(
      z.object({
        code: z.string(),
        level: z.enum(['attention', 'problem']),
        message: z.string(),
        action: z.string().describe('What to do about it'),
      }),
    ),
  }),
  collection: collectionSchema,
  uplink: uplinkSchema,
  last_sync: z
    .object({
      at: isoTime,
      ok: z.boolean(),
      sent: z.number(),
      stored: z.number(),
      duplicates: z.number(),
      dead_lettered: z.number(),
      error_code: z.string().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
  last_successful_sync_at: isoTimeOrNull,
  next_sync_at: isoTimeOrNull,
  backlog: backlogSchema,
  outage_hours: z
    .number()
    .nullable()
    .describe(
      'Hours of uplink outage the free disk space still holds at the current rate (null: nothing is being added)',
    ),
  dead_letters: z.number().describe('Readings the client system refused (see list_dead_letters)'),
  meters: z.object({
    configured: z.number(),
    ok: z.number(),
    slow: z.number(),
    failing: z.number(),
    never_answered: z.number(),
  }),
  agent: z.object({ version: z.string(), started_at: isoTime, uptime_s: z.number() }),
  local_database: z
    .object({
      state: z
        .enum(['up', 'restarting', 'down'])
        .describe("The agent's own PostgreSQL: up; restarting (the agent is starting it again); down (it could not)"),
      since: isoTime,
      restarts: z.number().describe('Times the agent restarted it since the agent started'),
      last_error: z.object({ message: z.string(), at: isoTime }).nullable(),
      spilled_readings: z.number().describe('Readings waiting in the spill file on disk for the database to take them'),
      in_memory_readings: z
        .number()
        .describe('Readings held in memory because even the spill file could not be written'),
      torn_lines: z.number().describe('Lines of the spill file skipped since the start because a crash cut them short'),
    })
    .optional(),
  foreign_device: z
    .object({
      bbmd: z.string().describe('ip:port of the BBMD'),
      state: z
        .enum(['registered', 'failing', 'pending'])
        .describe(
          'registered: the last registration succeeded; failing: the last attempt failed; pending: none has ended yet',
        ),
      registered: z.boolean().describe('The BBMD holds a registration of ours that has not run out'),
      ttl_s: z.number().describe('Lifetime of each registration; the agent renews it at half that'),
      last_registered_at: isoTimeOrNull.describe('The last successful registration or renewal'),
      last_attempt_at: isoTimeOrNull,
      last_error: z.string().nullable().describe('Why the last attempt failed; null after a success'),
    })
    .nullable()
    .describe(
      "Registration as a BACnet foreign device with the BBMD of the meters' subnet; null when no BBMD is configured",
    ),
  recent_syncs: z.array(
    z.object({
      id: z.number(),
      finished_at: isoTime,
      kind: z.string(),
      batch_size: z.number(),
      stored: z.number(),
      duplicates: z.number(),
      rejected: z.number(),
      success: z.boolean(),
      error_code: z.string().nullable(),
      error_message: z.string().nullable(),
    }),
  ),
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
          ...(s.local_database ? { local_database: s.local_database } : {}),
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
          ...(s.local_database && (s.local_database.state !== 'up' || s.local_database.spilled_readings > 0)
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
