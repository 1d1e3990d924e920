import path from 'node:path';
import type { HeartbeatMeterState, HeartbeatRequest, MeterConfig } from '@meterit/shared';
import { openDatabase, type Database, type Logger } from '@meterit/shared/node';
import { systemClock, type Clock } from './clock.js';
import { clientOrigin, type AgentConfig } from './config.js';
import { siteDatabaseOptions } from './db/index.js';
import { loadMetersFile } from './meters/meters-file.js';
import { MetersRepository } from './meters/meters-repository.js';
import { Collector } from './collector/collector.js';
import { MeterStatusRepository } from './collector/meter-status-repository.js';
import { heartbeatMeterStates } from './collector/meter-states.js';
import { AgentStateRepository, type CollectionState } from './collector/agent-state-repository.js';
import { QueueGuard, type QueueFullPolicy } from './queue/queue-guard.js';
import { QueueRepository } from './queue/queue-repository.js';
import { LocalReadingsRepository } from './queue/local-readings-repository.js';
import { SpillFile } from './queue/spill-file.js';
import { SpillingQueue } from './queue/spilling-queue.js';
import { LocalDatabaseSupervisor, type LocalDatabaseStatus } from './db/supervisor.js';
import { ClientApi, type UplinkState } from './uploader/client-api.js';
import { Uploader, type SyncRunResult } from './uploader/uploader.js';
import { BacnetAdapter, bacnetBinding, type ForeignDeviceStatus } from './meters/bacnet/index.js';
import type { MeterProtocol } from './meters/protocol.js';
import { MeterProtocols } from './meters/registry.js';
import { McpAuditRepository } from './mcp-audit/mcp-audit-repository.js';
import { startLocalApi, type LocalApiServer } from './local-api/server.js';

export interface AgentStatus {
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
  queue: { depth: number; oldestUnsentAt: Date | null; deadLetters: number };
  /** The storage limit of the queue and what its policy did so far. */
  queueLimit: { max: number; policy: QueueFullPolicy; dropped: number; refused: number; fullSince: string | null };
  meters: { configured: number; ok: number; failing: number; neverAnswered: number };
  clockOffsetMs: number | null;
  startedAt: Date;
  /** The site's PostgreSQL as the supervisor sees it, and the readings waiting on disk (spill file) or in memory for it. */
  localDatabase: LocalDatabaseStatus & { spilledReadings: number; tornLines: number; inMemory: number };
  /** Registration with the BBMD (BACNET_BBMD_ADDRESS); null when none is configured. */
  foreignDevice: ForeignDeviceStatus | null;
}

export interface Agent {
  readonly config: AgentConfig;
  readonly db: Database;
  readonly collector: Collector;
  readonly uploader: Uploader;
  readonly api: ClientApi;
  readonly queue: QueueRepository;
  readonly meterStatus: MeterStatusRepository;
  readonly readings: LocalReadingsRepository;
  readonly clock: Clock;
  /** Watches the site's PostgreSQL and restarts the embedded server when it dies. */
  readonly localDatabase: LocalDatabaseSupervisor;
  /** The BACnet adapter collection reads through (discovery and live reads use it too); null when a test passed its own reader. */
  readonly bacnet: BacnetAdapter | null;
  /** Every MCP tool call, for the audit log. */
  readonly mcpAudit: McpAuditRepository;
  /** The technicians' local API and dashboard; null when it is switched off or could not bind. */
  readonly localApi: LocalApiServer | null;
  status(): Promise<AgentStatus>;
  /** Each configured meter's state (ok, degraded, not_answering, never_answered, wrong_device), as the heartbeat carries it. */
  meterStates(): Promise<HeartbeatMeterState[]>;
  refreshConfig(): Promise<void>;
  sendHeartbeat(): Promise<void>;
  /** Start polling the meters and remember that choice across restarts. */
  startCollection(reason?: string): Promise<CollectionState>;
  /** Stop polling (reads in flight finish and are stored) and remember that choice across restarts. */
  stopCollection(reason?: string): Promise<CollectionState>;
  /** Send the queue now (after a run in progress) and answer with the run's result. */
  syncNow(): Promise<SyncRunResult>;
  /** Move dead letters (all, or the given ids) back into the upload queue. */
  retryDeadLetters(ids?: number[]): Promise<{ moved: number; requeued: number }>;
  stop(): Promise<void>;
}

export interface AgentDeps {
  logger: Logger;
  clock?: Clock;
  /** Tests may pass their own BACnet protocol; production opens the adapter from the config. */
  reader?: MeterProtocol;
  /** Serve the local API and dashboard on LOCAL_API_HOST:LOCAL_API_PORT (default true). */
  serveLocalApi?: boolean;
}

/** Start the site agent: local database, BACnet collector, uploader, heartbeat and config refresh. */
export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<Agent> {
  const logger = deps.logger;
  const clock = deps.clock ?? systemClock;
  // A broken meters.json stops the start before anything is opened (its error lists every problem).
  const fileMeters = await loadMetersFile(config.METERS_FILE);
  // Readings the local database could not take wait here, on disk, even across a kill of the agent.
  const spill = await SpillFile.open(path.join(config.SYNC_DATA_DIR, 'spill'), logger.child({ module: 'collection' }));
  const db = await openDatabase(siteDatabaseOptions(config, logger.child({ module: 'db' })));
  logger.info('site database ready', { database: db.describe });
  const supervisor = new LocalDatabaseSupervisor({
    knex: db.knex,
    embedded: db.embedded,
    logger: logger.child({ module: 'db' }),
    clock,
    probeMs: config.LOCAL_DB_PROBE_SECONDS * 1000,
    backoff: {
      baseMs: config.LOCAL_DB_RESTART_BACKOFF_BASE_SECONDS * 1000,
      capMs: config.LOCAL_DB_RESTART_BACKOFF_CAP_SECONDS * 1000,
    },
    attemptsBeforeDown: config.LOCAL_DB_RESTART_ATTEMPTS_BEFORE_DOWN,
  });

  const metersRepo = new MetersRepository(db.knex);
  const queue = new QueueRepository(db.knex);
  const meterStatus = new MeterStatusRepository(db.knex);
  const readings = new LocalReadingsRepository(db.knex);
  const agentState = new AgentStateRepository(db.knex);
  const mcpAudit = new McpAuditRepository(db.knex);
  const startedAt = new Date(clock.now());
  const bacnet = deps.reader
    ? null
    : await BacnetAdapter.open({
        interface: config.BACNET_INTERFACE,
        port: config.BACNET_PORT,
        broadcastAddress: config.BACNET_BROADCAST_ADDRESS,
        listenBroadcast: config.BACNET_LISTEN_BROADCAST,
        apduTimeoutMs: config.BACNET_TIMEOUT_MS,
        identityCheckMs: config.BACNET_IDENTITY_CHECK_MINUTES * 60_000,
        unitsRefreshMs: config.BACNET_UNITS_REFRESH_MINUTES * 60_000,
        ...(config.BACNET_BBMD_ADDRESS
          ? { bbmd: { address: config.BACNET_BBMD_ADDRESS, ttlSeconds: config.BACNET_BBMD_TTL_SECONDS } }
          : {}),
        logger: logger.child({ module: 'bacnet' }),
      }).catch(async (err: unknown) => {
        // The BACnet port is taken or the interface is wrong: leave no database server behind.
        await db.close();
        throw err;
      });
  // Meters on another subnet: stay registered with the BBMD while the agent runs, so discovery reaches them.
  if (bacnet && config.BACNET_BBMD_ADDRESS) bacnet.keepForeignDeviceRegistration();
  // Each meter is read with the protocol it names in meters.json (one binding per protocol).
  const protocols = new MeterProtocols({ bacnet: bacnetBinding(deps.reader ?? (bacnet as BacnetAdapter)) });

  const api = new ClientApi({
    origin: clientOrigin(config),
    apiKey: config.CLIENT_API_KEY,
    timeoutMs: config.HTTP_TIMEOUT_SECONDS * 1000,
    logger: logger.child({ module: 'uplink' }),
    now: () => clock.now(),
  });
  const queueGuard = new QueueGuard(queue, agentState, {
    maxReadings: config.QUEUE_MAX_READINGS,
    policy: config.QUEUE_FULL_POLICY,
    logger: logger.child({ module: 'collection' }),
    clock,
  });
  const spillingQueue = new SpillingQueue(queueGuard, spill, {
    logger: logger.child({ module: 'collection' }),
    onWriteFailed: (err) => supervisor.reportFailure(err),
  });
  supervisor.onUp(() => void spillingQueue.replay().catch(() => undefined));
  const collector = new Collector({
    protocols,
    queue: spillingQueue,
    status: meterStatus,
    logger: logger.child({ module: 'collection' }),
    clock,
    intervalMs: config.COLLECTION_INTERVAL_SECONDS * 1000,
    maxPendingReadings: config.SPILL_MEMORY_MAX_READINGS,
  });
  const uploader = new Uploader({
    api,
    queue,
    logger: logger.child({ module: 'sync' }),
    clock,
    batchSize: config.BATCH_SIZE,
    maxInFlight: config.SYNC_MAX_IN_FLIGHT,
    intervalMs: config.SYNC_INTERVAL_MINUTES * 60_000,
    maxRetries: config.MAX_RETRIES,
    backoff: { baseMs: config.BACKOFF_BASE_SECONDS * 1000, capMs: config.BACKOFF_CAP_SECONDS * 1000 },
    beforeRun: async () => {
      await reportOutageFirst();
      await ensureRegistered();
    },
  });

  // Bootstrap: meters.json seeds the local cache; the cache keeps collection going offline.
  if (fileMeters) {
    const added = await metersRepo.addMissing(fileMeters, 'file');
    logger.info('meters.json loaded', { file: config.METERS_FILE, meters: fileMeters.length, newInCache: added });
  }
  collector.setMeters(await metersRepo.list());
  if (collector.getMeters().length === 0) {
    logger.warn('no meters configured yet: add them in the client system or in meters.json', {
      file: config.METERS_FILE,
    });
  }

  let clockOffsetMs: number | null = null;
  let registered = false;
  const timers = new Map<string, unknown>();
  let stopped = false;

  // Meters only known locally are registered once, before any upload, so the client system
  // knows every meter a reading can name.
  async function ensureRegistered(): Promise<void> {
    if (registered || !fileMeters || fileMeters.length === 0) return;
    const r = await api.registerMeters(fileMeters);
    if (r.created.length > 0) logger.info('registered meters with the client system', { created: r.created });
    registered = true;
  }

  // After an outage (or a restart) the first call to the client system is a heartbeat: it carries
  // since when the uplink was down and the backlog, which the uplink and backlog alerts need, before
  // an upload empties the backlog and a config refresh marks the uplink up again.
  async function reportOutageFirst(): Promise<void> {
    if (api.uplink.up === true) return;
    await sendHeartbeat().catch((err: Error) =>
      logger.debug('heartbeat before the upload failed', { error: err.message }),
    );
  }

  async function refreshConfig(): Promise<void> {
    await reportOutageFirst();
    await ensureRegistered();
    const remote = await api.getConfig();
    if (remote.meters.length > 0 || !fileMeters) {
      await metersRepo.replaceAll(remote.meters);
      const before = JSON.stringify(collector.getMeters());
      const meters: MeterConfig[] = await metersRepo.list();
      collector.setMeters(meters);
      if (JSON.stringify(meters) !== before)
        logger.info('meter configuration updated from the client system', {
          meters: meters.length,
          version: remote.config_version,
        });
    }
  }

  // While the local database is down, status (dashboard, heartbeat) shows the last figures it gave.
  const lastKnown: {
    queue: AgentStatus['queue'];
    statuses: Awaited<ReturnType<MeterStatusRepository['list']>>;
    lastSyncAt: Date | null;
  } = {
    queue: { depth: 0, oldestUnsentAt: null, deadLetters: 0 },
    statuses: [],
    lastSyncAt: null,
  };
  const orLast = async <T>(read: Promise<T>, last: () => T, keep: (v: T) => void): Promise<T> => {
    try {
      const v = await read;
      keep(v);
      return v;
    } catch (err) {
      if (supervisor.up) throw err;
      return last();
    }
  };

  async function status(): Promise<AgentStatus> {
    const q = await orLast(
      queue.stats(),
      () => lastKnown.queue,
      (v) => (lastKnown.queue = v),
    );
    const statuses = await orLast(
      meterStatus.list(),
      () => lastKnown.statuses,
      (v) => (lastKnown.statuses = v),
    );
    const byId = new Map(statuses.map((s) => [s.meterExternalId, s]));
    const meters = collector.getMeters();
    let ok = 0;
    let failing = 0;
    let neverAnswered = 0;
    for (const m of meters) {
      const s = byId.get(m.id);
      if (!s?.lastSuccessAt) neverAnswered += 1;
      else if (s.consecutiveFailures > 0) failing += 1;
      else ok += 1;
    }
    const last = uploader.last;
    return {
      collecting: collector.collecting,
      collection: {
        changedAt: collection ? new Date(collection.changedAt) : null,
        reason: collection?.reason ?? null,
        lastCycleAt: collector.lastCycle,
        intervalSeconds: config.COLLECTION_INTERVAL_SECONDS,
      },
      uplink: { ...api.uplink },
      lastSync: last
        ? {
            at: last.finishedAt,
            ok: last.ok,
            sent: last.sent,
            stored: last.stored,
            duplicates: last.duplicates,
            deadLettered: last.deadLettered,
            error: last.error,
            errorCode: last.errorCode,
          }
        : null,
      // After a restart the uploader remembers nothing yet; the sync log does.
      lastSuccessfulSyncAt:
        uploader.lastSuccessAt ??
        (await orLast(
          queue.lastSuccessfulSyncAt(),
          () => lastKnown.lastSyncAt,
          (v) => (lastKnown.lastSyncAt = v),
        )),
      nextSyncAt: uploader.nextRunAt,
      queue: q,
      queueLimit: {
        max: config.QUEUE_MAX_READINGS,
        policy: config.QUEUE_FULL_POLICY,
        ...(await orLast(
          queueGuard.getCounters(),
          () => ({ dropped: 0, refused: 0, fullSince: null }),
          () => undefined,
        )),
      },
      meters: { configured: meters.length, ok, failing, neverAnswered },
      clockOffsetMs,
      startedAt,
      localDatabase: {
        ...supervisor.status,
        spilledReadings: spillingQueue.spilled,
        tornLines: spillingQueue.tornLines,
        inMemory: collector.waitingInMemory,
      },
      foreignDevice: bacnet?.foreignDeviceStatus() ?? null,
    };
  }

  // While the local database is down the heartbeat still goes out, with the meter states last read.
  let lastMeterStates: HeartbeatMeterState[] = [];
  async function meterStates(): Promise<HeartbeatMeterState[]> {
    try {
      lastMeterStates = heartbeatMeterStates(collector.getMeters(), await meterStatus.list());
    } catch (err) {
      if (supervisor.status.state === 'up') throw err;
    }
    return lastMeterStates;
  }

  async function sendHeartbeat(): Promise<void> {
    const s = await status();
    const body: HeartbeatRequest = {
      agent_version: config.AGENT_VERSION,
      agent_time: new Date(clock.now()).toISOString(),
      collecting: s.collecting,
      queue_depth: s.queue.depth,
      oldest_unsent_at: s.queue.oldestUnsentAt ? s.queue.oldestUnsentAt.toISOString() : null,
      dead_letters: s.queue.deadLetters,
      uplink_down_since: s.uplink.downSince ? s.uplink.downSince.toISOString() : null,
      last_sync_at: s.lastSuccessfulSyncAt ? s.lastSuccessfulSyncAt.toISOString() : null,
      meters: {
        configured: s.meters.configured,
        ok: s.meters.ok,
        failing: s.meters.failing,
        never_answered: s.meters.neverAnswered,
      },
      queue_limit: {
        max: s.queueLimit.max,
        policy: s.queueLimit.policy,
        dropped: s.queueLimit.dropped,
        refused: s.queueLimit.refused,
        full_since: s.queueLimit.fullSince,
      },
      local_database: {
        state: s.localDatabase.state,
        since: s.localDatabase.since.toISOString(),
        restarts: s.localDatabase.restarts,
        last_error: s.localDatabase.lastError?.message.slice(0, 1000) || null,
        spilled_readings: s.localDatabase.spilledReadings,
      },
      foreign_device: s.foreignDevice
        ? {
            bbmd: s.foreignDevice.bbmd,
            registered: s.foreignDevice.registered,
            last_registered_at: s.foreignDevice.lastRegisteredAt?.toISOString() ?? null,
            last_error: s.foreignDevice.lastError,
          }
        : null,
      // Per meter, so the operators' app shows a meter that stopped answering at once (not when its values go stale).
      meter_states: await meterStates(),
    };
    const res = await api.heartbeat(body);
    clockOffsetMs = res.clock_offset_ms;
  }

  function every(ms: number, name: string, fn: () => Promise<unknown>): void {
    const tick = () => {
      if (stopped) return;
      fn()
        .catch((err: Error) => logger.debug(`${name} failed`, { error: err.message }))
        .finally(() => {
          if (!stopped) timers.set(name, clock.setTimeout(tick, ms));
        });
    };
    timers.set(name, clock.setTimeout(tick, 0));
  }

  // What an earlier run spilled goes into the queue before anything new.
  await spillingQueue.replay().catch(() => undefined);
  // A technician's "stop" survives restarts; with no choice recorded yet, the agent collects.
  let collection: CollectionState | null = await agentState.getCollection();
  if (collection && !collection.collecting) {
    logger.warn('collection stays stopped, as a technician chose; start it from the site dashboard', {
      since: collection.changedAt,
      reason: collection.reason,
    });
  } else {
    collector.start();
  }
  supervisor.start();

  async function setCollecting(collecting: boolean, reason?: string): Promise<CollectionState> {
    const next: CollectionState = {
      collecting,
      changedAt: new Date(clock.now()).toISOString(),
      reason: reason ?? null,
    };
    // Persist first: if the database refuses, the running state must not pretend otherwise.
    await agentState.setCollection(next);
    collection = next;
    if (collecting) collector.start();
    else await collector.stop();
    logger.info(collecting ? 'collection started by request' : 'collection stopped by request', {
      reason: reason ?? null,
    });
    return next;
  }

  every(config.CONFIG_REFRESH_MINUTES * 60_000, 'config refresh', refreshConfig);
  uploader.start();
  every(config.HEARTBEAT_INTERVAL_SECONDS * 1000, 'heartbeat', sendHeartbeat);
  // The queue churns (insert, mark synced, purge): keep its statistics and free space fresh, weekly.
  every(7 * 24 * 3600_000, 'vacuum of the local queue', () => db.knex.raw('VACUUM (ANALYZE) meter_readings'));
  every(3600_000, 'purge of synced readings', async () => {
    const n = await queue.purgeSynced(new Date(clock.now() - config.SYNCED_RETENTION_HOURS * 3600_000));
    if (n > 0) logger.info('purged synced readings past the retention window', { readings: n });
    const logs = await queue.purgeSyncLog(new Date(clock.now() - config.SYNC_LOG_RETENTION_DAYS * 24 * 3600_000));
    if (logs > 0)
      logger.info('purged sync log entries past their retention', {
        entries: logs,
        days: config.SYNC_LOG_RETENTION_DAYS,
      });
    const a = await mcpAudit.purgeOlderThan(new Date(clock.now() - config.MCP_AUDIT_RETENTION_DAYS * 24 * 3600_000));
    if (a > 0)
      logger.info('purged MCP audit entries past their retention', {
        entries: a,
        days: config.MCP_AUDIT_RETENTION_DAYS,
      });
  });

  let localApi: LocalApiServer | null = null;
  const agent: Agent = {
    config,
    db,
    collector,
    uploader,
    api,
    queue,
    meterStatus,
    readings,
    clock,
    localDatabase: supervisor,
    bacnet,
    mcpAudit,
    get localApi() {
      return localApi;
    },
    status,
    meterStates,
    refreshConfig,
    sendHeartbeat,
    startCollection: (reason) => setCollecting(true, reason),
    stopCollection: (reason) => setCollecting(false, reason),
    syncNow: () => uploader.syncNow(),
    async retryDeadLetters(ids) {
      const r = await queue.requeueDeadLetters(ids);
      if (r.moved > 0) logger.info('dead letters moved back into the upload queue', r);
      return r;
    },
    async stop() {
      stopped = true;
      await localApi?.close();
      for (const t of timers.values()) clock.clearTimeout(t);
      await collector.stop();
      await uploader.stop();
      await protocols.close();
      await supervisor.stop();
      await spill.close();
      await db.close();
      logger.info('agent stopped');
    },
  };

  if (deps.serveLocalApi !== false) {
    try {
      localApi = await startLocalApi(agent, { logger: logger.child({ module: 'local-api' }) });
    } catch (err) {
      // Collection and sync matter more than the dashboard: keep running, and say so loudly.
      logger.error('the local API and site dashboard could not start; collection and sync go on', {
        host: config.LOCAL_API_HOST,
        port: config.LOCAL_API_PORT,
        error: (err as Error).message,
      });
    }
  }
  return agent;
}
