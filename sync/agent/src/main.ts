import path from 'node:path';
import { createLogger, ConfigError } from '@meterit/shared/node';
import { loadConfig, localApiSettings } from './config.js';
import { startSiteRuntime, type SiteRuntime } from './site/site-runtime.js';
import { startLocalApi, type LocalApiServer } from './local-api/server.js';

// The site agent daemon and its composition root: config → site runtime → local API (HTTP, MCP,
// metrics), which gets only the runtime's ports. Collection and sync run whether or not anyone is watching.
const bootLogger = createLogger({ service: 'sync-agent', level: process.env.LOG_LEVEL });

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      bootLogger.error('the agent cannot start: fix these settings (see sync/agent/.env.example)', {
        problems: err.problems,
      });
      process.exit(2);
    }
    throw err;
  }
  // JSON lines on stdout, and daily files: everything, and collection and sync apart (as the design asks).
  const logger = createLogger({
    service: 'sync-agent',
    level: config.LOG_LEVEL,
    dir: config.LOG_DIR ?? path.join(config.SYNC_DATA_DIR, 'logs'),
    files: [
      { name: 'agent' },
      { name: 'collection', modules: ['collection', 'bacnet'] },
      { name: 'sync', modules: ['sync', 'uplink'] },
    ],
  });
  let runtime: SiteRuntime | null = null;
  let localApi: LocalApiServer | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    try {
      await localApi?.close();
      await runtime?.stop();
      process.exit(0);
    } catch (err) {
      logger.error('unclean shutdown', { error: (err as Error).message });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }));
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', { error: err.message, stack: err.stack });
    void shutdown('uncaughtException');
  });
  runtime = await startSiteRuntime(config, { logger });
  try {
    localApi = await startLocalApi({
      read: runtime.read,
      control: runtime.control,
      audit: runtime.mcpAudit,
      settings: localApiSettings(config),
      logger: logger.child({ module: 'local-api' }),
    });
  } catch (err) {
    // Collection and sync matter more than the dashboard: keep running, and say so loudly.
    logger.error('the local API and site dashboard could not start; collection and sync go on', {
      host: config.LOCAL_API_HOST,
      port: config.LOCAL_API_PORT,
      error: (err as Error).message,
    });
  }
  const { meters } = await runtime.read.meters();
  logger.info('agent running', {
    meters: meters.length,
    client: config.CLIENT_API_URL,
    collectionIntervalSeconds: config.COLLECTION_INTERVAL_SECONDS,
    syncIntervalMinutes: config.SYNC_INTERVAL_MINUTES,
    dashboard: localApi?.url ?? null,
  });
}

main().catch((err: Error) => {
  bootLogger.error('the agent failed to start', { error: err.message, stack: err.stack });
  process.exit(1);
});
