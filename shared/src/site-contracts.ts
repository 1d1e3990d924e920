// The site agent's local API: its answers as the dashboard (sync/web), the site MCP server and the tests see them.
// Times are ISO-8601 UTC strings with Z; durations say their unit. Types only: this file imports nothing, so the
// dashboard bundle carries none of the agent.

export type HealthLevel = 'ok' | 'attention' | 'problem';

/** One thing the technician should know, with what to do about it. */
export interface Finding {
  code: string;
  level: Exclude<HealthLevel, 'ok'>;
  message: string;
  action: string;
}

export interface StatusResponse {
  now: string;
  agent: { version: string; started_at: string; uptime_s: number };
  /** One verdict for the whole site and the findings behind it, worst first. */
  health: { level: HealthLevel; summary: string; findings: Finding[] };
  collection: {
    collecting: boolean;
    /** When a technician last started or stopped collection (null: never, it runs by default). */
    changed_at: string | null;
    reason: string | null;
    interval_s: number;
    last_cycle_at: string | null;
  };
  uplink: {
    state: 'up' | 'down' | 'unknown';
    /** Up since / down since, depending on state; null while unknown. */
    since: string | null;
    last_ok_at: string | null;
    last_error: { code: string; message: string; at: string } | null;
  };
  last_sync: {
    at: string;
    ok: boolean;
    sent: number;
    stored: number;
    duplicates: number;
    dead_lettered: number;
    error_code: string | null;
    error: string | null;
  } | null;
  last_successful_sync_at: string | null;
  next_sync_at: string | null;
  backlog: { count: number; oldest_at: string | null; oldest_age_s: number | null };
  storage: StorageEstimate;
  dead_letters: { count: number };
  meters: {
    configured: number;
    ok: number;
    slow: number;
    failing: number;
    never_answered: number;
    degraded: number;
    wrong_device: number;
  };
  control: { enabled: boolean };
  /** The agent's own PostgreSQL, and the readings waiting for it on disk (spill file) and in memory. */
  local_database: {
    state: 'up' | 'restarting' | 'down';
    since: string;
    restarts: number;
    last_error: { message: string; at: string } | null;
    spilled_readings: number;
    in_memory_readings: number;
    /** Lines of the spill file skipped on replay since the agent started (a write cut short by a crash). */
    torn_lines: number;
  };
  /** Registration as a BACnet foreign device with a BBMD (meters on another subnet); null when no BBMD is configured. */
  foreign_device: ForeignDeviceView | null;
}

/**
 * `registered`: the last registration succeeded; `failing`: the last attempt failed (`registered` says
 * whether an earlier registration still holds at the BBMD); `pending`: no attempt has ended yet.
 */
export type ForeignDeviceState = 'registered' | 'failing' | 'pending';

export interface ForeignDeviceView {
  /** `ip:port` of the BBMD. */
  bbmd: string;
  state: ForeignDeviceState;
  /** The BBMD holds a registration of ours that has not run out. */
  registered: boolean;
  ttl_s: number;
  /** The last successful registration or renewal. */
  last_registered_at: string | null;
  last_attempt_at: string | null;
  /** Why the last attempt failed, in words; null after a success. */
  last_error: string | null;
}

export interface StorageEstimate {
  data_dir: string;
  free_bytes: number | null;
  bytes_per_reading: number;
  bytes_per_reading_measured: boolean;
  readings_per_hour: number;
  /** Hours of uplink outage the site still holds at the current rate (the smaller of disk_hours and queue_limit_hours); null if nothing is added. */
  outage_hours: number | null;
  /** Which bounds outage_hours: free disk space or the queue's own limit (QUEUE_MAX_READINGS); null if nothing is added. */
  bound: 'disk' | 'queue_limit' | null;
  /** Hours the free disk space holds; null if unknown or nothing is added. */
  disk_hours: number | null;
  /** Hours until the unsent readings reach QUEUE_MAX_READINGS; null if nothing is added. */
  queue_limit_hours: number | null;
  queue_max_readings: number;
  /** How outage_hours was computed, in words. */
  basis: string;
}

/** degraded: answers, but some of its points fail; wrong_device: another device instance answers at its address (nothing is stored). */
export type MeterState = 'ok' | 'slow' | 'failing' | 'never_answered' | 'degraded' | 'wrong_device';

export interface PointValue {
  name: string;
  unit: string | null;
  value: number | null;
  at: string | null;
  quality: string | null;
  /** When this point last answered, and its last error while it fails (null once it answers again). */
  last_success_at: string | null;
  error: { code: string; message: string; plain: string; at: string | null; consecutive_failures: number } | null;
}

export interface MeterView {
  id: string;
  name: string;
  bacnet: { device_id: number; address: string; port: number };
  state: MeterState;
  /** The state in words, e.g. "no answer for 5 polls (since 10:32:04Z)". */
  state_text: string;
  last_success_at: string | null;
  consecutive_failures: number;
  response_ms: number | null;
  last_error: { code: string; message: string; plain: string; at: string | null } | null;
  /** Points that failed on the last poll. */
  points_failing: number;
  /** For wrong_device: the configured device instance and the one answering at the address (null when it would not say). */
  device_check: { expected_device_id: number; found_device_id: number | null } | null;
  points: PointValue[];
}

export interface MetersResponse {
  now: string;
  slow_threshold_ms: number;
  meters: MeterView[];
}

export interface ReadingView {
  meter: string;
  point: string;
  ts: string;
  value: number;
  unit: string | null;
  quality: string;
  synced: boolean;
}

export interface ReadingsResponse {
  from: string;
  to: string;
  limit: number;
  /** True when more readings matched than `limit`; narrow the filter to see them. */
  truncated: boolean;
  readings: ReadingView[];
}

export interface SeriesResponse {
  meter: string;
  from: string;
  to: string;
  bucket_s: number;
  series: Array<{
    point: string;
    unit: string | null;
    buckets: Array<{ t: string; avg: number; min: number; max: number; count: number }>;
  }>;
}

export interface SyncLogEntryView {
  id: number;
  started_at: string;
  finished_at: string;
  kind: string;
  batch_size: number;
  stored: number;
  duplicates: number;
  rejected: number;
  success: boolean;
  error_code: string | null;
  error_message: string | null;
  request_id: string | null;
}

export interface SyncLogResponse {
  entries: SyncLogEntryView[];
}

export interface DeadLetterView {
  id: number;
  meter: string;
  point: string;
  ts: string;
  value: number;
  unit: string | null;
  code: string;
  reason: string;
  created_at: string;
}

export interface DeadLettersResponse {
  count: number;
  dead_letters: DeadLetterView[];
}

export interface SessionResponse {
  control_enabled: boolean;
  authenticated: boolean;
  by: 'token' | 'session' | null;
  expires_at: string | null;
}

export interface LoginResponse {
  session_token: string;
  expires_at: string;
}

export interface CollectionResponse {
  collection: StatusResponse['collection'];
}

export interface SyncNowResponse {
  result: {
    ok: boolean;
    batches: number;
    sent: number;
    stored: number;
    duplicates: number;
    dead_lettered: number;
    error_code: string | null;
    error: string | null;
    started_at: string;
    finished_at: string;
    duration_ms: number;
  };
  backlog: StatusResponse['backlog'];
  uplink: StatusResponse['uplink'];
}

export interface RetryDeadLettersResponse {
  /** Dead letters removed. */
  moved: number;
  /** Of those, readings put back into the upload queue (the rest were already queued or synced). */
  requeued: number;
  backlog: StatusResponse['backlog'];
}
