// What the site MCP server needs from the running agent. The agent implements this with its own
// objects (collector, uploader, queue, BACnet adapter, the local API's view builders), so the tools
// act on the running agent and no query is written twice. Types only: this package never imports
// the agent, so there is no dependency cycle. Shapes follow the local API's contract
// (sync/agent/src/local-api/contract.ts); the agent's typecheck proves that they match.

export type HealthLevel = 'ok' | 'attention' | 'problem';

export interface CollectionView {
  collecting: boolean;
  changed_at: string | null;
  reason: string | null;
  interval_s: number;
  last_cycle_at: string | null;
}

export interface UplinkView {
  state: 'up' | 'down' | 'unknown';
  since: string | null;
  last_ok_at: string | null;
  last_error: { code: string; message: string; at: string } | null;
}

export interface BacklogView {
  count: number;
  oldest_at: string | null;
  oldest_age_s: number | null;
}

export interface SiteStatusView {
  now: string;
  agent: { version: string; started_at: string; uptime_s: number };
  health: {
    level: HealthLevel;
    summary: string;
    findings: Array<{ code: string; level: Exclude<HealthLevel, 'ok'>; message: string; action: string }>;
  };
  collection: CollectionView;
  uplink: UplinkView;
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
  backlog: BacklogView;
  storage: {
    free_bytes: number | null;
    bytes_per_reading: number;
    readings_per_hour: number;
    outage_hours: number | null;
    bound: 'disk' | 'queue_limit' | null;
    basis: string;
  };
  dead_letters: { count: number };
  meters: { configured: number; ok: number; slow: number; failing: number; never_answered: number };
  /** Registration as a BACnet foreign device with a BBMD; null when none is configured. */
  foreign_device: ForeignDeviceView | null;
  /** The agent's own PostgreSQL and the readings waiting for it (agents since the hardening issue). */
  local_database?: LocalDatabaseView;
}

export interface LocalDatabaseView {
  state: 'up' | 'restarting' | 'down';
  since: string;
  restarts: number;
  last_error: { message: string; at: string } | null;
  spilled_readings: number;
  in_memory_readings: number;
  torn_lines: number;
}

export interface ForeignDeviceView {
  bbmd: string;
  state: 'registered' | 'failing' | 'pending';
  registered: boolean;
  ttl_s: number;
  last_registered_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
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
}

export type MeterState = 'ok' | 'slow' | 'failing' | 'never_answered' | 'degraded' | 'wrong_device';

export interface MeterStatusView {
  id: string;
  name: string;
  bacnet: { device_id: number; address: string; port: number };
  state: MeterState;
  state_text: string;
  last_success_at: string | null;
  consecutive_failures: number;
  response_ms: number | null;
  last_error: { code: string; message: string; plain: string; at: string | null } | null;
  points_failing: number;
  device_check: { expected_device_id: number; found_device_id: number | null } | null;
  points: Array<{
    name: string;
    unit: string | null;
    value: number | null;
    at: string | null;
    quality: string | null;
    last_success_at: string | null;
    error: { code: string; message: string; plain: string; at: string | null; consecutive_failures: number } | null;
  }>;
}

export interface MetersView {
  now: string;
  slow_threshold_ms: number;
  meters: MeterStatusView[];
}

export interface ReadingsQuery {
  meter?: string | undefined;
  point?: string | undefined;
  from: Date;
  to: Date;
  limit: number;
}

export interface ReadingsView {
  from: string;
  to: string;
  limit: number;
  truncated: boolean;
  readings: Array<{
    meter: string;
    point: string;
    ts: string;
    value: number;
    unit: string | null;
    quality: string;
    synced: boolean;
  }>;
}

export interface SyncNowView {
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
  backlog: BacklogView;
  uplink: UplinkView;
}

export interface DeadLettersView {
  count: number;
  dead_letters: Array<{
    id: number;
    meter: string;
    point: string;
    ts: string;
    value: number;
    unit: string | null;
    code: string;
    reason: string;
    created_at: string;
  }>;
}

export interface RetryDeadLettersView {
  moved: number;
  requeued: number;
  backlog: BacklogView;
}

export interface DiscoverOptions {
  timeoutMs: number;
  lowLimit?: number | undefined;
  highLimit?: number | undefined;
  /** Unicast Who-Is to these 'ip' or 'ip:port' targets instead of broadcasting. */
  address?: string[] | undefined;
  /** Who asks (the MCP principal), for the per-caller limit; the agent's /mcp sets it. */
  caller?: string | undefined;
}

/** As the agent's BACnet adapter describes a device that answered Who-Is. */
export interface DiscoveredDevice {
  deviceId: number;
  address: string;
  port: number;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
  objectName: string | null;
  vendorName: string | null;
  modelName: string | null;
  objects: Array<{ objectType: string; instance: number }>;
  points: Array<{
    objectType: string;
    instance: number;
    objectName: string | null;
    units: number | null;
    unitSymbol: string | null;
  }>;
  errors: string[];
}

export interface ReadPropertyRequest {
  device: { deviceId: number; address: string; port?: number | undefined };
  objectType: string | number;
  instance: number;
  property: string | number;
  arrayIndex?: number | undefined;
}

/** One raw ReadProperty answer: BACnet application-tagged values, or what went wrong. */
export type RawReadResult =
  { ok: true; values: Array<{ type: number; value: unknown }> } | { ok: false; code: string; message: string };

/** Fixed facts about this agent the tools quote (limits, retention). */
export interface SiteFacts {
  /** Synced readings stay on the site this long; unsent readings stay until sent. */
  syncedRetentionHours: number;
  collectionIntervalSeconds: number;
  /** The adapter's own timeout per BACnet request. */
  bacnetTimeoutMs: number;
  /** Where broadcast Who-Is goes (BACNET_BROADCAST_ADDRESS). */
  broadcastAddress: string;
}

export interface SiteOperations {
  facts(): SiteFacts;
  status(): Promise<SiteStatusView>;
  syncLog(limit: number, failuresOnly: boolean): Promise<SyncLogEntryView[]>;
  meters(): Promise<MetersView>;
  readings(q: ReadingsQuery): Promise<ReadingsView>;
  startCollection(reason: string): Promise<CollectionView>;
  stopCollection(reason: string): Promise<CollectionView>;
  /** Runs a sync now (after one in progress) and answers with its result. */
  syncNow(): Promise<SyncNowView>;
  deadLetters(limit: number): Promise<DeadLettersView>;
  /** All dead letters when ids is undefined. */
  retryDeadLetters(ids: number[] | undefined): Promise<RetryDeadLettersView>;
  /** Who-Is through the agent's own BACnet adapter; throws when the agent has none. */
  discover(o: DiscoverOptions): Promise<DiscoveredDevice[]>;
  readProperty(r: ReadPropertyRequest): Promise<RawReadResult>;
}
