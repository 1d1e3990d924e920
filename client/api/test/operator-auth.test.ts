import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login, registerAndSend } from './operator-helpers.js';

let api: RunningClientApi;
let siteA: TestSite;
let siteB: TestSite;
const tokens: Record<'admin' | 'operator' | 'viewer' | 'limited', string> = {
  admin: '',
  operator: '',
  viewer: '',
  limited: '',
};
let meterA: number;
let meterB: number;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password, loginRateLimitPerMinute: 3 });
  siteA = await createSite(api, 'Site A');
  siteB = await createSite(api, 'Site B');
  await registerAndSend(
    api,
    siteA.key,
    [meter('a-1')],
    [
      {
        meter_external_id: 'a-1',
        data_point: 'current_kw',
        timestamp: '2025-06-01T00:00:00.000Z',
        value: 5,
        unit: 'kW',
        quality: 'good',
      },
    ],
  );
  await registerAndSend(
    api,
    siteB.key,
    [meter('b-1')],
    [
      {
        meter_external_id: 'b-1',
        data_point: 'current_kw',
        timestamp: '2025-06-01T00:00:00.000Z',
        value: 7,
        unit: 'kW',
        quality: 'good',
      },
    ],
  );
  const ids = await api.db.knex.raw<{ rows: { id: number; external_id: string }[] }>(
    'SELECT id, external_id FROM meters',
  );
  meterA = ids.rows.find((r) => r.external_id === 'a-1')!.id;
  meterB = ids.rows.find((r) => r.external_id === 'b-1')!.id;
  tokens.admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  tokens.operator = await createUser(api, 'op@example.test', 'operator');
  tokens.viewer = await createUser(api, 'viewer@example.test', 'viewer');
  tokens.limited = await createUser(api, 'limited@example.test', 'viewer', [siteA.id]);
});
afterAll(async () => {
  await api?.close();
});

const newMeter = (id: string) => ({
  external_id: id,
  name: `Meter ${id}`,
  bacnet_device_id: 4000,
  bacnet_ip: '127.0.5.40',
  bacnet_port: 47808,
  data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' }],
});

describe('when each role calls each kind of endpoint', () => {
  // [method, path builder, body builder, who may]
  const cases: Array<[string, string, () => string, () => unknown, Array<'admin' | 'operator' | 'viewer'>]> = [
    ['list sites', 'GET', () => '/api/sites', () => undefined, ['admin', 'operator', 'viewer']],
    ['site status', 'GET', () => `/api/sites/${siteA.id}/status`, () => undefined, ['admin', 'operator', 'viewer']],
    ['list meters', 'GET', () => '/api/meters', () => undefined, ['admin', 'operator', 'viewer']],
    [
      'readings',
      'GET',
      () => `/api/readings?site_id=${siteA.id}&from=2025-05-31T00:00:00Z&to=2025-06-02T00:00:00Z`,
      () => undefined,
      ['admin', 'operator', 'viewer'],
    ],
    [
      'consumption',
      'GET',
      () => `/api/consumption?site_id=${siteA.id}&from=2025-05-31T00:00:00Z&to=2025-06-02T00:00:00Z`,
      () => undefined,
      ['admin', 'operator', 'viewer'],
    ],
    [
      'add a meter',
      'POST',
      () => `/api/sites/${siteA.id}/meters`,
      () => newMeter(`new-${Math.random().toString(36).slice(2, 8)}`),
      ['admin', 'operator'],
    ],
    [
      'edit a meter',
      'PATCH',
      () => `/api/meters/${meterA}`,
      () => ({ name: `Renamed ${Date.now()}` }),
      ['admin', 'operator'],
    ],
    [
      'create a site',
      'POST',
      () => '/api/sites',
      () => ({ name: `Site ${Math.random().toString(36).slice(2, 8)}` }),
      ['admin'],
    ],
    ['edit a site', 'PATCH', () => `/api/sites/${siteB.id}`, () => ({ location: `Hall ${Date.now()}` }), ['admin']],
    ['rotate a key', 'POST', () => `/api/sites/${siteB.id}/keys`, () => ({ grace_hours: 24 }), ['admin']],
    ['list keys', 'GET', () => `/api/sites/${siteB.id}/keys`, () => undefined, ['admin']],
    ['list users', 'GET', () => '/api/users', () => undefined, ['admin']],
    [
      'create a user',
      'POST',
      () => '/api/users',
      () => ({ email: `u${Math.random().toString(36).slice(2, 8)}@example.test`, role: 'viewer' }),
      ['admin'],
    ],
  ];
  for (const [name, method, path, body, allowed] of cases) {
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const may = allowed.includes(role);
      it(`then a ${role} ${may ? 'may' : 'may not (403)'} ${name}`, async () => {
        const res = await as(api, tokens[role], method, path(), body());
        if (may) {
          expect(res.status, JSON.stringify(res.json)).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect(res.json.error.code).toBe('FORBIDDEN');
        }
      });
    }
  }
});

describe('when the token is missing, expired or forged', () => {
  it('then the answer is 401 with a code that says which', async () => {
    expect((await call(api, 'GET', '/api/sites')).json.error.code).toBe('AUTH_MISSING');
    const expired = jwt.sign({ role: 'admin' }, api.config.jwtSecret, {
      subject: '1',
      expiresIn: -10,
      issuer: 'meterit-client-api',
      audience: 'meterit-operators',
    });
    const e = await as(api, expired, 'GET', '/api/sites');
    expect(e.status).toBe(401);
    expect(e.json.error.code).toBe('TOKEN_EXPIRED');
    const forged = jwt.sign({ role: 'admin' }, 'another-secret-of-an-attacker-0123456789', {
      subject: '1',
      expiresIn: 600,
      issuer: 'meterit-client-api',
      audience: 'meterit-operators',
    });
    const f = await as(api, forged, 'GET', '/api/sites');
    expect(f.status).toBe(401);
    expect(f.json.error.code).toBe('AUTH_INVALID');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1","role":"admin"}').toString('base64url')}.`;
    expect((await as(api, none, 'GET', '/api/sites')).status).toBe(401);
    expect((await as(api, 'garbage', 'GET', '/api/users')).status).toBe(401);
  });
});

describe('when a user is limited to site A', () => {
  it('then it sees only site A everywhere, and site B does not exist for it', async () => {
    const sites = await as(api, tokens.limited, 'GET', '/api/sites');
    expect(sites.json.sites.map((s: { site_id: number }) => s.site_id)).toEqual([siteA.id]);
    expect((await as(api, tokens.limited, 'GET', `/api/sites/${siteB.id}/status`)).status).toBe(404);
    expect((await as(api, tokens.limited, 'GET', `/api/sites/${siteB.id}`)).status).toBe(404);
    expect((await as(api, tokens.limited, 'GET', `/api/sites?id=${siteB.id}`)).json.sites).toEqual([]);
    const meters = await as(api, tokens.limited, 'GET', '/api/meters');
    expect([...new Set(meters.json.meters.map((m: { site_id: number }) => m.site_id))]).toEqual([siteA.id]);
    expect((await as(api, tokens.limited, 'GET', `/api/meters/${meterB}`)).status).toBe(404);
    const range = 'from=2025-05-31T00:00:00Z&to=2025-06-02T00:00:00Z';
    const all = await as(api, tokens.limited, 'GET', `/api/readings?${range}`);
    expect(all.json.rows.map((r: { site_id: number }) => r.site_id)).toEqual([siteA.id]);
    expect((await as(api, tokens.limited, 'GET', `/api/readings?site_id=${siteB.id}&${range}`)).json.rows).toEqual([]);
    expect((await as(api, tokens.limited, 'GET', `/api/readings?meter_id=${meterB}&${range}`)).status).toBe(404);
    // An unrestricted viewer sees both.
    expect((await as(api, tokens.viewer, 'GET', `/api/readings?${range}`)).json.rows).toHaveLength(2);
  });
});

describe('when someone logs in with wrong credentials', () => {
  it('then an unknown e-mail and a wrong password get the same answer, and repeated failures are rate limited', async () => {
    const unknown = await call(api, 'POST', '/api/auth/login', {
      body: { email: 'nobody@example.test', password: 'whatever-123' },
    });
    const wrong = await call(api, 'POST', '/api/auth/login', { body: { email: 'victim@example.test', password: 'x' } });
    await createUser(api, 'victim@example.test', 'viewer');
    const wrongKnown = await call(api, 'POST', '/api/auth/login', {
      body: { email: 'victim@example.test', password: 'wrong-password-1' },
    });
    expect(unknown.status).toBe(401);
    expect(wrongKnown.status).toBe(401);
    expect(wrongKnown.json.error.message).toBe(unknown.json.error.message);
    expect(wrongKnown.json.error.code).toBe(unknown.json.error.code);
    expect(wrong.status).toBe(401);
    expect(
      (
        await call(api, 'POST', '/api/auth/login', {
          body: { email: 'victim@example.test', password: 'wrong-password-2' },
        })
      ).status,
    ).toBe(401);
    // 3 failures per minute per address and e-mail are allowed (configured); the 4th is refused even with the right password.
    const fourth = await call(api, 'POST', '/api/auth/login', {
      body: { email: 'victim@example.test', password: 'viewer-password-123' },
    });
    expect(fourth.status).toBe(429);
    expect(fourth.json.error.code).toBe('RATE_LIMITED');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not locked out by it.
    expect((await call(api, 'POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
  });

  it("when someone holding a user's access token guesses the current password, then the wrong guesses are counted per user and the 4th attempt is refused even when right, and the password is unchanged", async () => {
    const token = await createUser(api, 'guessed@example.test', 'viewer');
    const change = (current: string) =>
      as(api, token, 'POST', '/api/auth/password', {
        current_password: current,
        new_password: 'taken-over-password-1',
      });
    for (const guess of ['guess-one', 'guess-two', 'guess-three']) {
      const r = await change(guess);
      expect(r.status).toBe(400);
      expect(r.json.error.message).toBe('current_password is wrong');
    }
    // 3 wrong current passwords a minute are allowed (LOGIN_RATE_LIMIT_PER_MINUTE here); then even the right one waits.
    const fourth = await change('viewer-password-123');
    expect(fourth.status).toBe(429);
    expect(fourth.json.error.code).toBe('RATE_LIMITED');
    expect(fourth.json.error.message).toMatch(/too many wrong current passwords; wait \d+ s/);
    expect(
      (
        await call(api, 'POST', '/api/auth/login', {
          body: { email: 'guessed@example.test', password: 'viewer-password-123' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(api, 'POST', '/api/auth/login', {
          body: { email: 'guessed@example.test', password: 'taken-over-password-1' },
        })
      ).status,
    ).toBe(401);
    // Another user's changes are not held back by those guesses, and a right change goes through.
    const other = await createUser(api, 'unrelated@example.test', 'viewer');
    expect(
      (
        await as(api, other, 'POST', '/api/auth/password', {
          current_password: 'viewer-password-123',
          new_password: 'a-new-password-123',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(api, 'POST', '/api/auth/login', {
          body: { email: 'unrelated@example.test', password: 'a-new-password-123' },
        })
      ).status,
    ).toBe(200);
  });

  it('then a malformed login is a 400 naming the field, never a 500', async () => {
    const res = await call(api, 'POST', '/api/auth/login', { body: { email: 42 } });
    expect(res.status).toBe(400);
    expect(res.json.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
    expect((await call(api, 'POST', '/api/auth/login', { rawBody: '{nope' })).status).toBe(400);
  });
});

describe('when a refresh token is used', () => {
  it('then it gives a new pair once; replaying it ends that login, and logout revokes it', async () => {
    const first = await login(api, ADMIN.email, ADMIN.password);
    const r1 = await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(r1.status).toBe(200);
    expect(r1.json.refresh_token).not.toBe(first.refresh_token);
    expect((await as(api, r1.json.access_token, 'GET', '/api/auth/me')).json.user.email).toBe(ADMIN.email);
    const replay = await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(replay.status).toBe(401);
    // The replay revoked the whole family, so the token issued by the first refresh is dead too.
    expect(
      (await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token: r1.json.refresh_token } })).status,
    ).toBe(401);

    const second = await login(api, ADMIN.email, ADMIN.password);
    expect(
      (await call(api, 'POST', '/api/auth/logout', { body: { refresh_token: second.refresh_token } })).status,
    ).toBe(204);
    expect(
      (await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token: second.refresh_token } })).status,
    ).toBe(401);
  });
});

describe('when an admin manages users', () => {
  it('then a generated password is returned once, deactivation locks the user out at once, and the last admin cannot be removed', async () => {
    const created = await as(api, tokens.admin, 'POST', '/api/users', {
      email: 'temp@example.test',
      role: 'operator',
      site_ids: [siteB.id],
    });
    expect(created.status).toBe(201);
    expect(created.json.user).toMatchObject({
      email: 'temp@example.test',
      role: 'operator',
      site_ids: [siteB.id],
      is_active: true,
    });
    expect(created.json.initial_password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(JSON.stringify((await as(api, tokens.admin, 'GET', '/api/users')).json)).not.toContain('password');
    const session = await login(api, 'temp@example.test', created.json.initial_password);
    // A generated password is replaced before anything else (test/account.test.ts covers that gate).
    expect((await as(api, session.access_token, 'GET', '/api/meters')).status).toBe(403);
    const own = { current_password: created.json.initial_password, new_password: 'temp-own-password-1' };
    expect((await as(api, session.access_token, 'POST', '/api/auth/password', own)).status).toBe(204);
    expect(
      (await as(api, session.access_token, 'GET', '/api/meters')).json.meters.map(
        (m: { site_id: number }) => m.site_id,
      ),
    ).toEqual([siteB.id]);

    const off = await as(api, tokens.admin, 'PATCH', `/api/users/${created.json.user.id}`, { is_active: false });
    expect(off.status).toBe(200);
    expect((await as(api, session.access_token, 'GET', '/api/meters')).status).toBe(401);
    expect(
      (await call(api, 'POST', '/api/auth/refresh', { body: { refresh_token: session.refresh_token } })).status,
    ).toBe(401);

    const me = (await as(api, tokens.admin, 'GET', '/api/auth/me')).json.user;
    const demote = await as(api, tokens.admin, 'PATCH', `/api/users/${me.id}`, { role: 'viewer' });
    expect(demote.status).toBe(409);
    expect(
      (await as(api, tokens.admin, 'POST', '/api/users', { email: 'temp@example.test', role: 'viewer' })).status,
    ).toBe(409);
    const bad = await as(api, tokens.admin, 'POST', '/api/users', {
      email: 'nope',
      role: 'boss',
      password: 'short',
      site_ids: 'all',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'email',
      'password',
      'role',
      'site_ids',
    ]);
    expect(
      (
        await as(api, tokens.admin, 'POST', '/api/users', {
          email: 'x@example.test',
          role: 'admin',
          site_ids: [siteA.id],
        })
      ).status,
    ).toBe(400);
    expect((await as(api, tokens.admin, 'PATCH', '/api/users/abc', { name: 'x' })).status).toBe(400);
    expect((await as(api, tokens.admin, 'PATCH', '/api/users/999999', { name: 'x' })).status).toBe(404);
  });
});

describe('when an admin creates a site and rotates its key', () => {
  it('then the key is shown once and works; after rotation both keys work during the grace period, and with no grace the old one stops', async () => {
    const created = await as(api, tokens.admin, 'POST', '/api/sites', { name: 'Rotation site', location: 'Basement' });
    expect(created.status).toBe(201);
    expect(created.json.api_key).toMatch(/^mk_[0-9a-f]{16}_/);
    expect(created.json.site).toMatchObject({ site_name: 'Rotation site', location: 'Basement', status: 'offline' });
    const key1 = created.json.api_key as string;
    expect((await call(api, 'POST', '/api/sync/auth', { key: key1 })).status).toBe(200);
    expect((await as(api, tokens.admin, 'POST', '/api/sites', { name: 'Rotation site' })).status).toBe(409);

    const rotated = await as(api, tokens.admin, 'POST', `/api/sites/${created.json.site_id}/keys`, {});
    expect(rotated.status).toBe(201);
    const key2 = rotated.json.api_key as string;
    expect(Date.parse(rotated.json.previous_keys_expire_at) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await call(api, 'POST', '/api/sync/auth', { key: key1 })).status).toBe(200);
    expect((await call(api, 'POST', '/api/sync/auth', { key: key2 })).status).toBe(200);
    const keys = await as(api, tokens.admin, 'GET', `/api/sites/${created.json.site_id}/keys`);
    expect(keys.json.keys.map((k: { state: string }) => k.state)).toEqual(['active', 'expiring']);
    expect(JSON.stringify(keys.json)).not.toContain(key1.slice(20));

    const now = await as(api, tokens.admin, 'POST', `/api/sites/${created.json.site_id}/keys`, { grace_hours: 0 });
    expect((await call(api, 'POST', '/api/sync/auth', { key: key2 })).status).toBe(401);
    expect((await call(api, 'POST', '/api/sync/auth', { key: now.json.api_key })).status).toBe(200);

    const off = await as(api, tokens.admin, 'PATCH', `/api/sites/${created.json.site_id}`, { is_active: false });
    expect(off.json.site.status).toBe('inactive');
    expect((await call(api, 'POST', '/api/sync/auth', { key: now.json.api_key })).status).toBe(401);
    expect(
      (await as(api, tokens.admin, 'GET', '/api/sites')).json.sites.map((s: { site_name: string }) => s.site_name),
    ).not.toContain('Rotation site');
    expect(
      (await as(api, tokens.admin, 'GET', '/api/sites?include_inactive=true')).json.sites.map(
        (s: { site_name: string }) => s.site_name,
      ),
    ).toContain('Rotation site');
  });
});

describe('when an operator adds and edits a meter', () => {
  it('then the agent sees the change in /api/sync/config, and bad input is a 400 naming each field', async () => {
    const before = (await call(api, 'GET', '/api/sync/config', { key: siteA.key })).json;
    const added = await as(api, tokens.operator, 'POST', `/api/sites/${siteA.id}/meters`, newMeter('pump-7'));
    expect(added.status).toBe(201);
    expect(added.json.meter).toMatchObject({ external_id: 'pump-7', site_id: siteA.id, status: 'no_data' });
    const after = (await call(api, 'GET', '/api/sync/config', { key: siteA.key })).json;
    expect(after.config_version).not.toBe(before.config_version);
    expect(after.meters.map((m: { id: string }) => m.id)).toContain('pump-7');

    const edited = await as(api, tokens.operator, 'PATCH', `/api/meters/${added.json.meter.id}`, { is_active: false });
    expect(edited.json.meter.is_active).toBe(false);
    expect(
      (await call(api, 'GET', '/api/sync/config', { key: siteA.key })).json.meters.map((m: { id: string }) => m.id),
    ).not.toContain('pump-7');

    expect((await as(api, tokens.operator, 'POST', `/api/sites/${siteA.id}/meters`, newMeter('pump-7'))).status).toBe(
      409,
    );
    const bad = await as(api, tokens.operator, 'POST', `/api/sites/${siteA.id}/meters`, {
      ...newMeter('x'),
      bacnet_ip: 'nope',
      data_points: [{ name: 'a' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['bacnet_ip', 'data_points[0].object_type', 'data_points[0].instance']),
    );
    expect((await as(api, tokens.operator, 'POST', '/api/sites/999999/meters', newMeter('y'))).status).toBe(404);
  });
});
