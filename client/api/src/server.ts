import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, type Database, type Logger } from '@meterit/shared/node';
import { createApp } from './app.js';
import { describeDatabase, loadConfig, logFileOptions, type ClientApiConfig } from './config.js';
import { openClientDatabase } from './db/index.js';
import { UsersService } from './components/users/users-service.js';

export interface StartOptions {
  /** Environment to read the configuration from (default process.env); `overrides` win over it. */
  env?: Record<string, string | undefined>;
  /** Use this logger instead of creating one from the configuration. */
  logger?: Logger;
}

export interface RunningClientApi {
  /** e.g. http://127.0.0.1:3001 (loopback when listening on all interfaces). */
  url: string;
  port: number;
  db: Database;
  config: ClientApiConfig;
  logger: Logger;
  /** Stop accepting connections, let requests in flight finish (up to `graceMs`), then close the database. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Open the database (migrating it), build the app and listen. Used by main.ts and by other
 * packages' end-to-end tests: `startClientApi({ port: 0, database: {...} })`.
 */
export async function startClientApi(overrides: Partial<ClientApiConfig> = {}, opts: StartOptions = {}): Promise<RunningClientApi> {
  const config: ClientApiConfig = { ...loadConfig(opts.env ?? process.env), ...overrides };
  const logger = opts.logger ?? createLogger({ service: 'client-api', level: config.logLevel, ...logFileOptions(config.logFile) });
  logger.info('opening database', { database: describeDatabase(config.database) });
  const db = await openClientDatabase(config.database, logger);
  const app = createApp({
    knex: db.knex,
    logger,
    bodyLimit: config.bodyLimit,
    syncRateLimitPerMinute: config.syncRateLimitPerMinute,
    trustProxy: config.trustProxy,
    operator: config,
  });
  try {
    await new UsersService(db.knex).ensureFirstAdmin({
      email: config.adminEmail,
      password: config.adminPassword,
      file: config.initialAdminFile,
      logger,
    });
  } catch (err) {
    await db.close();
    throw err;
  }

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
      s.once('error', reject);
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('client API listening', { url, host: config.host, port, env: config.nodeEnv });

  let closing: Promise<void> | undefined;
  const close = (graceMs = 10_000): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down: no new connections, finishing requests in flight');
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn('requests still open after the grace period; closing their connections', { grace_ms: graceMs });
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive connections would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      await db.close();
      logger.info('shut down');
    })();
    return closing;
  };

  return { url, port, db, config, logger, close };
}
