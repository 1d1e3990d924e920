// GET /api/status: the whole site at a glance (also the site MCP server's get_sync_status).
import { z } from 'zod';
import { isoTimeOrNullSchema, isoTimeSchema } from './fields.js';
import type { MeterState } from './meters.js';

export const healthLevelSchema = z.enum(['ok', 'attention', 'problem']);

export const findingSchema = z
  .object({
    code: z.string(),
    level: healthLevelSchema.exclude(['ok']),
    message: z.string(),
    action: z.string().describe('What to do about it'),
  })
  .describe('One thing the technician should know, with what to do about it');

export const collectionViewSchema = z.object({
  collecting: z.boolean().describe('Whether the agent polls the meters now'),
  changed_at: isoTimeOrNullSchema.describe(
    'When someone last started or stopped collection (null: never, it runs by default)',
  ),
  reason: z.string().nullable().describe('The reason given with the last start/stop'),
  interval_s: z.number().describe('Seconds between polls'),
  last_cycle_at: isoTimeOrNullSchema.describe('When the meters were last polled'),
});

export const uplinkCauseKindSchema = z
  .enum([
    'dns',
    'tls',
    'refused',
    'timeout',
    'network',
    'key_refused',
    'forbidden',
    'rate_limited',
    'server_error',
    'other',
  ])
  .describe(
    "What most likely broke the uplink, read from the error the uploader recorded: the client system's name does not resolve (dns), its certificate is refused (tls), nothing listens at its address (refused), no answer in time (timeout), no route (network), the site's API key is refused (key_refused, 401), the site may not send (forbidden, 403), slow down (rate_limited, 429), the client system fails (server_error, 5xx)",
  );

export const uplinkCauseSchema = z.object({
  kind: uplinkCauseKindSchema,
  summary: z.string().describe('The cause in a few words, e.g. "connection refused"'),
  advice: z.string().describe('What to check or do about it, on site or with the operators'),
});

export const uplinkViewSchema = z.object({
  state: z.enum(['up', 'down', 'unknown']).describe('Connection to the client system'),
  since: isoTimeOrNullSchema.describe('Up since / down since, depending on state; null while unknown'),
  last_ok_at: isoTimeOrNullSchema,
  last_error: z.object({ code: z.string(), message: z.string(), at: isoTimeSchema }).nullable(),
  cause: uplinkCauseSchema
    .nullable()
    .describe('The likely cause of the last failure and what to do; null while the uplink works'),
  failures_in_a_row: z.number().describe('Upload runs that failed one after another (0 after a success)'),
  next_attempt_at: isoTimeOrNullSchema.describe(
    "When the uploader tries next: after failures, the backoff's next retry; null while it is not scheduled",
  ),
});

export const backlogTrendSchema = z
  .enum(['growing', 'steady', 'shrinking', 'unknown'])
  .describe(
    'growing: the lowest backlog of the recent half of the trend window is above the highest of the earlier half; unknown: too few samples yet',
  );

export const backlogViewSchema = z.object({
  count: z.number().describe('Readings waiting to be sent'),
  oldest_at: isoTimeOrNullSchema,
  oldest_age_s: z.number().nullable(),
});

export const backlogStatusSchema = backlogViewSchema.extend({
  trend: backlogTrendSchema,
  trend_window_s: z.number().describe('The span the trend compares'),
});

export const siteIdentitySchema = z
  .object({
    id: z.number().nullable(),
    name: z.string().nullable(),
  })
  .describe(
    'The site as the client system names it (from the configuration the agent fetches, kept across restarts); null until the agent has fetched it once',
  );

export const lastSyncViewSchema = z.object({
  at: isoTimeSchema,
  ok: z.boolean(),
  sent: z.number(),
  stored: z.number(),
  duplicates: z.number(),
  dead_lettered: z.number(),
  error_code: z.string().nullable(),
  error: z.string().nullable(),
});

export const storageEstimateSchema = z.object({
  data_dir: z.string(),
  free_bytes: z.number().nullable(),
  bytes_per_reading: z.number(),
  bytes_per_reading_measured: z.boolean(),
  readings_per_hour: z.number(),
  outage_hours: z
    .number()
    .nullable()
    .describe(
      'Hours of uplink outage the site still holds at the current rate (the smaller of disk_hours and queue_limit_hours); null if nothing is added',
    ),
  bound: z
    .enum(['disk', 'queue_limit'])
    .nullable()
    .describe(
      "Which bounds outage_hours: free disk space or the queue's own limit (QUEUE_MAX_READINGS); null if nothing is added",
    ),
  disk_hours: z.number().nullable().describe('Hours the free disk space holds; null if unknown or nothing is added'),
  queue_limit_hours: z
    .number()
    .nullable()
    .describe('Hours until the unsent readings reach QUEUE_MAX_READINGS; null if nothing is added'),
  queue_max_readings: z.number(),
  basis: z.string().describe('How outage_hours was computed, in words'),
});

export const meterCountsSchema = z.object({
  configured: z.number(),
  ok: z.number(),
  slow: z.number(),
  failing: z.number(),
  never_answered: z.number(),
  degraded: z.number(),
  wrong_device: z.number(),
});

export const localDatabaseViewSchema = z
  .object({
    state: z
      .enum(['up', 'restarting', 'down'])
      .describe("The agent's own PostgreSQL: up; restarting (the agent is starting it again); down (it could not)"),
    since: isoTimeSchema,
    restarts: z.number().describe('Times the agent restarted it since the agent started'),
    last_error: z.object({ message: z.string(), at: isoTimeSchema }).nullable(),
    spilled_readings: z.number().describe('Readings waiting in the spill file on disk for the database to take them'),
    in_memory_readings: z.number().describe('Readings held in memory because even the spill file could not be written'),
    torn_lines: z
      .number()
      .describe('Lines of the spill file skipped since the agent started because a crash cut them short'),
  })
  .describe("The agent's own PostgreSQL, and the readings waiting for it on disk (spill file) and in memory");

export const foreignDeviceStateSchema = z
  .enum(['registered', 'failing', 'pending'])
  .describe(
    'registered: the last registration succeeded; failing: the last attempt failed (registered says whether an earlier registration still holds at the BBMD); pending: no attempt has ended yet',
  );

export const foreignDeviceViewSchema = z
  .object({
    bbmd: z.string().describe('ip:port of the BBMD'),
    state: foreignDeviceStateSchema,
    registered: z.boolean().describe('The BBMD holds a registration of ours that has not run out'),
    ttl_s: z.number().describe('Lifetime of each registration; the agent renews it at half that'),
    last_registered_at: isoTimeOrNullSchema.describe('The last successful registration or renewal'),
    last_attempt_at: isoTimeOrNullSchema,
    last_error: z.string().nullable().describe('Why the last attempt failed, in words; null after a success'),
  })
  .describe('Registration as a BACnet foreign device with a BBMD (meters on another subnet)');

export const agentInfoSchema = z.object({ version: z.string(), started_at: isoTimeSchema, uptime_s: z.number() });

export const statusResponseSchema = z.object({
  now: isoTimeSchema,
  site: siteIdentitySchema,
  agent: agentInfoSchema,
  health: z
    .object({
      level: healthLevelSchema.describe('One verdict for the whole site'),
      summary: z.string(),
      findings: z.array(findingSchema).describe('Worst first'),
    })
    .describe('One verdict for the whole site and the findings behind it'),
  collection: collectionViewSchema,
  uplink: uplinkViewSchema,
  last_sync: lastSyncViewSchema.nullable(),
  last_successful_sync_at: isoTimeOrNullSchema,
  next_sync_at: isoTimeOrNullSchema,
  backlog: backlogStatusSchema,
  storage: storageEstimateSchema,
  dead_letters: z.object({ count: z.number() }),
  meters: meterCountsSchema,
  control: z.object({ enabled: z.boolean() }),
  local_database: localDatabaseViewSchema,
  foreign_device: foreignDeviceViewSchema
    .nullable()
    .describe(
      "Registration as a BACnet foreign device with the BBMD of the meters' subnet; null when no BBMD is configured",
    ),
});

export type HealthLevel = z.infer<typeof healthLevelSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type CollectionView = z.infer<typeof collectionViewSchema>;
export type UplinkCauseKind = z.infer<typeof uplinkCauseKindSchema>;
export type UplinkCause = z.infer<typeof uplinkCauseSchema>;
export type UplinkView = z.infer<typeof uplinkViewSchema>;
export type BacklogTrend = z.infer<typeof backlogTrendSchema>;
export type BacklogView = z.infer<typeof backlogViewSchema>;
export type BacklogStatus = z.infer<typeof backlogStatusSchema>;
export type SiteIdentity = z.infer<typeof siteIdentitySchema>;
export type LastSyncView = z.infer<typeof lastSyncViewSchema>;
export type StorageEstimate = z.infer<typeof storageEstimateSchema>;
export type MeterCounts = z.infer<typeof meterCountsSchema>;
export type LocalDatabaseView = z.infer<typeof localDatabaseViewSchema>;
export type ForeignDeviceState = z.infer<typeof foreignDeviceStateSchema>;
export type ForeignDeviceView = z.infer<typeof foreignDeviceViewSchema>;
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/** Configured meters by state: each meter counted once, by the state the agent judged it in. */
export function countMeterStates(states: readonly MeterState[]): MeterCounts {
  const counts: MeterCounts = {
    configured: states.length,
    ok: 0,
    slow: 0,
    failing: 0,
    never_answered: 0,
    degraded: 0,
    wrong_device: 0,
  };
  for (const st of states) counts[st] += 1;
  return counts;
}
