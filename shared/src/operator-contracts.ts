// Wire types of the operator endpoints' answers (web app, MCP server); the requests are in operator-requests.ts,
// alerts in alert-contracts.ts. Browser-safe: no Node imports.
// Times are ISO-8601 UTC strings with Z; energies in kWh, power in kW.
import type { DataPointConfig, HeartbeatMeterState } from './contracts.js';

/** Error codes the operator endpoints add to ErrorCode. */
export const OperatorErrorCode = {
  /** The access token has expired: refresh it (POST /api/auth/refresh) and retry. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The request conflicts with what exists (a duplicate name, e-mail or meter id, or removing the last admin). */
  CONFLICT: 'CONFLICT',
} as const;
export type OperatorErrorCodeValue = (typeof OperatorErrorCode)[keyof typeof OperatorErrorCode];

export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
/** admin: everything. operator: read + manage meters of its sites. viewer: read only. */
export type UserRole = (typeof USER_ROLES)[number];

export interface UserInfo {
  id: number;
  email: string;
  name: string | null;
  role: UserRole;
  /** null = every site; otherwise the only sites this user sees anywhere. */
  site_ids: number[] | null;
  is_active: boolean;
  created_at: string;
  last_login_at: string | null;
}

export interface TokenResponse {
  token_type: 'Bearer';
  access_token: string;
  /** Seconds until the access token expires. */
  expires_in: number;
  /** Single use: each refresh returns a new one and the old one stops working. */
  refresh_token: string;
  refresh_expires_at: string;
  user: UserInfo;
}

/**
 * What login and refresh answer the web app (header `X-MeterIT-Session: cookie`): the refresh token is in an
 * httpOnly cookie for /api/auth/refresh and /api/auth/logout only, never in the body the page can read.
 */
export type WebSessionResponse = Omit<TokenResponse, 'refresh_token'>;

export interface CreateUserResponse {
  user: UserInfo;
  /** Only when the password was generated: shown once. */
  initial_password?: string;
}

export type SiteHealth = 'online' | 'degraded' | 'offline' | 'inactive';

export interface SiteStatus {
  site_id: number;
  site_name: string;
  is_active: boolean;
  status: SiteHealth;
  /** Why the site is not online, one sentence each; empty when online. */
  reasons: string[];
  last_heartbeat_at: string | null;
  heartbeat_age_s: number | null;
  offline_after_s: number;
  agent_version: string | null;
  clock_offset_ms: number | null;
  collecting: boolean | null;
  backlog: { readings: number | null; oldest_unsent_at: string | null; age_s: number | null; growing: boolean | null };
  dead_letters: number | null;
  uplink_down_since: string | null;
  last_sync_at: string | null;
  last_batch_at: string | null;
  /** configured: active meters in the central configuration; answering/failing/never_answered: from the last heartbeat. */
  meters: { configured: number; answering: number | null; failing: number | null; never_answered: number | null };
}

export interface SiteSummary extends SiteStatus {
  location: string | null;
  created_at: string;
  /** Sum of the latest kW readings of the site's meters (null when none has one). */
  current_power_kw: number | null;
  /** Energy since `energy_since` (local midnight of the requested time zone), from kWh counters. */
  energy_today_kwh: number | null;
  energy_since: string;
  last_reading_at: string | null;
  /** Meters whose values are not current, left out of current_power_kw and energy_today_kwh. */
  totals_left_out: Array<{ meter_id: number; name: string; status: MeterHealth }>;
}

export interface SitesResponse {
  sites: SiteSummary[];
}

export interface LatestValue {
  ts: string;
  value: number;
  unit: string | null;
  quality: string;
}

/**
 * `not_answering`, `wrong_device` and `degraded` come from the agent's own per-meter state in its last
 * heartbeat (so they show at once, not after the values go stale); the others from the readings.
 */
export type MeterHealth =
  'ok' | 'fault' | 'stale' | 'no_data' | 'inactive' | 'not_answering' | 'wrong_device' | 'degraded';

/** The meter's state as the agent reported it in its latest heartbeat, and when that heartbeat arrived. */
export interface MeterAgentReport extends HeartbeatMeterState {
  reported_at: string;
}

export interface MeterDataPoint extends DataPointConfig {
  latest: LatestValue | null;
}

export interface MeterSummary {
  id: number;
  site_id: number;
  site_name: string;
  external_id: string;
  name: string;
  bacnet_device_id: number | null;
  bacnet_ip: string | null;
  bacnet_port: number | null;
  is_active: boolean;
  status: MeterHealth;
  status_reason: string;
  last_reading_at: string | null;
  data_points: MeterDataPoint[];
  updated_at: string;
  /** false when the latest values are old news (the meter is not answering, answers as another device, or is stale): shown greyed "as of", left out of totals. */
  values_current: boolean;
  /** The agent's own view of the meter from its latest heartbeat; null from agents that do not report it. */
  agent_state: MeterAgentReport | null;
}

export interface MetersResponse {
  meters: MeterSummary[];
}

export const READING_BUCKETS = ['raw', '1m', '15m', '1h', '1d'] as const;
export type ReadingBucket = (typeof READING_BUCKETS)[number];
export const READING_AGGS = ['avg', 'min', 'max', 'last'] as const;
export type ReadingAgg = (typeof READING_AGGS)[number];

/** One raw reading, or one bucket (then value = the chosen aggregate, with avg/min/max/last/count beside it). */
export interface ReadingRow {
  site_id: number;
  site_name: string;
  meter_id: number;
  meter_external_id: string;
  meter_name: string;
  data_point: string;
  /** The reading's time, or the bucket's start. */
  ts: string;
  value: number;
  unit: string | null;
  /** Raw: the reading's quality. Bucket: 'good' when every reading in it was good, else the worst seen. */
  quality: string;
  count?: number;
  /** Readings in the bucket whose quality was not good. */
  flagged?: number;
  avg?: number;
  min?: number;
  max?: number;
  last?: number;
}

export interface ReadingsResponse {
  from: string;
  to: string;
  bucket: ReadingBucket;
  agg: ReadingAgg;
  limit: number;
  /** True when more rows matched than `limit`: narrow the range or choose a larger bucket. */
  truncated: boolean;
  rows: ReadingRow[];
}

export const CONSUMPTION_INTERVALS = ['15m', '1h', '1d'] as const;
export type ConsumptionInterval = (typeof CONSUMPTION_INTERVALS)[number];

export interface ConsumptionBucket {
  start: string;
  end: string;
  /** null: no reading covers any part of this interval (nothing is invented). */
  energy_kwh: number | null;
  /** Share of the interval covered by readings (0–1). */
  coverage: number;
  /** False when part of the interval has no data, or a gap's energy could not be placed in it. */
  complete: boolean;
}

export interface ConsumptionGap {
  from: string;
  to: string;
  /** Energy the counter advanced across the gap (after reset handling). */
  energy_kwh: number;
  /** True when the whole gap lies in one interval, so its energy is counted there; else it is left out of every interval. */
  attributed: boolean;
}

export interface CounterReset {
  at: string;
  from_value: number;
  to_value: number;
}

export interface ConsumptionSeries {
  site_id: number;
  site_name: string;
  meter_id: number;
  meter_external_id: string;
  meter_name: string;
  data_point: string;
  unit: 'kWh';
  total_kwh: number;
  /** Energy across gaps that span intervals, not in any bucket. */
  unattributed_kwh: number;
  buckets: ConsumptionBucket[];
  gaps: ConsumptionGap[];
  resets: CounterReset[];
}

export interface ConsumptionResponse {
  from: string;
  to: string;
  interval: ConsumptionInterval;
  tz: string;
  gap_threshold_s: number;
  series: ConsumptionSeries[];
  /** Per site: the sum of its series per interval (complete only when every series is). */
  sites: Array<{
    site_id: number;
    site_name: string;
    total_kwh: number;
    unattributed_kwh: number;
    buckets: ConsumptionBucket[];
  }>;
}

export interface HeartbeatPoint {
  received_at: string;
  queue_depth: number;
  oldest_unsent_at: string | null;
  collecting: boolean;
  meters_ok: number;
  meters_failing: number;
  clock_offset_ms: number | null;
  uplink_down_since: string | null;
}

export interface ConnectivityResponse {
  from: string;
  to: string;
  heartbeats: HeartbeatPoint[];
  /** Stretches with no heartbeat for longer than the offline threshold. */
  offline_periods: Array<{ from: string; to: string; minutes: number }>;
  /**
   * Uplink outages, oldest first: a heartbeat gap longer than the outage threshold (well below the offline
   * threshold), and the outage the agent reported (`uplink_down_since`) once it was back; overlapping ones merged.
   */
  outages: ConnectivityOutage[];
  /** A heartbeat gap longer than this counts as an outage. */
  outage_gap_s: number;
  truncated: boolean;
}

export type OutageSource = 'heartbeat_gap' | 'agent_reported';

export interface ConnectivityOutage {
  from: string;
  /** The end, or now while it lasts. */
  to: string;
  duration_s: number;
  /** true while no heartbeat has come since it began. */
  ongoing: boolean;
  sources: OutageSource[];
}

export interface SiteKeyResponse {
  site_id: number;
  site_name: string;
  /** Shown once; only a hash is stored. */
  api_key: string;
  key_prefix: string;
  /** When the site's previous keys stop working (rotation), or null for a new site. */
  previous_keys_expire_at: string | null;
}

export interface CreateSiteResponse extends SiteKeyResponse {
  site: SiteSummary;
}

export interface ApiKeyInfo {
  key_prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  state: 'active' | 'expiring' | 'expired' | 'revoked';
}
