import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, type SyncConfigResponse } from '@meterit/shared';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';
import type { RunningClientApi } from '../src/index.js';

// A site's meters.json names each meter's protocol (bacnet when it names none). The client system keeps it,
// hands it back with the site's configuration, and refuses a protocol no site agent speaks.
let api: RunningClientApi;
let site: TestSite;

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Protocol plant');
});
afterAll(async () => {
  await api?.close(1000);
});

const stored = async () =>
  (
    await api.db.knex.raw<{ rows: { external_id: string; protocol: string }[] }>(
      'SELECT external_id, protocol FROM meters WHERE site_id = ? ORDER BY external_id',
      [site.id],
    )
  ).rows;

describe('the protocol of a meter', () => {
  it('when a site registers a meter naming protocol "bacnet" and one naming none, then both are stored as bacnet and come back so in its configuration', async () => {
    const unnamed = meter('m-unnamed');
    expect('protocol' in unnamed).toBe(false);
    const res = await call(api, 'POST', '/api/sync/meters', {
      key: site.key,
      body: { meters: [meter('m-bacnet', { protocol: 'bacnet' }), unnamed] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ created: ['m-bacnet', 'm-unnamed'], existing: [] });
    expect(await stored()).toEqual([
      { external_id: 'm-bacnet', protocol: 'bacnet' },
      { external_id: 'm-unnamed', protocol: 'bacnet' },
    ]);

    const config = await call(api, 'GET', '/api/sync/config', { key: site.key });
    expect(config.status).toBe(200);
    expect((config.json as SyncConfigResponse).meters.map((m) => [m.id, m.protocol])).toEqual([
      ['m-bacnet', 'bacnet'],
      ['m-unnamed', 'bacnet'],
    ]);
  });

  it('when a site registers a meter with a protocol no agent speaks, then the answer is a 400 naming the field and the protocols known, and nothing is stored', async () => {
    const before = await stored();
    const res = await call(api, 'POST', '/api/sync/meters', {
      key: site.key,
      body: { meters: [meter('m-ok'), { ...meter('m-zigbee'), protocol: 'zigbee' }] },
    });
    expect(res.status).toBe(400);
    const error = (res.json as { error: { code: string; message: string; details: unknown } }).error;
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.message).toMatch(/meters\[1\]\.protocol/);
    expect(error.message).toMatch(/bacnet/);
    expect(error.message).toMatch(/zigbee/);
    expect(error.details).toEqual([{ field: 'meters[1].protocol', message: expect.stringMatching(/bacnet/) }]);
    expect(await stored()).toEqual(before);
  });

  it('when something writes a meter with an unknown protocol straight into the database, then the database refuses it', async () => {
    await expect(
      api.db.knex.raw(
        `INSERT INTO meters (site_id, external_id, name, protocol, bacnet_device_id, bacnet_ip, data_points)
         VALUES (?, 'm-raw', 'Raw', 'zigbee', 1, '127.0.0.1', '[]'::jsonb)`,
        [site.id],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'meters_protocol_known' });
  });
});
