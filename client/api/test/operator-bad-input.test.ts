// Operator requests the bad-input suite (proof/src/security) found answered as if they were fine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';

let api: RunningClientApi;
let site: TestSite;
let admin: string;
let meterId: number;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  site = await createSite(api, 'Bad input site');
  await registerAndSend(
    api,
    site.key,
    [meter('m-1')],
    [
      {
        meter_external_id: 'm-1',
        data_point: 'total_kwh',
        timestamp: '2025-06-01T00:00:00.000Z',
        value: 5,
        unit: 'kWh',
        quality: 'good',
      },
    ],
  );
  meterId = (await api.db.knex('meters').where({ external_id: 'm-1' }).first<{ id: number }>('id'))!.id;
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

const count = async (table: string) => Number((await api.db.knex(table).count<{ n: string }[]>('* as n'))[0]?.n);
/** Every row an operator write could touch. */
const rows = async () =>
  JSON.stringify(
    await Promise.all(
      ['sites', 'site_api_keys', 'meters', 'users', 'alert_rules', 'mcp_tokens'].map((t) =>
        api.db.knex(t).select('*').orderBy('id'),
      ),
    ),
  );
const errorOf = (json: unknown) => (json as { error: { code: string; message: string } }).error;

describe('when an admin rotates a site key', () => {
  it('when grace_hours 0 is sent as text/plain, then 415 asks for JSON and no key was made or ended (it would have kept the old key for the default grace period)', async () => {
    const before = await rows();
    const res = await call(api, 'POST', `/api/sites/${site.id}/keys`, {
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
      rawBody: '{"grace_hours": 0}',
    });
    expect(res.status).toBe(415);
    expect(errorOf(res.json)).toMatchObject({
      code: 'MALFORMED_BODY',
      message: expect.stringMatching(/application\/json/),
    });
    expect(await rows()).toBe(before);
    expect((await call(api, 'POST', '/api/sync/auth', { key: site.key })).status).toBe(200);
  });

  it('when the body is an array or names a field the route does not take, then 400 and no key was made; without a body it rotates', async () => {
    const keys = await count('site_api_keys');
    expect((await as(api, admin, 'POST', `/api/sites/${site.id}/keys`, [])).status).toBe(400);
    const misspelt = await as(api, admin, 'POST', `/api/sites/${site.id}/keys`, { grace_hour: 0 });
    expect(misspelt.status).toBe(400);
    expect(errorOf(misspelt.json).message).toMatch(/unknown field "grace_hour"; this request takes grace_hours/);
    expect(await count('site_api_keys')).toBe(keys);
    expect((await as(api, admin, 'POST', `/api/sites/${site.id}/keys`)).status).toBe(201);
    expect(await count('site_api_keys')).toBe(keys + 1);
  });
});

describe('when a PATCH names a field the route does not take', () => {
  const cases: Array<[string, () => string, Record<string, unknown>]> = [
    ['a site', () => `/api/sites/${site.id}`, { is_actve: false }],
    ['a meter', () => `/api/meters/${meterId}`, { nmae: 'Renamed' }],
    ['a user', () => '/api/users/1', { active: false }],
    ['an alert rule', () => '/api/alert-rules/1', { enable: false }],
  ];
  for (const [what, path, body] of cases) {
    it(`when it edits ${what}, then 400 names the unknown field instead of a 200 that changed nothing`, async () => {
      const before = await rows();
      const res = await as(api, admin, 'PATCH', path(), body);
      expect(res.status).toBe(400);
      expect(errorOf(res.json).message).toContain(`unknown field "${Object.keys(body)[0]}"`);
      expect(await rows()).toBe(before);
    });
  }

  it('when the body holds only __proto__ and constructor keys, then 400', async () => {
    const res = await call(api, 'PATCH', `/api/sites/${site.id}`, {
      headers: { authorization: `Bearer ${admin}` },
      rawBody: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res.json).message).toMatch(/unknown fields "__proto__", "constructor"/);
  });
});

describe('when a text field holds a character PostgreSQL cannot store as written', () => {
  // A lone surrogate reaches the database as U+FFFD (the name would silently change); NUL fails there.
  const cases: Array<[string, string, () => string, Record<string, unknown>, string]> = [
    ['a site location', 'PATCH', () => `/api/sites/${site.id}`, { location: 'Hall \ud800' }, 'location'],
    ['a user name', 'PATCH', () => '/api/users/1', { name: 'Ada \ud800' }, 'name'],
    [
      'an alert rule name',
      'POST',
      () => '/api/alert-rules',
      {
        kind: 'threshold',
        name: 'High \ud800',
        meter_id: meterId,
        data_point: 'total_kwh',
        condition: 'above',
        threshold: 5,
      },
      'name',
    ],
    [
      'an alert rule data point',
      'POST',
      () => '/api/alert-rules',
      { kind: 'threshold', name: 'High', meter_id: meterId, data_point: 'kwh\u0000', condition: 'above', threshold: 5 },
      'data_point',
    ],
    ['an MCP token name', 'POST', () => '/api/auth/tokens', { name: 'Laptop \ud800' }, 'name'],
  ];
  for (const [what, method, path, body, field] of cases) {
    it(`when it is ${what}, then 400 names the field and nothing changed`, async () => {
      const before = await rows();
      const res = await as(api, admin, method, path(), body);
      expect(res.status).toBe(400);
      expect(errorOf(res.json).message).toContain(`${field} contains a character that cannot be stored`);
      expect(await rows()).toBe(before);
    });
  }

  it('when a query parameter holds NUL (data_point=%00), then 400 instead of an empty answer', async () => {
    const res = await as(api, admin, 'GET', `/api/consumption?site_id=${site.id}&data_point=kwh%00`);
    expect(res.status).toBe(400);
    expect(errorOf(res.json).message).toContain('data_point contains a character that cannot be stored');
  });
});

describe('when an alert is acknowledged', () => {
  it('when the body is an array or has an unknown field, then 400 before the alert is looked up; {} (what the web app sends) passes on to the lookup', async () => {
    expect((await as(api, admin, 'POST', '/api/alerts/999999/acknowledge', [])).status).toBe(400);
    expect(
      errorOf((await as(api, admin, 'POST', '/api/alerts/999999/acknowledge', { notes: 'x' })).json).message,
    ).toContain('unknown field "notes"');
    expect((await as(api, admin, 'POST', '/api/alerts/999999/acknowledge', {})).status).toBe(404);
  });
});

describe('when logout or refresh gets something that is not a refresh token', () => {
  it('when it is SQL-looking text or a path, then 400 says it is not a refresh token; a well-formed token that is unknown still logs out with 204', async () => {
    for (const bad of ["'; DROP TABLE meter_readings; --", '../../../../etc/passwd', 'ﬀ'.repeat(60)]) {
      for (const route of ['/api/auth/logout', '/api/auth/refresh']) {
        const res = await call(api, 'POST', route, { body: { refresh_token: bad } });
        expect(res.status).toBe(400);
        expect(errorOf(res.json).message).toMatch(/not a refresh token/);
      }
    }
    expect(
      (await call(api, 'POST', '/api/auth/logout', { body: { refresh_token: `rt_${'A'.repeat(43)}` } })).status,
    ).toBe(204);
    const { refresh_token } = await login(api, ADMIN.email, ADMIN.password);
    expect((await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token } })).status).toBe(200);
  });
});

describe('when a meter write carries 20,000 data points', () => {
  it('then the answer says at most 1000 within a second, for a new meter and an edit alike (the items were checked one by one for 7 s)', async () => {
    const points = Array(20_000).fill(null);
    for (const [method, path] of [
      ['POST', `/api/sites/${site.id}/meters`],
      ['PATCH', `/api/meters/${meterId}`],
    ] as const) {
      const started = Date.now();
      const res = await as(api, admin, method, path, {
        external_id: 'm-2',
        name: 'Meter 2',
        bacnet_device_id: 5,
        bacnet_ip: '192.168.1.5',
        data_points: points,
      });
      expect(res.status).toBe(400);
      expect(errorOf(res.json).message).toContain('at most 1000 data points per meter');
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });
});

describe('when the web app session cookie is not a refresh token', () => {
  it('when it is SQL-looking, a path, percent-garbage, 4 kB long or sent twice, then refresh is 401 (the cookie cleared) and logout 204, never a 500 or a database message; the session header and a bad Origin are 403', async () => {
    const web = { 'x-meterit-session': 'cookie' };
    const bad = [
      "'; DROP TABLE refresh_tokens; --",
      '../../../../etc/passwd',
      '%E0%A4%A',
      'rt_' + 'A'.repeat(4000),
      `rt_${'A'.repeat(43)}; meterit_refresh=rt_${'B'.repeat(43)}`,
    ];
    const before = await count('refresh_tokens');
    for (const value of bad) {
      const refresh = await call(api, 'POST', '/api/auth/refresh', {
        headers: { ...web, cookie: `meterit_refresh=${value}` },
      });
      expect(refresh.status, value).toBe(401);
      expect(errorOf(refresh.json).message).toMatch(/log in again/);
      expect(JSON.stringify(refresh.json)).not.toMatch(/select|insert|relation|syntax|stack/i);
      expect(refresh.headers.getSetCookie().join(';')).toMatch(/meterit_refresh=;/);
      expect(
        (await call(api, 'POST', '/api/auth/logout', { headers: { ...web, cookie: `meterit_refresh=${value}` } }))
          .status,
        value,
      ).toBe(204);
    }
    for (const origin of ['null', 'not a url', 'http://127.0.0.1.evil.example']) {
      expect(
        (
          await call(api, 'POST', '/api/auth/refresh', {
            headers: { ...web, origin, cookie: `meterit_refresh=rt_${'A'.repeat(43)}` },
          })
        ).status,
        origin,
      ).toBe(403);
    }
    expect(
      (
        await call(api, 'POST', '/api/auth/refresh', {
          headers: { 'x-meterit-session': 'yes please', cookie: `meterit_refresh=rt_${'A'.repeat(43)}` },
        })
      ).status,
    ).toBe(403);
    expect(await count('refresh_tokens')).toBe(before);
  });
});
