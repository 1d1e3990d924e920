// The operator endpoints' answers (web app, MCP server): one zod schema per answer, the types from z.infer.
// The requests are in operator-requests.ts, alerts in alert-contracts.ts. Browser-safe: no Node imports.
// Times are ISO-8601 UTC strings with Z; energies in kWh, power in kW.
import { z } from 'zod';
import { DataPointConfigSchema, HeartbeatMeterStateSchema } from './contracts.js';
import { utcTime, utcTimeOrNull } from './schema-kit.js';
import { siteSettingsAnswerFields } from './site-settings.js';
import { CONSUMPTION_INTERVALS, READING_AGGS, READING_BUCKETS, USER_ROLES } from './operator-contracts.js';

export const UserInfoSchema = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(USER_ROLES),
  /** null = every site; otherwise the only sites this user sees anywhere. */
  site_ids: z.array(z.number()).nullable(),
  is_active: z.boolean(),
  created_at: z.string(),
  last_login_at: z.string().nullable(),
});
export type UserInfo = z.infer<typeof UserInfoSchema>;

export const TokenResponseSchema = z.object({
  token_type: z.literal('Bearer'),
  access_token: z.string(),
  /** Seconds until the access token expires. */
  expires_in: z.number(),
  /** Single use: each refresh returns a new one and the old one stops working. */
  refresh_token: z.string(),
  refresh_expires_at: z.string(),
  user: UserInfoSchema,
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/**
 * What login and refresh answer the web app (header `X-MeterIT-Session: cookie`): the refresh token is in an
 * httpOnly cookie for /api/auth/refresh and /api/auth/logout only, never in the body the page can read.
 */
export const WebSessionResponseSchema = TokenResponseSchema.omit({ refresh_token: true });
export type WebSessionResponse = z.infer<typeof WebSessionResponseSchema>;

export const CreateUserResponseSchema = z.object({
  user: UserInfoSchema,
  /** Only when the password was generated: shown once. */
  initial_password: z.string().optional(),
});
export type CreateUserResponse = z.infer<typeof CreateUserResponseSchema>;

export const SiteHealthSchema = z.enum(['online', 'degraded', 'offline', 'inactive']);
export type SiteHealth = z.infer<typeof SiteHealthSchema>;

export const SiteStatusSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  is_active: z.boolean().describe('false: the site was deactivated'),
  status: SiteHealthSchema.describe('online / degraded / offline / inactive'),
  reasons: z.array(z.string()).describe('Why the site is not online, one sentence each; empty when online'),
  last_heartbeat_at: utcTimeOrNull,
  heartbeat_age_s: z.number().nullable(),
  offline_after_s: z.number().describe('Seconds without a heartbeat after which the site counts as offline'),
  agent_version: z.string().nullable(),
  clock_offset_ms: z.number().nullable(),
  collecting: z.boolean().nullable().describe('Whether the site agent polls its meters (from its last heartbeat)'),
  backlog: z.object({
    readings: z.number().nullable().describe('Readings waiting on the site to be sent'),
    oldest_unsent_at: utcTimeOrNull,
    age_s: z.number().nullable(),
    growing: z.boolean().nullable(),
  }),
  dead_letters: z.number().nullable(),
  uplink_down_since: utcTimeOrNull,
  last_sync_at: utcTimeOrNull,
  last_batch_at: utcTimeOrNull,
  meters: z.object({
    configured: z.number().describe('Active meters in the central configuration'),
    answering: z.number().nullable().describe('Meters answering on the site (last heartbeat)'),
    failing: z.number().nullable(),
    never_answered: z.number().nullable(),
  }),
  ...siteSettingsAnswerFields,
});
export type SiteStatus = z.infer<typeof SiteStatusSchema>;

/**
 * `not_answering`, `wrong_device` and `degraded` come from the agent's own per-meter state in its last
 * heartbeat (so they show at once, not after the values go stale); the others from the readings.
 */
export const MeterHealthSchema = z.enum([
  'ok',
  'fault',
  'stale',
  'no_data',
  'inactive',
  'not_answering',
  'wrong_device',
  'degraded',
]);
export type MeterHealth = z.infer<typeof MeterHealthSchema>;

export const SiteSummarySchema = SiteStatusSchema.extend({
  location: z.string().nullable(),
  created_at: z.string(),
  /** Sum of the latest kW readings of the site's meters (null when none has one). */
  current_power_kw: z.number().nullable(),
  /** Energy since `energy_since` (local midnight of the requested time zone), from kWh counters. */
  energy_today_kwh: z.number().nullable(),
  energy_since: z.string(),
  last_reading_at: z.string().nullable(),
  /** Meters whose values are not current, left out of current_power_kw and energy_today_kwh. */
  totals_left_out: z.array(
    z.object({
      meter_id: z.number(),
      name: z.string(),
      status: MeterHealthSchema,
    }),
  ),
});
export type SiteSummary = z.infer<typeof SiteSummarySchema>;

export const SitesResponseSchema = z.object({
  sites: z.array(SiteSummarySchema),
});
export type SitesResponse = z.infer<typeof SitesResponseSchema>;

export const LatestValueSchema = z.object({
  ts: utcTime,
  value: z.number(),
  unit: z.string().nullable(),
  quality: z.string(),
});
export type LatestValue = z.infer<typeof LatestValueSchema>;

/** The meter's state as the agent reported it in its latest heartbeat, and when that heartbeat arrived. */
export const MeterAgentReportSchema = HeartbeatMeterStateSchema.extend({
  reported_at: z.string(),
});
export type MeterAgentReport = z.infer<typeof MeterAgentReportSchema>;

export const MeterDataPointSchema = DataPointConfigSchema.extend({
  latest: LatestValueSchema.nullable(),
});
export type MeterDataPoint = z.infer<typeof MeterDataPointSchema>;

export const MeterSummarySchema = z.object({
  id: z.number(),
  site_id: z.number(),
  site_name: z.string(),
  external_id: z.string(),
  name: z.string(),
  bacnet_device_id: z.number().nullable(),
  bacnet_ip: z.string().nullable(),
  bacnet_port: z.number().nullable(),
  is_active: z.boolean(),
  status: MeterHealthSchema,
  status_reason: z.string(),
  last_reading_at: z.string().nullable(),
  data_points: z.array(MeterDataPointSchema),
  updated_at: z.string(),
  /** false when the latest values are old news (the meter is not answering, answers as another device, or is stale): shown greyed "as of", left out of totals. */
  values_current: z.boolean(),
  /** The agent's own view of the meter from its latest heartbeat; null from agents that do not report it. */
  agent_state: MeterAgentReportSchema.nullable(),
});
export type MeterSummary = z.infer<typeof MeterSummarySchema>;

export const MetersResponseSchema = z.object({
  meters: z.array(MeterSummarySchema),
});
export type MetersResponse = z.infer<typeof MetersResponseSchema>;

/** Which site, meter and data point a reading row or a consumption series is of. */
const seriesFields = {
  site_id: z.number(),
  site_name: z.string(),
  meter_id: z.number(),
  meter_external_id: z.string(),
  meter_name: z.string(),
  data_point: z.string(),
};

/** One raw reading, or one bucket (then value = the chosen aggregate, with avg/min/max/last/count beside it). */
export const ReadingRowSchema = z.object({
  ...seriesFields,
  ts: utcTime.describe('The reading time, or the bucket start'),
  value: z.number(),
  unit: z.string().nullable(),
  /** Bucket: 'good' when every reading in it was good, else the worst seen. */
  quality: z.string().describe('"good", or the BACnet status flags / reliability reported'),
  count: z.number().optional().describe('Buckets: readings in the bucket'),
  flagged: z.number().optional().describe('Buckets: readings whose quality was not good'),
  avg: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  last: z.number().optional(),
});
export type ReadingRow = z.infer<typeof ReadingRowSchema>;

export const ReadingsResponseSchema = z.object({
  from: utcTime,
  to: utcTime,
  bucket: z.enum(READING_BUCKETS),
  agg: z.enum(READING_AGGS),
  limit: z.number(),
  /** True when more rows matched than `limit`: narrow the range or choose a larger bucket. */
  truncated: z.boolean(),
  rows: z.array(ReadingRowSchema),
});
export type ReadingsResponse = z.infer<typeof ReadingsResponseSchema>;

export const ConsumptionBucketSchema = z.object({
  start: utcTime,
  end: utcTime,
  /** Nothing is invented: no reading, no energy. */
  energy_kwh: z.number().nullable().describe('null: no reading covers this interval'),
  coverage: z.number().describe('Share of the interval covered by readings, 0 to 1'),
  /** False when part of the interval has no data, or a gap's energy could not be placed in it. */
  complete: z.boolean(),
});
export type ConsumptionBucket = z.infer<typeof ConsumptionBucketSchema>;

export const ConsumptionGapSchema = z.object({
  from: utcTime,
  to: utcTime,
  /** Energy the counter advanced across the gap (after reset handling). */
  energy_kwh: z.number(),
  /** Else it is left out of every interval. */
  attributed: z.boolean().describe('The gap lies in one interval, so its energy counts there'),
});
export type ConsumptionGap = z.infer<typeof ConsumptionGapSchema>;

export const CounterResetSchema = z.object({
  at: utcTime,
  from_value: z.number(),
  to_value: z.number(),
});
export type CounterReset = z.infer<typeof CounterResetSchema>;

export const ConsumptionSeriesSchema = z.object({
  ...seriesFields,
  unit: z.literal('kWh'),
  total_kwh: z.number(),
  /** Energy across gaps that span intervals, not in any bucket. */
  unattributed_kwh: z.number(),
  buckets: z.array(ConsumptionBucketSchema),
  gaps: z.array(ConsumptionGapSchema),
  resets: z
    .array(CounterResetSchema)
    .describe(
      'Counter resets: the counter went down and restarted near 0 (a rollover at its wrap value counts as an advance and is not listed)',
    ),
});
export type ConsumptionSeries = z.infer<typeof ConsumptionSeriesSchema>;

export const ConsumptionResponseSchema = z.object({
  from: utcTime,
  to: utcTime,
  interval: z.enum(CONSUMPTION_INTERVALS),
  tz: z.string(),
  gap_threshold_s: z.number(),
  series: z.array(ConsumptionSeriesSchema),
  /** Per site: the sum of its series per interval (complete only when every series is). */
  sites: z.array(
    z.object({
      site_id: z.number(),
      site_name: z.string(),
      total_kwh: z.number().describe('Energy placed in intervals'),
      unattributed_kwh: z.number().describe('Energy across gaps that span intervals, counted in none'),
      buckets: z.array(ConsumptionBucketSchema),
    }),
  ),
});
export type ConsumptionResponse = z.infer<typeof ConsumptionResponseSchema>;

export const HeartbeatPointSchema = z.object({
  received_at: z.string(),
  queue_depth: z.number(),
  oldest_unsent_at: z.string().nullable(),
  collecting: z.boolean(),
  meters_ok: z.number(),
  meters_failing: z.number(),
  clock_offset_ms: z.number().nullable(),
  uplink_down_since: z.string().nullable(),
});
export type HeartbeatPoint = z.infer<typeof HeartbeatPointSchema>;

export const OutageSourceSchema = z.enum(['heartbeat_gap', 'agent_reported']);
export type OutageSource = z.infer<typeof OutageSourceSchema>;

export const ConnectivityOutageSchema = z.object({
  from: z.string(),
  /** The end, or now while it lasts. */
  to: z.string(),
  duration_s: z.number(),
  /** true while no heartbeat has come since it began. */
  ongoing: z.boolean(),
  sources: z.array(OutageSourceSchema),
});
export type ConnectivityOutage = z.infer<typeof ConnectivityOutageSchema>;

export const ConnectivityResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  heartbeats: z.array(HeartbeatPointSchema),
  /** Stretches with no heartbeat for longer than the offline threshold. */
  offline_periods: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      minutes: z.number(),
    }),
  ),
  /**
   * Uplink outages, oldest first: a heartbeat gap longer than the outage threshold (well below the offline
   * threshold), and the outage the agent reported (`uplink_down_since`) once it was back; overlapping ones merged.
   */
  outages: z.array(ConnectivityOutageSchema),
  /** A heartbeat gap longer than this counts as an outage. */
  outage_gap_s: z.number(),
  truncated: z.boolean(),
});
export type ConnectivityResponse = z.infer<typeof ConnectivityResponseSchema>;

export const SiteKeyResponseSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  /** Shown once; only a hash is stored. */
  api_key: z.string(),
  key_prefix: z.string(),
  /** When the site's previous keys stop working (rotation), or null for a new site. */
  previous_keys_expire_at: z.string().nullable(),
});
export type SiteKeyResponse = z.infer<typeof SiteKeyResponseSchema>;

export const CreateSiteResponseSchema = SiteKeyResponseSchema.extend({
  site: SiteSummarySchema,
});
export type CreateSiteResponse = z.infer<typeof CreateSiteResponseSchema>;

export const ApiKeyInfoSchema = z.object({
  key_prefix: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  state: z.enum(['active', 'expiring', 'expired', 'revoked']),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

export const McpTokenInfoSchema = z.object({
  id: z.number(),
  name: z.string(),
  /** The first characters of the token, to recognise it; never the token. */
  prefix: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});
export type McpTokenInfo = z.infer<typeof McpTokenInfoSchema>;

export const McpTokensResponseSchema = z.object({ tokens: z.array(McpTokenInfoSchema) });
export type McpTokensResponse = z.infer<typeof McpTokensResponseSchema>;

export const CreatedMcpTokenSchema = McpTokenInfoSchema.extend({
  /** Shown once; only a SHA-256 of it is stored. */
  token: z.string(),
});
export type CreatedMcpToken = z.infer<typeof CreatedMcpTokenSchema>;
