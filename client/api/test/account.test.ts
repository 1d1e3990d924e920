import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountResponseSchema, type AccountResponse, type CreateUserResponse } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, startTestApi } from './helpers.js';
import { ADMIN, as, createUser, login } from './operator-helpers.js';

// The operator's own account: a password an admin generated or reset must be replaced before anything else (the
// API refuses every other operator route meanwhile), the own password change with its rules and its limit on wrong
// guesses, and the profile preferences that follow the user to any browser.
let api: RunningClientApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password, loginRateLimitPerMinute: 3 });
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

async function account(token: string): Promise<AccountResponse> {
  const res = await as(api, token, 'GET', '/api/account');
  expect(res.status).toBe(200);
  return AccountResponseSchema.parse(res.json);
}

describe('when the API starts on an empty database without ADMIN_PASSWORD', () => {
  it('then the first admin it creates with a generated password must choose their own at the first login', async () => {
    // As in the demo: the generated password is written to a file (and logged once).
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'meterit-first-admin-')), 'initial-admin.json');
    const fresh = await startTestApi({ initialAdminFile: file });
    try {
      const { email, password } = JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string };
      expect(email).toBe('admin@meterit.local');
      const token = (await login(fresh, email, password)).access_token;
      expect((await as(fresh, token, 'GET', '/api/account')).json).toMatchObject({ must_change_password: true });
      const refused = await as(fresh, token, 'GET', '/api/sites');
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
      const own = { current_password: password, new_password: 'first-admin-own-password-1' };
      expect((await as(fresh, token, 'POST', '/api/auth/password', own)).status).toBe(204);
      const again = (await login(fresh, email, own.new_password)).access_token;
      expect((await as(fresh, again, 'GET', '/api/sites')).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('then an admin from ADMIN_EMAIL / ADMIN_PASSWORD is not asked to change it', async () => {
    expect((await as(api, admin, 'GET', '/api/account')).json).toMatchObject({ must_change_password: false });
    expect((await as(api, admin, 'GET', '/api/sites')).status).toBe(200);
  });
});

describe('when an admin creates a user with a generated password', () => {
  it('then that user can log in but every route other than the account and the password change answers 403 PASSWORD_CHANGE_REQUIRED until they choose their own', async () => {
    const created = await as(api, admin, 'POST', '/api/users', { email: 'new@example.test', role: 'operator' });
    expect(created.status).toBe(201);
    const generated = (created.json as CreateUserResponse).initial_password as string;
    expect(generated).toHaveLength(20);

    const token = (await login(api, 'new@example.test', generated)).access_token;
    expect((await account(token)).must_change_password).toBe(true);
    for (const [method, path, body] of [
      ['GET', '/api/sites', undefined],
      ['GET', '/api/alerts', undefined],
      ['GET', '/api/auth/tokens', undefined],
      ['POST', '/api/auth/tokens', { name: 'assistant' }],
      ['PATCH', '/api/account/preferences', { theme: 'dark' }],
    ] as const) {
      const res = await as(api, token, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    }
    expect((await as(api, token, 'GET', '/api/auth/me')).status).toBe(200);

    // The generated password itself is not a new one.
    const same = await as(api, token, 'POST', '/api/auth/password', {
      current_password: generated,
      new_password: generated,
    });
    expect(same.status).toBe(400);
    expect(same.json).toMatchObject({
      error: { message: 'new_password must differ from the password an admin set for you' },
    });

    const changed = await as(api, token, 'POST', '/api/auth/password', {
      current_password: generated,
      new_password: 'my-own-password-1',
    });
    expect(changed.status).toBe(204);
    expect((await account(token)).must_change_password).toBe(false);
    expect((await as(api, token, 'GET', '/api/sites')).status).toBe(200);
    expect(
      (await call(api, 'POST', '/api/auth/login', { body: { email: 'new@example.test', password: generated } })).status,
    ).toBe(401);
    await login(api, 'new@example.test', 'my-own-password-1');
  });

  it('then a user the admin gave a password of their choice is not held back', async () => {
    const token = await createUser(api, 'chosen@example.test', 'viewer');
    expect((await account(token)).must_change_password).toBe(false);
    expect((await as(api, token, 'GET', '/api/sites')).status).toBe(200);
  });
});

describe("when an admin resets another user's password", () => {
  it('then that user must change it at the next login, while an admin setting their own password is not', async () => {
    await createUser(api, 'reset@example.test', 'viewer');
    const users = (await as(api, admin, 'GET', '/api/users')).json as { users: { id: number; email: string }[] };
    const id = users.users.find((u) => u.email === 'reset@example.test')!.id;
    expect((await as(api, admin, 'PATCH', `/api/users/${id}`, { password: 'set-by-the-admin-1' })).status).toBe(200);
    const token = (await login(api, 'reset@example.test', 'set-by-the-admin-1')).access_token;
    expect((await account(token)).must_change_password).toBe(true);
    expect((await as(api, token, 'GET', '/api/meters')).json).toMatchObject({
      error: { code: 'PASSWORD_CHANGE_REQUIRED' },
    });

    const adminId = (await account(admin)).user.id;
    expect((await as(api, admin, 'PATCH', `/api/users/${adminId}`, { password: ADMIN.password })).status).toBe(200);
    const again = (await login(api, ADMIN.email, ADMIN.password)).access_token;
    expect((await account(again)).must_change_password).toBe(false);
    admin = again;
  });
});

describe('when a user changes their own password', () => {
  it('then a wrong current password and a weak new one are refused, each saying why, and the password stays', async () => {
    const token = await createUser(api, 'changer@example.test', 'operator');
    const wrong = await as(api, token, 'POST', '/api/auth/password', {
      current_password: 'not-my-password',
      new_password: 'a-fine-new-password',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error: { message: 'current_password is wrong' } });
    const weak = await as(api, token, 'POST', '/api/auth/password', {
      current_password: 'operator-password-123',
      new_password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.json)).toContain('new_password must be at least 12 characters long');
    await login(api, 'changer@example.test', 'operator-password-123');
  });

  it('then wrong current passwords are counted by the failed-password limiter: the 4th try in a minute waits even when right', async () => {
    const created = await as(api, admin, 'POST', '/api/users', { email: 'guesser@example.test', role: 'viewer' });
    const generated = (created.json as CreateUserResponse).initial_password as string;
    // A user still held at the password change: the limiter guards this route as much as any.
    const token = (await login(api, 'guesser@example.test', generated)).access_token;
    for (const guess of ['guess-1', 'guess-2', 'guess-3']) {
      const r = await as(api, token, 'POST', '/api/auth/password', {
        current_password: guess,
        new_password: 'the-new-password-1',
      });
      expect(r.status).toBe(400);
    }
    const fourth = await as(api, token, 'POST', '/api/auth/password', {
      current_password: generated,
      new_password: 'the-new-password-1',
    });
    expect(fourth.status).toBe(429);
    expect(fourth.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await account(token)).must_change_password).toBe(true);
  });
});

describe('when a user sets their profile preferences', () => {
  it('then time zone and theme are stored on the user, come back on a new login, and bad values are refused naming the field', async () => {
    const token = await createUser(api, 'prefs@example.test', 'viewer');
    expect((await account(token)).preferences).toEqual({ time_zone: null, theme: 'system' });

    const set = await as(api, token, 'PATCH', '/api/account/preferences', { time_zone: 'Asia/Tokyo', theme: 'dark' });
    expect(set.status).toBe(200);
    expect(AccountResponseSchema.parse(set.json).preferences).toEqual({ time_zone: 'Asia/Tokyo', theme: 'dark' });
    // Another browser: a new login reads the same.
    const elsewhere = (await login(api, 'prefs@example.test', 'viewer-password-123')).access_token;
    expect((await account(elsewhere)).preferences).toEqual({ time_zone: 'Asia/Tokyo', theme: 'dark' });

    // One field at a time leaves the other.
    await as(api, token, 'PATCH', '/api/account/preferences', { time_zone: null });
    expect((await account(token)).preferences).toEqual({ time_zone: null, theme: 'dark' });

    for (const [body, field] of [
      [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
      [{ time_zone: 42 }, 'time_zone'],
      [{ theme: 'blue' }, 'theme'],
      [{ colour: 'dark' }, 'colour'],
    ] as const) {
      const res = await as(api, token, 'PATCH', '/api/account/preferences', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json)).toContain(field);
    }
    expect((await account(token)).preferences).toEqual({ time_zone: null, theme: 'dark' });
    // Another user's preferences are their own.
    expect((await account(admin)).preferences.theme).toBe('system');
  });
});
