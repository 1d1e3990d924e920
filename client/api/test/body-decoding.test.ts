import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meterit/shared';
import { countReadings, createSite, meter, reading, startTestApi, type TestSite } from './helpers.js';
import { createUser } from './operator-helpers.js';
import type { RunningClientApi } from '../src/index.js';

// A body its Content-Encoding cannot decode is the caller's mistake: a 400 (415 for an encoding we do not speak)
// with a clear message, never a 500 that the API error-rate alert counts, on every route, the login included.
let api: RunningClientApi;
let site: TestSite;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Decoding plant');
  admin = await createUser(api, 'decoding-admin@example.test', 'admin');
  const reg = await fetch(`${api.url}/api/sync/meters`, {
    method: 'POST',
    headers: { 'x-api-key': site.key, 'content-type': 'application/json' },
    body: JSON.stringify({ meters: [meter('meter-001')] }),
  });
  expect(reg.status).toBe(200);
});
afterAll(async () => {
  await api?.close(1000);
});

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const brotli = brotliCompressSync(json({ email: 'x@example.test', password: 'not-it' }));
const gzip = gzipSync(json({ email: 'x@example.test', password: 'not-it' }));

/** Bodies that say one encoding and are not it (or are cut short), and an encoding nobody speaks. */
const BROKEN: Array<{ what: string; encoding: string; body: Buffer; status: number[] }> = [
  { what: 'Brotli garbage', encoding: 'br', body: Buffer.from('this is not brotli at all, only text'), status: [400] },
  { what: 'a truncated Brotli body', encoding: 'br', body: brotli.subarray(0, brotli.length - 3), status: [400] },
  { what: 'gzip garbage', encoding: 'gzip', body: Buffer.from('this is not gzip either'), status: [400] },
  { what: 'a truncated gzip body', encoding: 'gzip', body: gzip.subarray(0, gzip.length - 6), status: [400] },
  { what: 'deflate garbage', encoding: 'deflate', body: Buffer.from('nor is this deflate'), status: [400] },
  { what: 'an unknown encoding', encoding: 'compress', body: json({}), status: [400, 415] },
];

interface Route {
  name: string;
  method: string;
  path: () => string;
  headers: () => Record<string, string>;
}
const ROUTES: Route[] = [
  {
    name: 'POST /api/auth/login (no login needed)',
    method: 'POST',
    path: () => '/api/auth/login',
    headers: () => ({}),
  },
  {
    name: 'POST /api/sync/readings/batch (site key)',
    method: 'POST',
    path: () => '/api/sync/readings/batch',
    headers: () => ({ 'x-api-key': site.key }),
  },
  {
    name: 'POST /api/sync/heartbeat (site key)',
    method: 'POST',
    path: () => '/api/sync/heartbeat',
    headers: () => ({ 'x-api-key': site.key }),
  },
  {
    name: 'PATCH /api/sites/:id (operator)',
    method: 'PATCH',
    path: () => `/api/sites/${site.id}`,
    headers: () => ({ authorization: `Bearer ${admin}` }),
  },
  {
    name: 'POST /api/alert-rules (operator)',
    method: 'POST',
    path: () => '/api/alert-rules',
    headers: () => ({ authorization: `Bearer ${admin}` }),
  },
  {
    name: 'POST /api/auth/tokens (operator)',
    method: 'POST',
    path: () => '/api/auth/tokens',
    headers: () => ({ authorization: `Bearer ${admin}` }),
  },
];

async function send(r: Route, encoding: string, body: Buffer) {
  const res = await fetch(`${api.url}${r.path()}`, {
    method: r.method,
    headers: { ...r.headers(), 'content-type': 'application/json', 'content-encoding': encoding },
    body,
  });
  return { status: res.status, json: (await res.json()) as { error?: { code?: string; message?: string } } };
}

describe('when a request body cannot be decoded as its Content-Encoding says', () => {
  for (const r of ROUTES) {
    it(`then ${r.name} answers 400 (415 for an unknown encoding) MALFORMED_BODY naming the encoding, for every broken body`, async () => {
      for (const b of BROKEN) {
        const res = await send(r, b.encoding, b.body);
        expect(b.status, `${b.what}: ${res.status} ${JSON.stringify(res.json)}`).toContain(res.status);
        expect(res.json.error?.code, b.what).toBe(ErrorCode.MALFORMED_BODY);
        expect(res.json.error?.message, b.what).toContain(b.encoding);
        expect(res.json.error?.message, b.what).not.toMatch(/unexpected server error/);
      }
    });
  }

  it('then 40 broken Brotli logins count as no server error (/metrics has no 5xx), and a good Brotli, gzip or deflate body still works', async () => {
    for (let i = 0; i < 40; i++) {
      const res = await send(ROUTES[0]!, 'br', Buffer.from(`garbage ${i} that is not brotli`));
      expect(res.status).toBe(400);
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/meterit_http_request_duration_seconds_count\{[^}]*status="400"/);
    expect(metrics).not.toMatch(/meterit_http_request_duration_seconds_count\{[^}]*status="5\d\d"/);
    // Brotli, gzip and deflate bodies that are what they say are read as before.
    const batch = ROUTES[1]!;
    const before = await countReadings(api, site.id);
    const body = (ts: string) => json({ readings: [reading({ timestamp: ts })] });
    for (const [enc, f] of [
      ['br', brotliCompressSync],
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const) {
      const res = await send(batch, enc, f(body(`2025-06-01T12:0${['br', 'gzip', 'deflate'].indexOf(enc)}:00.000Z`)));
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    }
    expect(await countReadings(api, site.id)).toBe(before + 3);
  });

  it('then a broken body stored nothing', async () => {
    const before = await countReadings(api, site.id);
    await send(ROUTES[1]!, 'br', Buffer.from('garbage'));
    await send(
      ROUTES[1]!,
      'gzip',
      gzipSync(json({ readings: [reading({ timestamp: '2025-06-01T13:00:00.000Z' })] })).subarray(0, 20),
    );
    expect(await countReadings(api, site.id)).toBe(before);
  });
});
