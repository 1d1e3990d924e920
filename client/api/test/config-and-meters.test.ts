import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';

let api: RunningClientApi;
let siteA: TestSite;
let siteB: TestSite;

beforeAll(async () => {
  api = await startTestApi();
  siteA = await createSite(api, 'North');
  siteB = await createSite(api, 'South');
});
afterAll(async () => {
  await api?.close();
});

describe('when a site registers meters from its meters.json', () => {
  it('then new meters are created and reported as created', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.meters, {
      key: siteA.key,
      body: { meters: [meter('m-1'), meter('m-2')] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ created: ['m-1', 'm-2'], existing: [] });
  });

  it('then registering again never overwrites what the client system has', async () => {
    await api.db.knex.raw("UPDATE meters SET name = 'Renamed by operator' WHERE external_id = 'm-1'");

    const res = await call(api, 'POST', SYNC_PATHS.meters, {
      key: siteA.key,
      body: { meters: [meter('m-1', { name: 'Agent name', bacnet_ip: '10.0.0.9' }), meter('m-3')] },
    });

    expect(res.json).toEqual({ created: ['m-3'], existing: ['m-1'] });
    const { rows } = await api.db.knex.raw<{ rows: { name: string; bacnet_ip: string }[] }>(
      "SELECT name, bacnet_ip FROM meters WHERE external_id = 'm-1'",
    );
    expect(rows).toEqual([{ name: 'Renamed by operator', bacnet_ip: '127.0.0.1' }]);
  });

  it('then the same external id on another site is a separate meter', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.meters, { key: siteB.key, body: { meters: [meter('m-1')] } });
    expect(res.json).toEqual({ created: ['m-1'], existing: [] });
  });

  it('then an invalid meter list is a 400 naming every bad field and nothing is created', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.meters, {
      key: siteA.key,
      body: {
        meters: [
          meter('m-9', { bacnet_ip: 'not-an-ip' }),
          { ...meter('m-10'), bacnet_device_id: '12' },
          { ...meter('m-11'), data_points: [{ object_type: 'analogInput', name: 'x' }] },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    const fields = (res.json.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'meters[0].bacnet_ip',
        'meters[1].bacnet_device_id',
        'meters[2].data_points[0].instance',
      ]),
    );
    const { rows } = await api.db.knex.raw<{ rows: unknown[] }>(
      "SELECT 1 FROM meters WHERE external_id IN ('m-9', 'm-10', 'm-11')",
    );
    expect(rows).toHaveLength(0);
  });

  it('then a list with the same id twice is refused', async () => {
    const res = await call(api, 'POST', SYNC_PATHS.meters, {
      key: siteA.key,
      body: { meters: [meter('dup'), meter('dup')] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/appears more than once/);
  });
});

describe('when a site downloads its configuration', () => {
  it('then it gets only its own active meters in the meters.json format', async () => {
    await api.db.knex.raw("UPDATE meters SET is_active = false WHERE external_id = 'm-2' AND site_id = ?", [siteA.id]);

    const res = await call(api, 'GET', SYNC_PATHS.config, { key: siteA.key });

    expect(res.status).toBe(200);
    expect(res.json.site).toEqual({ id: siteA.id, name: 'North' });
    expect(res.json.meters.map((m: { id: string }) => m.id)).toEqual(['m-1', 'm-3']);
    expect(res.json.meters[1]).toEqual({ ...meter('m-3'), protocol: 'bacnet', is_active: true });
    expect(res.json.config_version).toMatch(/^[0-9a-f]{16}$/);

    const other = await call(api, 'GET', SYNC_PATHS.config, { key: siteB.key });
    expect(other.json.meters.map((m: { id: string }) => m.id)).toEqual(['m-1']);
    expect(other.json.meters[0].name).toBe('Meter m-1');
  });

  it('then the version stays the same until the configuration changes', async () => {
    const first = await call(api, 'GET', SYNC_PATHS.config, { key: siteA.key });
    const again = await call(api, 'GET', SYNC_PATHS.config, { key: siteA.key });
    expect(again.json.config_version).toBe(first.json.config_version);

    await call(api, 'POST', SYNC_PATHS.meters, { key: siteA.key, body: { meters: [meter('m-4')] } });

    const changed = await call(api, 'GET', SYNC_PATHS.config, { key: siteA.key });
    expect(changed.json.config_version).not.toBe(first.json.config_version);
  });
});
