import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createSecureContext as createSecureContextCheck } from 'node:tls';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createLogger, type Database, type Logger } from '@meterit/shared/node';
import { createApp } from './app.js';
import { composeServices } from './compose.js';
import { describeDatabase, loadConfig, logFileOptions, type ClientApiConfig } from './config.js';
import { openClientDatabase } from './db/index.js';
import type { AlertsComponent, Clock } from './components/alerts/index.js';
import { Housekeeping } from './components/housekeeping/housekeeping.js';
import { RollupChangesRepository } from './components/energy/rollup-changes-repository.js';
import { RollupWorker } from './components/energy/rollup-worker.js';

export interface StartOptions {
  /** Environment to read the configuration from (default process.env); `overrides` win over it. */
  env?: Record<string, string | undefined>;
  /** Use this logger instead of creating one from the configuration. */
  logger?: Logger;
  /** The alert engine's clock (tests drive it with a ManualClock and call `alerts.engine.tick()`). */
  alertClock?: Clock;
  /** The housekeeping job's clock (partitions ahead, retention); tests pass a fixed one and call `housekeeping.runOnce()`. */
  housekeepingNow?: () => Date;
  /** The energy rollup worker's clock (tests pass a ManualClock and call `rollups.runOnce()`). */
  rollupClock?: Clock;
}

export interface RunningClientApi {
  /** e.g. http://127.0.0.1:3001 (loopback when listening on all interfaces). */
  url: string;
  port: number;
  db: Database;
  config: ClientApiConfig;
  logger: Logger;
  /** The alert engine, its outbox and the service the MCP server calls (`alerts.service`). */
  alerts: AlertsComponent;
  /** Monthly readings partitions and the optional retention, on its own timer. */
  housekeeping: Housekeeping;
  /** The energy rollup worker (null with ENERGY_ROLLUPS_ENABLED=false); `runOnce()` applies every queued change. */
  rollups: RollupWorker | null;
  /** Stop accepting connections, let requests in flight finish (up to `graceMs`), then close the database. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The application exactly as startClientApi serves it for `config`, without listening: the services composed
 * (compose.ts), then the app over them. The bad-input suite's coverage check enumerates its routes, so a new
 * route cannot go unattacked. Building it queries nothing.
 */
export function appFor(
  config: ClientApiConfig,
  deps: { knex: Knex; logger: Logger; alertClock?: Clock | undefined; onAlerts?(c: AlertsComponent): void },
): Express {
  const services = composeServices({ knex: deps.knex, logger: deps.logger, config, alertClock: deps.alertClock });
  deps.onAlerts?.(services.alerts);
  return createApp(services, { ...config, logger: deps.logger });
}

/**
 * Open the database (migrating it), build the app and listen. Used by main.ts and by other
 * packages' end-to-end tests: `startClientApi({ port: 0, database: {...} })`.
 */
export async function startClientApi(
  overrides: Partial<ClientApiConfig> = {},
  opts: StartOptions = {},
): Promise<RunningClientApi> {
  const config: ClientApiConfig = { ...loadConfig(opts.env ?? process.env), ...overrides };
  const logger =
    opts.logger ?? createLogger({ service: 'client-api', level: config.logLevel, ...logFileOptions(config.logFile) });
  logger.info('opening database', { database: describeDatabase(config.database) });
  const db = await openClientDatabase(config.database, logger);
  const services = composeServices({ knex: db.knex, logger, config, alertClock: opts.alertClock });
  const app = createApp(services, { ...config, logger });
  try {
    await services.users.ensureFirstAdmin({
      email: config.adminEmail,
      password: config.adminPassword,
      file: config.initialAdminFile,
      logger,
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  const { alerts } = services;
  try {
    await alerts.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const housekeeping = new Housekeeping({
    knex: db.knex,
    logger,
    aheadMonths: config.readingsPartitionsAheadMonths,
    retentionMonths: config.readingsRetentionMonths,
    logRetention: config.logRetention,
    rollupRetentionMonths: config.energyRollups.retentionMonths,
    ...(opts.housekeepingNow ? { now: opts.housekeepingNow } : {}),
  });
  await housekeeping.start();
  let rollups: RollupWorker | null = null;
  try {
    // Rollups switched on (first start, or again after a time off) are built from the readings stored meanwhile.
    const queued = await new RollupChangesRepository(db.knex).ensureKept(services.rollups !== null);
    if (queued > 0) logger.info('energy rollups: building them from the stored readings', { changes: queued });
  } catch (err) {
    await housekeeping.stop();
    await alerts.stop();
    await db.close();
    throw err;
  }
  if (services.rollups) {
    rollups = new RollupWorker({
      upkeep: services.rollups,
      logger,
      intervalMs: config.energyRollups.intervalMs,
      ...(opts.rollupClock ? { clock: opts.rollupClock } : {}),
    });
    rollups.start();
  }

  let server: Server | HttpsServer;
  try {
    server = await new Promise<Server | HttpsServer>((resolve, reject) => {
      if (config.tls) {
        // HTTPS served by the API itself; without TLS_* it is plain HTTP (behind a TLS proxy, see TRUST_PROXY).
        const s = createHttpsServer(tlsOptions(config.tls), app);
        s.once('error', reject);
        s.listen(config.port, config.host, () => resolve(s));
        return;
      }
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
      s.once('error', reject);
    });
  } catch (err) {
    await rollups?.stop();
    await housekeeping.stop();
    await alerts.stop();
    await db.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('client API listening', {
    url,
    host: config.host,
    port,
    env: config.nodeEnv,
    tls: config.tls ? 'served by this process' : config.trustProxy ? 'terminated by a trusted proxy' : 'off',
  });

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
      await rollups?.stop();
      await housekeeping.stop();
      await alerts.stop();
      await db.close();
      logger.info('shut down');
    })();
    return closing;
  };

  return { url, port, db, config, logger, alerts, housekeeping, rollups, close };
}

/** The certificate and key as https options, or an error that says which file is wrong and how. */
function tlsOptions(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
    key = readFileSync(tls.keyFile);
  } catch (err) {
    throw new Error(`TLS_CERT_FILE / TLS_KEY_FILE cannot be read: ${(err as Error).message}`);
  }
  try {
    // Fails here, at start, for a malformed PEM or a key that does not belong to the certificate.
    createSecureContextCheck({ cert, key });
  } catch (err) {
    throw new Error(
      `TLS_CERT_FILE ${tls.certFile} and TLS_KEY_FILE ${tls.keyFile} cannot be used together: ${(err as Error).message}`,
    );
  }
  return { cert, key };
}
