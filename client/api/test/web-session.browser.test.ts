import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@meterit/shared/browser-testing';
import type { SyncReading } from '@meterit/shared';
import { meter } from './helpers.js';
import { ARTIFACTS, shellReady, startWebApi, submitLogin, type WebApi } from './helpers/browser.js';
import { createSiteWithCli } from './helpers/processes.js';
import { heartbeatOf, syncOk } from './helpers/site-api.js';
import { login, registerAndSend } from './operator-helpers.js';

// The web app's session and the security headers in a real Chromium, against the API process serving the built
// app: the refresh token never reaches the page (httpOnly cookie), and the CSP lets every page render without a
// single violation or console error.
const ADMIN = { email: 'admin@meterit.test', password: 'session-admin-password-1' };

let api: WebApi;
let browser: Browser;
let siteId: number;

const METERS = ['m-1', 'm-2'].map((id, i) =>
  meter(id, {
    name: i === 0 ? 'Main incomer' : 'Chiller plant',
    bacnet_device_id: 4301 + i,
    bacnet_ip: `127.0.43.${10 + i}`,
  }),
);

/** What a person would see go wrong: script errors, console errors and CSP violations, across reloads. */
async function watch(context: BrowserContext, page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  await context.exposeFunction('__cspViolation', (text: string) => problems.push(`CSP: ${text}`));
  await context.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')'))`,
  );
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { problems };
}

/** Everything the page's own script can read: both storages and document.cookie. */
const readable = (page: Page) =>
  page.evaluate<{ local: Record<string, string>; session: Record<string, string>; cookie: string }>(
    `(() => { const dump = (s) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)])); return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie }; })()`,
  );

/** A refresh token (rt_…) or a JWT (eyJ…) anywhere in what the page can read. */
const TOKEN = /rt_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{10,}\./;

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(400); // let charts finish their entry animation
  await page.screenshot({ path: path.join(ARTIFACTS, `client-session-${name}.png`), fullPage: false });
}

beforeAll(async () => {
  api = await startWebApi({ database: 'web_session_browser', admin: ADMIN, env: { ALERT_ENGINE_ENABLED: 'false' } });
  const site = await createSiteWithCli(api.databaseUrl, 'Plant East');
  siteId = site.site_id;
  // Six hours of a reading a minute, so the site and meter pages draw their charts.
  const now = Date.now() - (Date.now() % 60_000);
  const readings: SyncReading[] = [];
  for (let i = 360; i >= 1; i--) {
    const timestamp = new Date(now - i * 60_000).toISOString();
    for (const [n, m] of METERS.entries()) {
      readings.push({
        meter_external_id: m.id,
        data_point: 'total_kwh',
        timestamp,
        value: 1000 * (n + 1) + (360 - i) * (n + 1) * 0.5,
        unit: 'kWh',
        quality: 'good',
      });
      readings.push({
        meter_external_id: m.id,
        data_point: 'current_kw',
        timestamp,
        value: 30 * (n + 1) + Math.sin(i / 20) * 5,
        unit: 'kW',
        quality: 'good',
      });
    }
  }
  await registerAndSend(api, site.api_key, METERS, readings);
  await syncOk(
    api,
    site.api_key,
    'heartbeat',
    heartbeatOf({ agent_version: '0.1.0', meters: { configured: 2, ok: 2, failing: 0, never_answered: 0 } }),
  );
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

describe('the web app session and its security headers in a real browser', () => {
  it('when an admin logs in, opens pages, reloads and logs out, then no token is readable by the page, a reload stays logged in, a reload after logout stays logged out, and nothing breaks the CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    const { problems } = await watch(context, page);

    const first = await page.goto(api.url);
    expect(first?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await shot(page, 'login');
    await submitLogin(page, ADMIN);
    await shellReady(page);

    // The refresh token is only in httpOnly cookies for the two auth routes; the page can read no token at all.
    const afterLogin = await readable(page);
    expect(JSON.stringify(afterLogin)).not.toMatch(TOKEN);
    expect(afterLogin.session).toEqual({});
    const cookies = (await context.cookies()).filter((c) => c.name === 'meterit_refresh');
    expect(cookies.map((c) => c.path).sort()).toEqual(['/api/auth/logout', '/api/auth/refresh']);
    for (const c of cookies)
      expect(c).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
        secure: false,
        value: expect.stringMatching(/^rt_/),
      });

    // Pages with MUI styles and charts render under the CSP.
    const row = page.locator('[data-testid^="site-row-"]', { hasText: 'Plant East' });
    await expect
      .poll(async () => row.locator('[data-status]').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('online');
    await row.getByRole('link', { name: 'Plant East' }).click();
    await expect.poll(() => page.locator('[data-testid^="meter-row-"]').count(), { timeout: 20_000 }).toBe(2);
    await page.getByTestId('readings-chart').waitFor();
    await page.getByTestId('consumption-chart').waitFor();
    await shot(page, 'site');
    await page
      .locator('[data-testid^="meter-row-"]', { hasText: 'Main incomer' })
      .getByRole('link', { name: 'Main incomer' })
      .click();
    await page.getByTestId('point-current_kw').waitFor();
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(/\/alerts/);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await row.waitFor();

    // A reload: the access token was in memory only, the cookie brings the session back.
    await page.goto(`${api.url}/sites/${siteId}`);
    await shellReady(page);
    await expect.poll(() => page.locator('[data-testid^="meter-row-"]').count(), { timeout: 20_000 }).toBe(2);
    expect(JSON.stringify(await readable(page))).not.toMatch(TOKEN);
    const rotated = (await context.cookies()).find((c) => c.name === 'meterit_refresh');
    expect(rotated?.value).not.toBe(cookies[0]?.value);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    expect((await context.cookies()).filter((c) => c.name === 'meterit_refresh')).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    // The token the cookie held was ended on the server too, not only forgotten by the browser.
    const replay = await fetch(`${api.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'x-meterit-session': 'cookie', cookie: `meterit_refresh=${rotated?.value}` },
    });
    expect(replay.status).toBe(401);

    expect(problems).toEqual([]);
    // And the watch sees what it is there for: an injected inline script is refused, and reported.
    const ran = await page.evaluate<boolean>(
      `(() => { const s = document.createElement('script'); s.textContent = 'window.__injected = true'; document.head.appendChild(s); return window.__injected === true; })()`,
    );
    expect(ran).toBe(false);
    await expect.poll(() => problems.join('\n')).toMatch(/CSP: script-src/);
    await context.close();
  }, 180_000);

  it('when the browser still holds a refresh token in localStorage from an earlier version, then the app resumes the session through the cookie and removes it from localStorage', async () => {
    const old = await login(api, ADMIN.email, ADMIN.password);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    const { problems } = await watch(context, page);
    await page.goto(api.url);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.evaluate(`localStorage.setItem('meterit.refresh_token', ${JSON.stringify(old.refresh_token)})`);
    await page.reload();
    await shellReady(page);
    expect(JSON.stringify(await readable(page))).not.toMatch(TOKEN);
    expect((await context.cookies()).filter((c) => c.name === 'meterit_refresh')).toHaveLength(2);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
