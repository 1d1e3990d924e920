import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiErrorBodySchema,
  BatchResponseSchema,
  HeartbeatResponseSchema,
  RegisterMetersResponseSchema,
  SYNC_PATHS,
  SyncAuthResponseSchema,
  SyncConfigResponseSchema,
} from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, reading, startTestApi, type TestSite } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';

// The sync answers are described once, in @meterit/shared: what the API sends must parse with those schemas
// (strictly: a field the schema does not name is a contract change, not a detail).
let api: RunningClientApi;
let site: TestSite;

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Contract site');
});
afterAll(async () => {
  await api?.close();
});

const strictly = <T>(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, json: T) => {
  const r = schema.safeParse(json);
  expect(r.success, JSON.stringify(r.error)).toBe(true);
};

describe('when an agent walks through its sync calls', () => {
  it('then every answer, and an error, parses with its schema from @meterit/shared', async () => {
    const auth = await call(api, 'POST', SYNC_PATHS.auth, { key: site.key });
    strictly(SyncAuthResponseSchema.strict(), auth.json);

    const registered = await call(api, 'POST', SYNC_PATHS.meters, { key: site.key, body: { meters: [meter('m-1')] } });
    strictly(RegisterMetersResponseSchema.strict(), registered.json);

    const config = await call(api, 'GET', SYNC_PATHS.config, { key: site.key });
    strictly(SyncConfigResponseSchema, config.json);
    expect(config.json.meters.map((m: { id: string }) => m.id)).toEqual(['m-1']);

    const batch = await call(api, 'POST', SYNC_PATHS.batch, {
      key: site.key,
      body: { batch_id: 'b-1', readings: [reading({ meter_external_id: 'm-1' })] },
    });
    expect(batch.status).toBe(200);
    strictly(BatchResponseSchema.strict(), batch.json);

    const heartbeat = await call(api, 'POST', SYNC_PATHS.heartbeat, {
      key: site.key,
      body: heartbeatOf({ agent_version: '1.0.0', last_sync_at: null }),
    });
    strictly(HeartbeatResponseSchema.strict(), heartbeat.json);

    const bad = await call(api, 'POST', SYNC_PATHS.heartbeat, { key: site.key, body: { collecting: 'yes' } });
    expect(bad.status).toBe(400);
    strictly(ApiErrorBodySchema, bad.json);
    expect(bad.json.error.details).toEqual(
      expect.arrayContaining([{ field: 'collecting', message: 'collecting must be a boolean, got the string "yes"' }]),
    );
  });
});
