import path from 'node:path';
import { openDatabase, type Logger } from '@meterit/shared/node';
import { systemClock, type Clock } from '../clock.js';
import { clientOrigin, type AgentConfig } from '../config.js';
import { siteDatabaseOptions } from '../db/index.js';
import { LocalDatabaseSupervisor } from '../db/supervisor.js';
import { loadMetersFile } from '../meters/meters-file.js';
import { MetersRepository } from '../meters/meters-repository.js';
import { Collector } from '../collector/collector.js';
import { MeterStatusRepository } from '../collector/meter-status-repository.js';
import { AgentStateRepository } from '../collector/agent-state-repository.js';
import { ReadingsInFlight } from '../queue/in-flight.js';
import { QueueGuard } from '../queue/queue-guard.js';
import { QueueRepository } from '../queue/queue-repository.js';
import { LocalReadingsRepository } from '../queue/local-readings-repository.js';
import { SpillFile } from '../queue/spill-file.js';
import { SpillingQueue } from '../queue/spilling-queue.js';
import { ClientApi } from '../uploader/client-api.js';
import { Uploader } from '../uploader/uploader.js';
import { BacnetAdapter, bacnetBinding } from '../meters/bacnet/index.js';
import type { MeterProtocol } from '../meters/protocol.js';
import { MeterProtocols } from '../meters/registry.js';
import { McpAuditRepository } from '../mcp-audit/mcp-audit-repository.js';
import { CollectionSwitch } from './collection.js';
import { RuntimeControl, type MeterNetwork } from './control.js';
import { Heartbeat } from './heartbeat.js';
import { scheduleHousekeeping } from './housekeeping.js';
import { MeterConfiguration } from './meter-configuration.js';
import type { SiteControl, SiteFacts, SiteReadModel } from './ports.js';
import { RuntimeReadModel } from './read-model.js';
import { Schedule } from './schedule.js';
import { BacklogHistory } from './backlog-history.js';
import { SiteIdentityKeeper } from './site-identity.js';

/** The running site: its two ports, the MCP audit log (the local API writes it), and a clean stop. */
export interface SiteRuntime {
  readonly read: SiteReadModel;
  readonly control: SiteControl;
  /** Every MCP tool call, for the audit log. */
  readonly mcpAudit: McpAuditRepository;
  stop(): Promise<void>;
}

export interface SiteRuntimeDeps {
  logger: Logger;
  clock?: Clock;
  /** Tests may pass their own BACnet protocol; production opens the adapter from the config. */
  reader?: MeterProtocol;
}

function siteFacts(c: AgentConfig): SiteFacts {
  return {
    agentVersion: c.AGENT_VERSION,
    collectionIntervalSeconds: c.COLLECTION_INTERVAL_SECONDS,
    syncIntervalMinutes: c.SYNC_INTERVAL_MINUTES,
    queueMaxReadings: c.QUEUE_MAX_READINGS,
    syncedRetentionHours: c.SYNCED_RETENTION_HOURS,
    dataDir: c.SYNC_DATA_DIR,
    meterSlowMs: c.METER_SLOW_MS,
    bacnetTimeoutMs: c.BACNET_TIMEOUT_MS,
    discoveryTarget: c.BACNET_BBMD_ADDRESS
      ? `${c.BACNET_BBMD_ADDRESS} (through the BBMD, as a foreign device)`
      : `${c.BACNET_BROADCAST_ADDRESS}:${c.BACNET_PORT}`,
    backlogSampleSeconds: backlogSampleMs(c) / 1000,
  };
}

/** The backlog is sampled as often as the heartbeat reads the status, at most once a minute. */
const backlogSampleMs = (c: AgentConfig) => Math.min(60_000, c.HEARTBEAT_INTERVAL_SECONDS * 1000);

/** The BACnet adapter, or null when a test passed its own reader. The only place the runtime opens the protocol. */
async function openBacnet(config: AgentConfig, deps: SiteRuntimeDeps): Promise<BacnetAdapter | null> {
  if (deps.reader) return null;
  const bacnet = await BacnetAdapter.open({
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
    logger: deps.logger.child({ module: 'bacnet' }),
  });
  // Meters on another subnet: stay registered with the BBMD while the agent runs, so discovery reaches them.
  if (config.BACNET_BBMD_ADDRESS) bacnet.keepForeignDeviceRegistration();
  return bacnet;
}

const networkOf = (bacnet: BacnetAdapter | null): MeterNetwork | null =>
  bacnet && {
    discover: (o) => bacnet.discover(o),
    readPoint: (r) => bacnet.readProperty(r.device, r.objectType, r.instance, r.property, r.arrayIndex),
  };

/**
 * Build and run the site's pipeline: local database (supervised), meter configuration, collector,
 * queue with its storage limit and spill file, uploader, heartbeat, housekeeping. Knows no HTTP.
 */
export async function startSiteRuntime(config: AgentConfig, deps: SiteRuntimeDeps): Promise<SiteRuntime> {
  const logger = deps.logger;
  const clock = deps.clock ?? systemClock;
  const collectionLog = logger.child({ module: 'collection' });
  // A broken meters.json stops the start before anything is opened (its error lists every problem).
  const fileMeters = await loadMetersFile(config.METERS_FILE);
  // Readings the local database could not take wait here, on disk, even across a kill of the agent.
  const spill = await SpillFile.open(path.join(config.SYNC_DATA_DIR, 'spill'), collectionLog);
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

  const queue = new QueueRepository(db.knex);
  const meterStatus = new MeterStatusRepository(db.knex);
  const agentState = new AgentStateRepository(db.knex);
  const mcpAudit = new McpAuditRepository(db.knex);
  const startedAt = new Date(clock.now());
  const backlogHistory = new BacklogHistory({ spacingMs: backlogSampleMs(config), store: agentState, logger });
  const siteIdentity = new SiteIdentityKeeper({ store: agentState, logger });
  await backlogHistory.load(clock.now());
  await siteIdentity.load();
  const bacnet = await openBacnet(config, deps).catch(async (err: unknown) => {
    // The BACnet port is taken or the interface is wrong: leave no database server behind.
    await db.close();
    throw err;
  });
  // Each meter is read with the protocol it names in meters.json (one binding per protocol).
  const protocols = new MeterProtocols({ bacnet: bacnetBinding(deps.reader ?? (bacnet as BacnetAdapter)) });

  const api = new ClientApi({
    origin: clientOrigin(config),
    apiKey: config.CLIENT_API_KEY,
    timeoutMs: config.HTTP_TIMEOUT_SECONDS * 1000,
    logger: logger.child({ module: 'uplink' }),
    now: () => clock.now(),
  });
  // The uploader's batches on their way, which the storage limit must spare.
  const inFlight = new ReadingsInFlight();
  const queueGuard = new QueueGuard(queue, agentState, {
    maxReadings: config.QUEUE_MAX_READINGS,
    policy: config.QUEUE_FULL_POLICY,
    logger: collectionLog,
    clock,
    inFlight,
  });
  const spillingQueue = new SpillingQueue(queueGuard, spill, {
    logger: collectionLog,
    onWriteFailed: (err) => supervisor.reportFailure(err),
  });
  supervisor.onUp(() => void spillingQueue.replay().catch(() => undefined));
  const collector = new Collector({
    protocols,
    queue: spillingQueue,
    status: meterStatus,
    logger: collectionLog,
    clock,
    intervalMs: config.COLLECTION_INTERVAL_SECONDS * 1000,
    maxPendingReadings: config.SPILL_MEMORY_MAX_READINGS,
  });
  const collection = new CollectionSwitch({ poller: collector, store: agentState, clock, logger });

  // The uploader and the heartbeat need each other's figures: the read model is built once both exist.
  let read: RuntimeReadModel | null = null;
  const heartbeat = new Heartbeat({
    api,
    status: () => (read as RuntimeReadModel).status(),
    meters: () => (read as RuntimeReadModel).meters(),
    agentVersion: config.AGENT_VERSION,
    clock,
    logger,
  });
  const meterConfig = new MeterConfiguration({
    api,
    cache: new MetersRepository(db.knex),
    poller: collector,
    fileMeters,
    metersFile: config.METERS_FILE,
    outage: heartbeat,
    site: siteIdentity,
    logger,
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
    inFlight,
    outage: heartbeat,
    meters: meterConfig,
  });
  read = new RuntimeReadModel({
    facts: siteFacts(config),
    queuePolicy: config.QUEUE_FULL_POLICY,
    clock,
    startedAt,
    queue,
    readings: new LocalReadingsRepository(db.knex),
    meterStatus,
    queueLimit: queueGuard,
    poller: collector,
    uploader,
    uplink: () => api.uplink,
    database: supervisor,
    spill: spillingQueue,
    collection: () => collection.current,
    backlogHistory,
    site: () => siteIdentity.current,
    clockOffsetMs: () => heartbeat.clockOffsetMs,
    foreignDevice: () => bacnet?.foreignDeviceStatus() ?? null,
  });
  const control = new RuntimeControl({
    collection,
    uploader,
    deadLetters: queue,
    network: networkOf(bacnet),
    logger,
  });

  // Bootstrap: meters.json seeds the local cache; the cache keeps collection going offline.
  await meterConfig.bootstrap();
  // What an earlier run spilled goes into the queue before anything new.
  await spillingQueue.replay().catch(() => undefined);
  await collection.resume();
  supervisor.start();

  const schedule = new Schedule(clock, logger);
  schedule.every(config.CONFIG_REFRESH_MINUTES * 60_000, 'config refresh', () => meterConfig.refresh());
  uploader.start();
  schedule.every(config.HEARTBEAT_INTERVAL_SECONDS * 1000, 'heartbeat', () => heartbeat.send());
  scheduleHousekeeping(schedule, {
    queue,
    audit: mcpAudit,
    clock,
    logger,
    retention: {
      syncedReadingsHours: config.SYNCED_RETENTION_HOURS,
      syncLogDays: config.SYNC_LOG_RETENTION_DAYS,
      mcpAuditDays: config.MCP_AUDIT_RETENTION_DAYS,
    },
  });

  return {
    read,
    control,
    mcpAudit,
    async stop() {
      schedule.stop();
      await collector.stop();
      await uploader.stop();
      await backlogHistory.flush(clock.now()).catch(() => undefined);
      await protocols.close();
      await supervisor.stop();
      await spill.close();
      await db.close();
      logger.info('agent stopped');
    },
  };
}
