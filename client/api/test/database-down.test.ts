import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '@meterit/shared';
import { createLogger, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@meterit/shared/node';
import { startClientApi, type RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { freePort } from '@meterit/shared/testing';
import { call, reading } from './helpers.js';

// This file stops its database, so it runs its own PostgreSQL instead of the shared one.
let dir: string;
let pg: EmbeddedPostgresHandle;
let api: RunningClientApi;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'client-api-down-'));
  chmodSync(dir, 0o755);
  const logger = createLogger({ service: 'test', silent: true });
  pg = await startEmbeddedPostgres(dir, await freePort(), logger);
  api = await startClientApi(
    { port: 0, host: '127.0.0.1', database: { kind: 'connection', ...pg.connection, database: 'postgres' } },
    { env: { NODE_ENV: 'test' }, logger },
  );
  key = (await new SitesService(api.db.knex).createSiteWithKey('Lonely site')).api_key;
});
afterAll(async () => {
  await api?.close(1000).catch(() => {});
  await pg?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('when the database goes down', () => {
  it('then /ready and the sync endpoints answer 503 UNAVAILABLE, while /health still answers', async () => {
    expect((await call(api, 'GET', '/ready')).status).toBe(200);

    await pg.stop();

    const ready = await call(api, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.json.error.code).toBe('UNAVAILABLE');
    const batch = await call(api, 'POST', SYNC_PATHS.batch, { key, body: { readings: [reading()] } });
    expect(batch.status).toBe(503);
    expect(batch.json.error.code).toBe('UNAVAILABLE');
    expect(batch.headers.get('retry-after')).toBe('5');
    expect((await call(api, 'GET', '/health')).status).toBe(200);
  });
});
