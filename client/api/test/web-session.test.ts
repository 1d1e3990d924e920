import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningClientApi } from '../src/index.js';
import { call, startTestApi } from './helpers.js';
import { ADMIN } from './operator-helpers.js';
import { ROOT } from './helpers/processes.js';

// The web app's session (refresh token in an httpOnly cookie, never in the page) and the security headers of
// every answer, against a real API with the built web app on the same port.
const WEB = { 'x-meterit-session': 'cookie' };
const REFRESH_PATHS = ['/api/auth/refresh', '/api/auth/logout'];

let api: RunningClientApi;
let proxied: RunningClientApi;

beforeAll(async () => {
  api = await startTestApi({
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    webDistDir: path.join(ROOT, 'client/web/dist'),
  });
  proxied = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password, trustProxy: true });
});
afterAll(async () => {
  await api?.close();
  await proxied?.close();
});

interface Cookie {
  name: string;
  value: string;
  attrs: Record<string, string | true>;
}

function cookiesOf(headers: Headers): Cookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair = '', ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    const attrs: Record<string, string | true> = {};
    for (const a of rest) {
      const [k = '', ...v] = a.trim().split('=');
      attrs[k.toLowerCase()] = v.length ? v.join('=') : true;
    }
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
  });
}

/** What a browser would send back to /api/auth/refresh or /api/auth/logout. */
function cookieFor(headers: Headers, routePath: string): string {
  const c = cookiesOf(headers).find((k) => k.attrs.path === routePath);
  if (!c) throw new Error(`no cookie for ${routePath} in ${headers.getSetCookie().join(' | ')}`);
  return `${c.name}=${c.value}`;
}

async function webLogin(target: RunningClientApi = api, headers: Record<string, string> = {}) {
  const res = await call(target, 'POST', '/api/auth/login', { body: ADMIN, headers: { ...WEB, ...headers } });
  expect(res.status).toBe(200);
  return res;
}

describe('when the API or the web app answers', () => {
  it('then API answers, errors and the web app pages carry a CSP with frame-ancestors none, nosniff and a Referrer-Policy, and no HSTS over plain HTTP', async () => {
    const answers = [
      await call(api, 'GET', '/health'),
      await call(api, 'GET', '/api/sites'),
      await call(api, 'POST', '/api/auth/login', { body: { email: ADMIN.email, password: 'wrong-password' } }),
      await call(api, 'GET', '/no/such/api', { headers: { accept: 'application/json' } }),
      await call(api, 'GET', '/'),
      await call(api, 'GET', '/sites/1'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 401, 404, 200, 200]);
    expect(answers[4]?.headers.get('content-type')).toContain('text/html');
    for (const a of answers) {
      const csp = a.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(a.headers.get('x-content-type-options')).toBe('nosniff');
      expect(a.headers.get('x-frame-options')).toBe('DENY');
      expect(a.headers.get('referrer-policy')).toBe('same-origin');
      expect(a.headers.get('strict-transport-security')).toBeNull();
    }
    const html = await (await fetch(`${api.url}/`)).text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\//);
    const asset = await fetch(`${api.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('when it is reached over HTTPS through a trusted proxy, then it also sends Strict-Transport-Security', async () => {
    const https = await call(proxied, 'GET', '/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    const plain = await call(proxied, 'GET', '/health');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('when the web app logs in', () => {
  it('then the refresh token comes only as an httpOnly SameSite=Strict cookie scoped to refresh and logout, not in the body', async () => {
    const res = await webLogin();
    expect(res.json.access_token).toEqual(expect.any(String));
    expect(res.json.refresh_token).toBeUndefined();
    expect(JSON.stringify(res.json)).not.toMatch(/rt_/);
    const cookies = cookiesOf(res.headers);
    expect(cookies.map((c) => c.attrs.path).sort()).toEqual([...REFRESH_PATHS].sort());
    for (const c of cookies) {
      expect(c.name).toBe('meterit_refresh');
      expect(c.value).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(c.attrs.httponly).toBe(true);
      expect(c.attrs.samesite).toBe('Strict');
      // Plain HTTP here: a Secure cookie would never come back.
      expect(c.attrs.secure).toBeUndefined();
      expect(Number(c.attrs['max-age'])).toBeGreaterThan(29 * 86_400);
    }
    expect(cookies[0]?.value).toBe(cookies[1]?.value);
  });

  it('when it is served over HTTPS (behind a trusted proxy), then the cookie is Secure', async () => {
    const res = await webLogin(proxied, { 'x-forwarded-proto': 'https' });
    const cookies = cookiesOf(res.headers);
    expect(cookies).toHaveLength(2);
    for (const c of cookies) expect(c.attrs.secure).toBe(true);
  });

  it('then a refresh with the cookie gives a new access token and a new cookie; the old cookie is used up, and without a cookie it is 401', async () => {
    const first = await webLogin();
    const r1 = await call(api, 'POST', '/api/auth/refresh', {
      headers: { ...WEB, cookie: cookieFor(first.headers, '/api/auth/refresh') },
    });
    expect(r1.status).toBe(200);
    expect(r1.json.refresh_token).toBeUndefined();
    expect(
      (await call(api, 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${r1.json.access_token}` } })).json
        .user.email,
    ).toBe(ADMIN.email);
    expect(cookieFor(r1.headers, '/api/auth/refresh')).not.toBe(cookieFor(first.headers, '/api/auth/refresh'));
    // Single use, as with a body token: the cookie the login set no longer works.
    const replay = await call(api, 'POST', '/api/auth/refresh', {
      headers: { ...WEB, cookie: cookieFor(first.headers, '/api/auth/refresh') },
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error.message).toMatch(/log in again/);

    const none = await call(api, 'POST', '/api/auth/refresh', { headers: WEB });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('AUTH_MISSING');
    const garbage = await call(api, 'POST', '/api/auth/refresh', {
      headers: { ...WEB, cookie: "meterit_refresh=' OR 1=1 --" },
    });
    expect(garbage.status).toBe(401);
    expect(JSON.stringify(garbage.json)).not.toMatch(/SQL|select|stack/i);
  });

  it('when another site sends the cookie (no session header, or a foreign Origin), then 403 and the session is untouched', async () => {
    const session = await webLogin();
    const cookie = cookieFor(session.headers, '/api/auth/refresh');
    const noHeader = await call(api, 'POST', '/api/auth/refresh', { headers: { cookie } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.json.error.message).toMatch(/X-MeterIT-Session/);
    const foreign = await call(api, 'POST', '/api/auth/refresh', {
      headers: { ...WEB, cookie, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toMatch(/origin/i);
    const foreignLogout = await call(api, 'POST', '/api/auth/logout', {
      headers: { ...WEB, cookie: cookieFor(session.headers, '/api/auth/logout'), origin: 'https://evil.example' },
    });
    expect(foreignLogout.status).toBe(403);
    // The app's own origin passes, and the refused attempts used nothing up.
    const own = await call(api, 'POST', '/api/auth/refresh', { headers: { ...WEB, cookie, origin: api.url } });
    expect(own.status).toBe(200);
  });

  it('then logout with the cookie ends the login and clears both cookies; the old cookie cannot refresh any more', async () => {
    const session = await webLogin();
    const out = await call(api, 'POST', '/api/auth/logout', {
      headers: { ...WEB, cookie: cookieFor(session.headers, '/api/auth/logout') },
    });
    expect(out.status).toBe(204);
    const cleared = cookiesOf(out.headers);
    expect(cleared.map((c) => c.attrs.path).sort()).toEqual([...REFRESH_PATHS].sort());
    for (const c of cleared) {
      expect(c.value).toBe('');
      expect(new Date(String(c.attrs.expires)).getTime()).toBeLessThan(Date.now());
    }
    const after = await call(api, 'POST', '/api/auth/refresh', {
      headers: { ...WEB, cookie: cookieFor(session.headers, '/api/auth/refresh') },
    });
    expect(after.status).toBe(401);
    // Logging out again (no cookie any more) is not an error.
    expect((await call(api, 'POST', '/api/auth/logout', { headers: WEB })).status).toBe(204);
  });

  it('when a page still holds a token from before (localStorage), then it is exchanged once for the cookie and stops working', async () => {
    const old = await call(api, 'POST', '/api/auth/login', { body: ADMIN });
    expect(old.json.refresh_token).toMatch(/^rt_/);
    const moved = await call(api, 'POST', '/api/auth/refresh', {
      body: { refresh_token: old.json.refresh_token },
      headers: WEB,
    });
    expect(moved.status).toBe(200);
    expect(moved.json.refresh_token).toBeUndefined();
    expect(cookiesOf(moved.headers)).toHaveLength(2);
    expect(
      (
        await call(api, 'POST', '/api/auth/refresh', {
          headers: { ...WEB, cookie: cookieFor(moved.headers, '/api/auth/refresh') },
        })
      ).status,
    ).toBe(200);
  });
});
