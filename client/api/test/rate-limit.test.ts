import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, startTestApi, type TestSite } from './helpers.js';

let api: RunningClientApi;
let busy: TestSite;
let quiet: TestSite;

beforeAll(async () => {
  api = await startTestApi({ syncRateLimitPerMinute: 3 });
  busy = await createSite(api, 'Busy');
  quiet = await createSite(api, 'Quiet');
});
afterAll(async () => {
  await api?.close();
});

describe('when a site exceeds its requests per minute', () => {
  it('then it gets 429 RATE_LIMITED with Retry-After, and other sites are not affected', async () => {
    for (let i = 0; i < 3; i++) expect((await call(api, 'POST', SYNC_PATHS.auth, { key: busy.key })).status).toBe(200);

    const limited = await call(api, 'POST', SYNC_PATHS.auth, { key: busy.key });

    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('RATE_LIMITED');
    expect(limited.json.error.message).toMatch(/more than 3 requests/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(api, 'POST', SYNC_PATHS.auth, { key: quiet.key })).status).toBe(200);
  });
});
