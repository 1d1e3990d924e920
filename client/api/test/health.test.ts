import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { call, startTestApi } from './helpers.js';

let api: RunningClientApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('when a load balancer probes the API', () => {
  it('then /health says the process is alive', async () => {
    const res = await call(api, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('ok');
  });

  it('then /ready says the database answers', async () => {
    const res = await call(api, 'GET', '/ready');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
  });
});

describe('when a route does not exist', () => {
  it('then the answer is a JSON 404 NOT_FOUND with a request id', async () => {
    const res = await call(api, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({
      code: 'NOT_FOUND',
      message: 'no route GET /api/nothing-here',
      request_id: res.headers.get('x-request-id'),
    });
  });
});
