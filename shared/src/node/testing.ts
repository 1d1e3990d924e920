import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './database.js';
import { createLogger } from './logger.js';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** One real PostgreSQL (embedded) for a test run, in a temporary folder removed at stop. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-test-pg-'));
  // The server runs as the unprivileged postgres user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const logger = createLogger({ service: 'test-postgres', level: 'warn' });
  const handle = await startEmbeddedPostgres(dir, port, logger);
  return {
    ...handle.connection,
    async stop() {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Create a fresh, empty database on the test server and return its URL. */
export async function createTestDatabase(server: Omit<TestPostgres, 'stop'>, name: string): Promise<string> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
  await client.connect();
  try {
    const safe = name.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
    await client.query(`DROP DATABASE IF EXISTS "${safe}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${safe}"`);
    return `postgresql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${safe}`;
  } finally {
    await client.end();
  }
}
