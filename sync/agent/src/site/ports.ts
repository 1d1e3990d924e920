import type { MeterConfig } from '@meterit/shared';
import type {
  DeviceRef,
  DiscoveredDevice,
  DiscoverOptions,
  ForeignDeviceStatus,
  RawReadResult,
} from '../meters/bacnet/index.js';
import type { CollectionState } from '../collector/agent-state-repository.js';
import type { CollectionTotals } from '../collector/collector.js';
import type { MeterStatus } from '../collector/meter-status-repository.js';
import type { LocalDatabaseStatus } from '../db/supervisor.js';
import type { MeterTally } from '../health/meter-state.js';
import type { McpAuditEntry } from '../mcp-audit/mcp-audit-repository.js';
import type { QueueFullPolicy } from '../queue/queue-guard.js';
import type { DeadLetter, QueueStats, SyncLogRow } from '../queue/queue-repository.js';
import type { LatestValue, LocalReading, ReadingsFilter, SeriesBucket } from '../queue/local-readings-repository.js';
import type { UplinkState } from '../uploader/client-api.js';
import type { BacklogSample } from '../health/backlog-trend.js';
import type { SyncRunResult, SyncTotals } from '../uploader/uploader.js';

// The two ports of the running site. The runtime (site-runtime.ts) publishes what it knows through
// SiteReadModel and takes orders through SiteControl; the local API, the MCP operations and the
// metrics depend on these types only, never on the runtime's parts.

export type {
  BacklogSample,
  CollectionState,
  CollectionTotals,
  DeadLetter,
  DeviceRef,
  DiscoveredDevice,
  DiscoverOptions,
  ForeignDeviceStatus,
  LatestValue,
  LocalReading,
  McpAuditEntry,
  MeterStatus,
  QueueStats,
  RawReadResult,
  ReadingsFilter,
  SeriesBucket,
  SyncLogRow,
  SyncRunResult,
  SyncTotals,
  UplinkState,
};

/** The site's state at one moment: what the dashboard, the heartbeat, MCP and the metrics show. */
export interface SiteStatus {
  /** The site as the client system names it; null until the agent has fetched its configuration once. */
  site: { id: number; name: string } | null;
  collecting: boolean;
  /** The technician's last start/stop choice (persisted), and when the collector last polled. */
  collection: { changedAt: Date | null; reason: string | null; lastCycleAt: Date | null; intervalSeconds: number };
  uplink: UplinkState;
  lastSync: {
    at: Date;
    ok: boolean;
    stored: number;
    duplicates: number;
    error?: string | undefined;
    errorCode?: string | undefined;
    sent: number;
    deadLettered: number;
  } | null;
  lastSuccessfulSyncAt: Date | null;
  nextSyncAt: Date | null;
  queue: QueueStats;
  /** The storage limit of the queue and what its policy did so far. */
  queueLimit: { max: number; policy: QueueFullPolicy; dropped: number; refused: number; fullSince: string | null };
  /** The one count of the configured meters by state (health/meter-state.ts). */
  meters: MeterTally;
  clockOffsetMs: number | null;
  startedAt: Date;
  /** The site's PostgreSQL as the supervisor sees it, and the readings waiting on disk (spill file) or in memory for it. */
  localDatabase: LocalDatabaseStatus & { spilledReadings: number; tornLines: number; inMemory: number };
  /** Registration with the BBMD (BACNET_BBMD_ADDRESS); null when none is configured. */
  foreignDevice: ForeignDeviceStatus | null;
}

/** Fixed facts of this site's configuration that the views explain figures with. */
export interface SiteFacts {
  agentVersion: string;
  collectionIntervalSeconds: number;
  syncIntervalMinutes: number;
  queueMaxReadings: number;
  syncedRetentionHours: number;
  /** SYNC_DATA_DIR: where the queue's disk is. */
  dataDir: string;
  /** METER_SLOW_MS: a meter answering slower than this is "slow". */
  meterSlowMs: number;
  bacnetTimeoutMs: number;
  /** Where discovery's Who-Is goes, in words. */
  discoveryTarget: string;
  /** How often the backlog history takes a sample (at most). */
  backlogSampleSeconds: number;
}

/** What the site publishes; every read answers from the runtime or the site database. */
export interface SiteReadModel {
  now(): number;
  facts(): SiteFacts;
  status(): Promise<SiteStatus>;
  /** The configured meters and their status rows (the last known rows while the local database is down). */
  meters(): Promise<{ meters: readonly MeterConfig[]; statuses: MeterStatus[] }>;
  latestValues(points: Array<{ meter: string; point: string }>, since: Date): Promise<LatestValue[]>;
  readings(f: ReadingsFilter): Promise<LocalReading[]>;
  series(meter: string, from: Date, to: Date, bucketSeconds: number, point?: string): Promise<SeriesBucket[]>;
  syncLog(limit: number, opts: { failuresOnly: boolean }): Promise<SyncLogRow[]>;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  backlog(): Promise<QueueStats>;
  /** The queue's depth as sampled since `since`, oldest first (site/backlog-history.ts). */
  backlogHistory(since: Date): BacklogSample[];
  /** The readings table's size on disk and rows (zero while the local database is down). */
  storageFootprint(): Promise<{ bytes: number; rows: number }>;
  /** What collection and sync did since the process started (counters for the metrics). */
  totals(): { collection: CollectionTotals; sync: SyncTotals; syncFailuresInARow: number };
  /** Resolves when the site database answers within `timeoutMs`. */
  databaseAnswers(timeoutMs: number): Promise<void>;
}

/** One raw read of a device's property, for diagnostics. */
export interface PointReadRequest {
  device: DeviceRef;
  objectType: string | number;
  instance: number;
  property: string | number;
  arrayIndex?: number | undefined;
}

/** What may be asked of the site. */
export interface SiteControl {
  /** Start polling the meters and remember that choice across restarts. */
  startCollection(reason?: string): Promise<CollectionState>;
  /** Stop polling (reads in flight finish and are stored) and remember that choice across restarts. */
  stopCollection(reason?: string): Promise<CollectionState>;
  /** Send the queue now (after a run in progress) and answer with the run's result. */
  syncNow(): Promise<SyncRunResult>;
  /** Move dead letters (all, or the given ids) back into the upload queue. */
  retryDeadLetters(ids?: number[]): Promise<{ moved: number; requeued: number }>;
  /** Who-Is on the site network; throws when the site has no meter network of its own (a test reader). */
  discover(o: DiscoverOptions): Promise<DiscoveredDevice[]>;
  readPoint(r: PointReadRequest): Promise<RawReadResult>;
}

/** Where every MCP tool call is written (table mcp_audit). */
export interface McpAuditLog {
  record(entry: McpAuditEntry): Promise<void>;
}
