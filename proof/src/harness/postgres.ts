import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@meterit/shared/node';
import { freePort } from '@meterit/shared/testing';

/** An embedded PostgreSQL of the suite's own that can be stopped and started again (same folder, same port). */
export interface RestartablePostgres {
  port: number;
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Stop and remove the data folder. */
  destroy(): Promise<void>;
}

export async function startRestartablePostgres(name: string): Promise<RestartablePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `meterit-proof-${name}-`));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const logger = createLogger({ service: `proof-pg-${name}`, level: 'error' });
  let handle: EmbeddedPostgresHandle | null = await startEmbeddedPostgres(dir, port, logger);
  const conn = handle.connection;
  const url = (database: string) =>
    `postgresql://${encodeURIComponent(conn.user)}:${encodeURIComponent(conn.password)}@${conn.host}:${conn.port}/${database}`;
  const stop = async () => {
    const h = handle;
    handle = null;
    if (h) await h.stop();
  };
  return {
    port,
    url,
    async createDatabase(db: string) {
      const client = new pg.Client({ ...conn, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${db}"`);
      } finally {
        await client.end();
      }
      return url(db);
    },
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      handle = await startEmbeddedPostgres(dir, port, logger);
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
