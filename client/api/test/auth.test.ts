import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { call, countReadings, createSite, meter, reading, startTestApi, type TestSite } from './helpers.js';

let api: RunningClientApi;
let site: TestSite;

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Auth site');
  await call(api, 'POST', SYNC_PATHS.meters, { key: site.key, body: { meters: [meter('meter-001')] } });
});
afterAll(async () => {
  await api?.close();
});

const batch = { readings: [reading()] };

describe('when an agent authenticates with its key', () => {
  it('then /api/sync/auth names its site and the server time', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.auth, { key: site.key });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ site_id: site.id, site_name: 'Auth site', server_time: expect.stringMatching(/Z$/) });
    expect(Math.abs(Date.parse(res.json.server_time) - Date.now())).toBeLessThan(5000);
  });

  it('then the key is stored only as a hash', async () => {
    const { rows } = await api.db.knex.raw<{ rows: { key_prefix: string; key_hash: Buffer }[] }>(
      'SELECT key_prefix, key_hash FROM site_api_keys',
    );
    for (const row of rows) {
      expect(row.key_hash).toHaveLength(32);
      expect(row.key_hash.toString('utf8')).not.toContain(site.key.slice(-20));
    }
    const { rows: text } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      "SELECT count(*)::int AS n FROM site_api_keys WHERE encode(key_hash, 'escape') LIKE ?",
      [`%${site.key.slice(-20)}%`],
    );
    expect(text[0]?.n).toBe(0);
  });
});

describe('when a request has no key', () => {
  it('then every sync endpoint answers 401 AUTH_MISSING and stores nothing', async () => {
    const before = await countReadings(api);
    for (const [method, path] of [
      ['POST', SYNC_PATHS.auth],
      ['POST', SYNC_PATHS.batch],
      ['GET', SYNC_PATHS.config],
      ['POST', SYNC_PATHS.meters],
      ['POST', SYNC_PATHS.heartbeat],
    ] as const) {
      const res = await call(api, method, path, method === 'POST' ? { body: batch } : {});
      expect(res.status, path).toBe(401);
      expect(res.json.error.code).toBe('AUTH_MISSING');
      expect(res.json.error.message).toMatch(/x-api-key/);
    }
    expect(await countReadings(api)).toBe(before);
  });
});

describe('when a request has a wrong key', () => {
  it('then malformed, unknown and almost-right keys all get the same 401 AUTH_INVALID', async () => {
    const prefixOfReal = site.key.slice(0, 'mk_'.length + 16);
    const wrongSecret = `${prefixOfReal}_${'A'.repeat(43)}`;
    const unknown = `mk_0123456789abcdef_${'B'.repeat(43)}`;
    const messages = new Set<string>();
    for (const key of ['nonsense', unknown, wrongSecret, `${site.key}x`]) {
      const res = await call(api, 'POST', SYNC_PATHS.batch, { key, body: batch });
      expect(res.status, key).toBe(401);
      expect(res.json.error.code).toBe('AUTH_INVALID');
      messages.add(res.json.error.message);
    }
    expect(messages.size).toBe(1);
    expect(await countReadings(api)).toBe(0);
  });
});

describe('when a key is revoked', () => {
  it('then it stops working at once while the site keeps its other keys', async () => {
    const service = new SitesService(api.db.knex);
    const second = await service.createSiteWithKey('Auth site');
    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: second.api_key })).status).toBe(200);

    expect(await service.revokeKey(second.api_key)).toBe(true);

    const res = await call(api, 'POST', SYNC_PATHS.batch, { key: second.api_key, body: batch });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('AUTH_INVALID');
    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: site.key })).status).toBe(200);
    expect(await countReadings(api)).toBe(0);
  });
});

describe('when a key is rotated without a grace period', () => {
  it('then the old key is refused and the new one works', async () => {
    const rotating = await createSite(api, 'Rotating site');
    const fresh = await new SitesService(api.db.knex).createSiteWithKey('Rotating site', { expireOtherKeysAfterMs: 0 });

    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: rotating.key })).status).toBe(401);
    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: fresh.api_key })).json.site_id).toBe(rotating.id);
  });

  it('then with a grace period both keys work until it ends', async () => {
    const rotating = await createSite(api, 'Graceful site');
    const fresh = await new SitesService(api.db.knex).createSiteWithKey('Graceful site', {
      expireOtherKeysAfterMs: 3_600_000,
    });

    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: rotating.key })).status).toBe(200);
    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: fresh.api_key })).status).toBe(200);
  });
});

describe('when a site is disabled', () => {
  it('then its key is refused', async () => {
    const disabled = await createSite(api, 'Disabled site');
    await new SitesService(api.db.knex).setSiteActive(disabled.id, false);
    const res = await call(api, 'POST', SYNC_PATHS.auth, { key: disabled.key });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('AUTH_INVALID');
  });
});

describe('when an agent sends a request id', () => {
  it('then a well-formed id is echoed in the header and the error body', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.batch, {
      key: 'nonsense',
      body: batch,
      headers: { 'x-request-id': 'agent-42.batch-7' },
    });
    expect(res.headers.get('x-request-id')).toBe('agent-42.batch-7');
    expect(res.json.error.request_id).toBe('agent-42.batch-7');
  });

  it('then a malformed id is replaced by a generated one', async () => {
    const res = await call(api, 'GET', '/health', { headers: { 'x-request-id': 'bad id with spaces <script>' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
