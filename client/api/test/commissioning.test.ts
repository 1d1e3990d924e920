// The installer's commissioning report: uploaded by the agent with the site's key, read by operators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login } from './operator-helpers.js';

let api: RunningClientApi;
let site: TestSite;
let other: TestSite;
let admin: string;

function report(over: Record<string, unknown> = {}) {
  return {
    site: { id: site.id, name: site.name },
    created_at: '2025-06-01T12:00:00.000Z',
    agent_version: '0.1.0',
    passed: false,
    summary: { pass: 2, warn: 1, fail: 1 },
    lines: [
      { check: 'Node.js version', status: 'pass', detail: 'Node.js 20.19.0' },
      {
        check: 'BACnet broadcast',
        status: 'warn',
        detail: 'using 255.255.255.255',
        fix: 'give --broadcast 192.168.1.255',
      },
      {
        check: 'Meter meter-802',
        status: 'fail',
        detail: 'no answer',
        fix: 'check the meter is powered and on this network',
      },
      { check: 'First batch synced', status: 'pass', detail: '8 reading(s) stored, 0 duplicate(s)' },
    ],
    meters: [
      {
        id: 'meter-801',
        name: 'Main incomer',
        device_id: 801,
        address: '192.168.1.11:47808',
        rpm_supported: true,
        points: [
          {
            name: 'total_kwh',
            answered: true,
            value: 1234.5,
            unit: 'kWh',
            quality: 'good',
            response_ms: 12,
            error: null,
          },
          {
            name: 'current_kw',
            answered: false,
            value: null,
            unit: null,
            quality: null,
            response_ms: 3000,
            error: 'timeout',
          },
        ],
      },
    ],
    ...over,
  };
}

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  site = await createSite(api, 'Commissioned site');
  other = await createSite(api, 'Other site');
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

describe('POST /api/sync/commissioning', () => {
  it('when an installer uploads a report with the site key, then it is stored for that site and shown as the latest with its history', async () => {
    const first = await call(api, 'POST', '/api/sync/commissioning', { key: site.key, body: report(), gzip: true });
    expect(first.status).toBe(201);
    expect(first.json.report_id).toBeGreaterThan(0);
    const second = await call(api, 'POST', '/api/sync/commissioning', {
      key: site.key,
      body: report({
        created_at: '2025-06-02T08:00:00.000Z',
        lines: [{ check: 'Node.js version', status: 'pass', detail: 'ok' }],
        summary: { pass: 1, warn: 0, fail: 0 },
        passed: true,
      }),
    });
    expect(second.status).toBe(201);

    const res = await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning`);
    expect(res.status).toBe(200);
    expect(res.json.reports.map((r: { id: number }) => r.id)).toEqual([second.json.report_id, first.json.report_id]);
    expect(res.json.latest).toMatchObject({
      id: second.json.report_id,
      passed: true,
      summary: { pass: 1, warn: 0, fail: 0 },
      created_at: '2025-06-02T08:00:00.000Z',
    });
    expect(res.json.reports[1]).toMatchObject({ passed: false, summary: { pass: 2, warn: 1, fail: 1 }, meters: 1 });

    const old = await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning/${first.json.report_id}`);
    expect(old.status).toBe(200);
    const body = old.json.report.report;
    expect(body.lines[2]).toEqual({
      check: 'Meter meter-802',
      status: 'fail',
      detail: 'no answer',
      fix: 'check the meter is powered and on this network',
    });
    expect(body.meters[0].points[1]).toMatchObject({ name: 'current_kw', answered: false, error: 'timeout' });
    expect(body.site).toEqual({ id: site.id, name: site.name });
  });

  it('when the report claims passed but has a FAIL line, then the stored counts come from the lines', async () => {
    const res = await call(api, 'POST', '/api/sync/commissioning', {
      key: site.key,
      body: report({ passed: true, summary: { pass: 9, warn: 0, fail: 0 } }),
    });
    expect(res.status).toBe(201);
    const stored = await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning/${res.json.report_id}`);
    expect(stored.json.report).toMatchObject({ passed: false, summary: { pass: 2, warn: 1, fail: 1 } });
  });

  it('when the key is missing or wrong, then 401 and nothing is stored', async () => {
    const before = await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning?limit=100`);
    expect((await call(api, 'POST', '/api/sync/commissioning', { body: report() })).status).toBe(401);
    expect(
      (await call(api, 'POST', '/api/sync/commissioning', { key: 'mk_0000000000000000_nope', body: report() })).json
        .error.code,
    ).toBe('AUTH_INVALID');
    const after = await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning?limit=100`);
    expect(after.json.reports.length).toBe(before.json.reports.length);
  });

  it('when the report is for another site than the key, then 400 names both sites', async () => {
    const res = await call(api, 'POST', '/api/sync/commissioning', { key: other.key, body: report() });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain(
      `the report is for site ${site.id}, but this API key belongs to site ${other.id}`,
    );
  });

  it('when the shape is wrong, then 400 names each bad field with its path', async () => {
    const bad = report({
      created_at: 'yesterday',
      lines: [{ check: 'x', status: 'maybe', detail: 'd' }],
      meters: [
        {
          id: 'm',
          name: 'n',
          device_id: 1,
          address: 'a',
          rpm_supported: null,
          points: [{ name: 'p', answered: true, value: 'NaN', unit: null, quality: null, response_ms: 1, error: null }],
        },
      ],
    });
    const res = await call(api, 'POST', '/api/sync/commissioning', { key: site.key, body: bad });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    const fields = res.json.error.details.map((d: { field: string; message: string }) => `${d.field}: ${d.message}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringContaining('created_at: created_at must be an ISO-8601 timestamp'),
        'lines: lines[0].status must be "pass", "warn" or "fail", got the string "maybe"',
        'meters: meters[0].points[0].value must be a finite number or null, got the string "NaN"',
      ]),
    );
    expect((await call(api, 'POST', '/api/sync/commissioning', { key: site.key, body: [1, 2] })).status).toBe(400);
  });

  it('when created_at is not a real instant (30 February, no time zone, 7 fractional digits), then 400 and nothing is stored', async () => {
    const stored = async () =>
      (await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning?limit=100`)).json.reports.length as number;
    const before = await stored();
    for (const created_at of ['2026-02-30T00:00:00Z', '2026-01-01T00:00:00', '2026-01-01T00:00:00.1234567Z']) {
      const res = await call(api, 'POST', '/api/sync/commissioning', { key: site.key, body: report({ created_at }) });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toContain('created_at must be an ISO-8601 timestamp with seconds and a time zone');
    }
    expect(await stored()).toBe(before);
  });

  it('when a report is too large, then 413 or 400 says so and nothing is stored', async () => {
    const lines = Array.from({ length: 2001 }, (_, i) => ({ check: `c${i}`, status: 'pass', detail: 'ok' }));
    const tooMany = await call(api, 'POST', '/api/sync/commissioning', { key: site.key, body: report({ lines }) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('lines has 2001 entries; at most 2000');
    const huge = await call(api, 'POST', '/api/sync/commissioning', {
      key: site.key,
      body: report({ lines: [{ check: 'x', status: 'pass', detail: 'y'.repeat(5_000_000) }] }),
      gzip: true,
    });
    expect(huge.status).toBe(413);
    const long = await call(api, 'POST', '/api/sync/commissioning', {
      key: site.key,
      body: report({ lines: [{ check: 'x', status: 'pass', detail: 'y'.repeat(4001) }] }),
    });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toContain('lines[0].detail must be 0 to 4000 characters long');
  });
});

describe('GET /api/sites/:id/commissioning', () => {
  it('when a site has no report yet, then latest is null and the list empty', async () => {
    const res = await as(api, admin, 'GET', `/api/sites/${other.id}/commissioning`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ latest: null, reports: [] });
  });

  it('when a viewer limited to another site asks, then 404 as if the site did not exist; a viewer of the site may read', async () => {
    const outsider = await createUser(api, 'outsider@example.test', 'viewer', [other.id]);
    expect((await as(api, outsider, 'GET', `/api/sites/${site.id}/commissioning`)).status).toBe(404);
    const insider = await createUser(api, 'insider@example.test', 'viewer', [site.id]);
    const res = await as(api, insider, 'GET', `/api/sites/${site.id}/commissioning?limit=1`);
    expect(res.status).toBe(200);
    expect(res.json.reports).toHaveLength(1);
    expect(res.json.latest.report.lines.length).toBeGreaterThan(0);
  });

  it('when not logged in, the site does not exist or the ids are bad, then 401, 404 and 400', async () => {
    expect((await call(api, 'GET', `/api/sites/${site.id}/commissioning`)).status).toBe(401);
    expect((await as(api, admin, 'GET', '/api/sites/999999/commissioning')).status).toBe(404);
    expect((await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning/999999`)).status).toBe(404);
    expect((await as(api, admin, 'GET', `/api/sites/${site.id}/commissioning?limit=0`)).status).toBe(400);
    expect((await as(api, admin, 'GET', '/api/sites/abc/commissioning')).status).toBe(400);
  });
});

describe('when an installer uploads faster than COMMISSIONING_RATE_LIMIT_PER_MINUTE', () => {
  it('then the upload past the limit gets 429 with when to retry, and nothing more is stored', async () => {
    const limited = await startTestApi({
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      commissioningRateLimitPerMinute: 2,
    });
    try {
      const s = await createSite(limited, 'Looping installer');
      const body = report({ site: { id: s.id, name: s.name } });
      expect((await call(limited, 'POST', '/api/sync/commissioning', { key: s.key, body })).status).toBe(201);
      expect((await call(limited, 'POST', '/api/sync/commissioning', { key: s.key, body })).status).toBe(201);
      const third = await call(limited, 'POST', '/api/sync/commissioning', { key: s.key, body });
      expect(third.status).toBe(429);
      expect(third.json.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit_per_minute: 2 } });
      const token = (await login(limited, ADMIN.email, ADMIN.password)).access_token;
      expect((await as(limited, token, 'GET', `/api/sites/${s.id}/commissioning?limit=100`)).json.reports).toHaveLength(
        2,
      );
    } finally {
      await limited.close();
    }
  });
});
