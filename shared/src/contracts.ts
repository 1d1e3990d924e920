import type { ErrorCodeValue } from './errors.js';

/** One data point of a meter, as in the original meters.json format. */
export interface DataPointConfig {
  object_type: string;
  instance: number;
  property?: string;
  name: string;
  unit?: string | null;
}

/** One meter, as in the original meters.json format (bacnet_port is an addition). */
export interface MeterConfig {
  id: string;
  name: string;
  bacnet_device_id: number;
  bacnet_ip: string;
  bacnet_port?: number;
  data_points: DataPointConfig[];
  is_active?: boolean;
}

export interface MetersFile {
  meters: MeterConfig[];
}

/** A reading on the wire from agent to client system. Times are ISO-8601 UTC with Z. */
export interface SyncReading {
  meter_external_id: string;
  data_point: string;
  timestamp: string;
  value: number;
  unit: string | null;
  quality: string;
}

export interface BatchRequest {
  /** Agent-chosen id for the batch, for logs and the sync log. */
  batch_id?: string;
  readings: SyncReading[];
}

export type ReadingOutcome = 'stored' | 'duplicate' | 'rejected';

export interface RejectedReading {
  index: number;
  code: ErrorCodeValue;
  reason: string;
}

/**
 * The answer to a batch. On 200 every reading is stored or duplicate. On 4xx with
 * code BATCH_REJECTED nothing was stored and `rejected` names each bad reading by index.
 */
export interface BatchResponse {
  batch_id?: string;
  stored: number;
  duplicates: number;
  rejected: RejectedReading[];
  results: ReadingOutcome[];
}

export interface HeartbeatRequest {
  agent_version: string;
  agent_time: string;
  collecting: boolean;
  queue_depth: number;
  oldest_unsent_at: string | null;
  dead_letters: number;
  uplink_down_since: string | null;
  last_sync_at: string | null;
  meters: { configured: number; ok: number; failing: number; never_answered: number };
  /** The queue's storage limit and what its policy has done (totals since install). */
  queue_limit?: {
    max: number;
    policy: 'drop-oldest' | 'stop-collecting';
    dropped: number;
    refused: number;
    full_since: string | null;
  };
  /** Each configured meter's state as the agent sees it now (agents since the hardening issue). */
  meter_states?: HeartbeatMeterState[];
  /** Foreign-device registration with a BBMD, when the agent is configured to register. */
  foreign_device?: HeartbeatForeignDevice | null;
  /** The site's own PostgreSQL (agents since the hardening issue). */
  local_database?: HeartbeatLocalDatabase;
}

/**
 * The agent's local database: `up`; `restarting` (the agent is starting its embedded server
 * again); `down` (it could not, or a configured database does not answer). Readings collected
 * meanwhile wait in the spill file on the agent's disk (`spilled_readings`).
 */
export interface HeartbeatLocalDatabase {
  state: 'up' | 'restarting' | 'down';
  since: string;
  /** Times the agent restarted its embedded server since it started. */
  restarts: number;
  last_error: string | null;
  spilled_readings: number;
}

/**
 * A meter's state on the agent: `ok`; `degraded` (answers, but some points fail); `not_answering`
 * (answered once, fails now); `never_answered`; `wrong_device` (another device instance answers at
 * the meter's address: nothing is stored for it).
 */
export type MeterAgentState = 'ok' | 'degraded' | 'not_answering' | 'never_answered' | 'wrong_device';

export interface HeartbeatMeterState {
  external_id: string;
  state: MeterAgentState;
  /** When the meter entered this state, if known. */
  since: string | null;
  last_success_at: string | null;
  /** The last error in plain words, null when none. */
  error: string | null;
  /** How many of its points failed on the last poll. */
  points_failing: number;
  /** For `wrong_device`: the configured and the answering device instance. */
  expected_device_id?: number | null;
  found_device_id?: number | null;
}

export interface HeartbeatForeignDevice {
  /** `ip:port` of the BBMD. */
  bbmd: string;
  registered: boolean;
  last_registered_at: string | null;
  last_error: string | null;
}

export interface HeartbeatResponse {
  server_time: string;
  clock_offset_ms: number;
}

export interface SyncAuthResponse {
  site_id: number;
  site_name: string;
  server_time: string;
}

export interface SyncConfigResponse {
  site: { id: number; name: string };
  meters: MeterConfig[];
  /** A version stamp: changes whenever the site's meter configuration changes. */
  config_version: string;
}

export interface RegisterMetersResponse {
  created: string[];
  existing: string[];
}

export interface ApiErrorBody {
  error: { code: ErrorCodeValue; message: string; details?: unknown; request_id?: string };
}
