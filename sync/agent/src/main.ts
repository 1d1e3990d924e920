import path from 'node:path';
import { createLogger, ConfigError } from '@meterit/shared/node';
import { loadConfig } from './config.js';
import { startAgent, type Agent } from './agent.js';

// The site agent daemon: collection and sync run whether or not anyone is watching.
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
  let agent: Agent | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    try {
      await agent?.stop();
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
  agent = await startAgent(config, { logger });
  logger.info('agent running', {
    meters: agent.collector.getMeters().length,
    client: config.CLIENT_API_URL,
    collectionIntervalSeconds: config.COLLECTION_INTERVAL_SECONDS,
    syncIntervalMinutes: config.SYNC_INTERVAL_MINUTES,
    dashboard: agent.localApi?.url ?? null,
  });
}

main().catch((err: Error) => {
  bootLogger.error('the agent failed to start', { error: err.message, stack: err.stack });
  process.exit(1);
});
