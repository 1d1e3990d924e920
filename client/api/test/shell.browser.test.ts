import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM, launchChromium, openContext, screenshot, sidewaysOverflow } from '@meterit/shared/browser-testing';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { createSiteWithCli, ROOT, startApiProcess, type Proc } from './helpers/processes.js';

// The operators' app shell in a real Chromium against the API process serving the built app: the navigation on a
// phone, the active-alert badge, dark mode that follows the user, the profile's time zone, the forced password
// change after an admin set the password, and the own password change.
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'shell');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = { email: 'admin@meterit.test', password: 'shell-admin-password-1' };

let api: { url: string; proc: Proc };
let browser: Browser;
let siteKey: string;

async function apiCall(method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, unknown> };
}
const tokenOf = async (email: string, password: string) =>
  (await apiCall('POST', '/api/auth/login', undefined, { email, password })).json.access_token as string;

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(api.url);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The shell is up: the menu button on a phone, the user's e-mail in the app bar on a laptop. */
const shellReady = (page: Page) =>
  page.getByRole('button', { name: 'Open navigation' }).or(page.getByTestId('current-user')).first().waitFor();

/** The new-password field, not "New password again" (the label ends in the required mark). */
const NEW_PASSWORD = /^New password\s*\*?$/;

const scheme = (page: Page) =>
  page.evaluate<string | null>('document.documentElement.getAttribute("data-color-scheme")');
const pageBackground = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'client/web/dist/index.html')))
    throw new Error('build the web app first: pnpm --filter @meterit/client-web build');
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium)").toBe(true);
  const db = await createTestDatabase(inject('pg'), 'shell_browser');
  api = await startApiProcess(
    {
      DATABASE_URL: db,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      // A site that stops sending heartbeats is offline (an alert) within seconds.
      ALERT_EVAL_INTERVAL_SECONDS: '1',
      ALERT_HEARTBEAT_MISSING_MINUTES: '0.05',
    },
    await freePort(),
  );
  siteKey = (await createSiteWithCli(db, 'Harbour depot')).api_key;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

describe('the app shell', () => {
  it('when an admin logs in on a phone, then the drawer reaches every page and action without sideways scrolling, and Alerts carries the number of active alerts', async () => {
    // The site sends one heartbeat and then goes quiet: "offline" fires within seconds.
    const hb = await fetch(`${api.url}/api/sync/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': siteKey },
      body: JSON.stringify({
        agent_version: 'shell-test',
        agent_time: new Date().toISOString(),
        collecting: true,
        queue_depth: 0,
        oldest_unsent_at: null,
        dead_letters: 0,
        uplink_down_since: null,
        last_sync_at: new Date().toISOString(),
        meters: { configured: 0, ok: 0, failing: 0, never_answered: 0 },
      }),
    });
    expect(hb.status).toBe(200);
    const admin = await tokenOf(ADMIN.email, ADMIN.password);
    const activeCount = async () =>
      ((await apiCall('GET', '/api/alerts?state=active&limit=1000', admin)).json.alerts as unknown[]).length;
    await expect.poll(activeCount, { timeout: 40_000, interval: 1000 }).toBeGreaterThan(0);
    const active = await activeCount();

    const context = await openContext(browser, 'phone', 'light');
    const page = await context.newPage();
    await logIn(page, ADMIN.email, ADMIN.password);
    const menu = page.getByRole('button', { name: 'Open navigation' });
    await menu.waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);

    const drawer = page.locator('#app-navigation');
    const open = async () => {
      await menu.click();
      await drawer.getByRole('navigation', { name: 'Main' }).waitFor();
    };
    await open();
    await expect.poll(() => drawer.getByTestId('alert-badge').textContent()).toBe(String(active));
    await drawer.getByRole('link', { name: `Alerts, ${active} active` }).waitFor();
    await screenshot(page, ARTIFACTS, 'drawer-phone');
    expect(await sidewaysOverflow(page)).toBe(0);
    copyFileSync(path.join(ARTIFACTS, 'drawer-phone.png'), path.join(DOCS, 'client-shell-drawer-phone.png'));

    const destinations: [RegExp, string, string][] = [
      [/^Alerts/, '/alerts', 'Alerts'],
      [/^Sites & meters$/, '/admin/sites', 'Sites'],
      [/^Users$/, '/admin/users', 'Users'],
      [/^Dashboard$/, '/', 'Harbour depot'],
    ];
    for (const [name, url, shows] of destinations) {
      await drawer.getByRole('link', { name }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(url);
      await page.getByRole('main').getByText(shows).first().waitFor();
      await screenshot(page, ARTIFACTS, `phone-${url.replace(/\W+/g, '-')}`);
      await open();
    }
    await drawer.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);
    await open();
    await drawer.getByRole('button', { name: 'MCP tokens' }).click();
    const tokens = page.getByRole('dialog', { name: /MCP tokens/ });
    await tokens.waitFor();
    // On a phone the dialog has the whole width: a new token, its one-time reveal and the list all fit.
    await tokens.getByLabel('Token name').fill('Assistant on my phone');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    await tokens.getByTestId('mcp-token-reveal').waitFor();
    await tokens.getByText('Assistant on my phone').waitFor();
    const cutOff = await page.evaluate<number>(
      `(() => { const c = document.querySelector('.MuiDialogContent-root'); return c.scrollWidth - c.clientWidth; })()`,
    );
    expect(cutOff, 'px of the dialog cut off sideways').toBe(0);
    const box = await tokens.getByRole('button', { name: 'Revoke' }).boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await screenshot(page, ARTIFACTS, 'mcp-tokens-phone');
    await tokens.getByRole('button', { name: 'Close' }).click();
    await tokens.waitFor({ state: 'hidden' });
    await open();
    await drawer.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await context.close();
  }, 120_000);

  it('when an operator switches to dark, then it stays dark after a reload and in another browser, and a profile time zone shows at once', async () => {
    const context = await openContext(browser, 'laptop', 'light', 'Europe/Berlin');
    const page = await context.newPage();
    await logIn(page, ADMIN.email, ADMIN.password);
    await shellReady(page);
    expect(await scheme(page)).toBe('light');
    const light = await pageBackground(page);

    await page.getByRole('button', { name: /^Theme:/ }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    await expect.poll(() => scheme(page)).toBe('dark');
    expect(await pageBackground(page)).not.toBe(light);
    await page.reload();
    await shellReady(page);
    expect(await scheme(page)).toBe('dark');

    // The profile: a zone from the IANA list; times on the page follow it at once.
    await page.goto(`${api.url}/profile`);
    const lastLogin = page.getByTestId('last-login');
    await expect.poll(() => lastLogin.textContent()).toContain('GMT+1');
    await page.getByRole('combobox', { name: 'Time zone' }).fill('Asia/Tokyo');
    await page.getByRole('option', { name: 'Asia/Tokyo' }).click();
    await expect.poll(() => lastLogin.textContent()).toContain('GMT+9');
    await expect.poll(() => page.getByTestId('zone-now').textContent()).toContain('Asia/Tokyo');
    await screenshot(page, ARTIFACTS, 'profile-tokyo-dark');

    // Another browser (its own storage, light by the system): the profile's choices follow the user there.
    const other = await openContext(browser, 'laptop', 'light', 'Europe/Berlin');
    const there = await other.newPage();
    await logIn(there, ADMIN.email, ADMIN.password);
    await shellReady(there);
    await expect.poll(() => scheme(there)).toBe('dark');
    await there.goto(`${api.url}/profile`);
    await expect.poll(() => there.getByTestId('last-login').textContent()).toContain('GMT+9');
    await other.close();

    // Back to the defaults for the other scenarios.
    await page.getByRole('button', { name: 'System' }).click();
    await expect.poll(() => scheme(page)).toBe('light');
    await context.close();
  }, 120_000);

  it('when an admin creates a user with a generated password, then that user must choose their own before the dashboard, and the API refuses them meanwhile', async () => {
    const context = await openContext(browser, 'laptop', 'light');
    const page = await context.newPage();
    await logIn(page, ADMIN.email, ADMIN.password);
    await shellReady(page);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('E-mail').fill('newcomer@meterit.test');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const generated = (await page.getByTestId('initial-password').textContent())?.trim() ?? '';
    expect(generated).toMatch(/^[A-Za-z0-9]{20}$/);
    await context.close();

    const theirs = await openContext(browser, 'phone', 'dark');
    const p = await theirs.newPage();
    await logIn(p, 'newcomer@meterit.test', generated);
    await p.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    expect(await p.getByText('Harbour depot').count()).toBe(0);
    const held = await tokenOf('newcomer@meterit.test', generated);
    const refused = await apiCall('GET', '/api/sites', held);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    await screenshot(p, ARTIFACTS, 'forced-password-phone-dark');

    await p.getByLabel('Current password').fill(generated);
    await p.getByLabel(NEW_PASSWORD).fill('newcomer-own-password');
    await p.getByLabel('New password again').fill('newcomer-own-password');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('main').getByText('Harbour depot').first().waitFor();
    expect((await apiCall('GET', '/api/sites', held)).status).toBe(200);
    await theirs.close();
  }, 120_000);

  it('when an operator changes their own password on the profile, then they log out and back in with the new one, and the old one is refused', async () => {
    const context = await openContext(browser, 'laptop', 'light');
    const page = await context.newPage();
    await logIn(page, ADMIN.email, ADMIN.password);
    await shellReady(page);
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByLabel('Current password').fill('wrong-password-123');
    await page.getByLabel(NEW_PASSWORD).fill('shell-admin-password-2');
    await page.getByLabel('New password again').fill('shell-admin-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('current_password is wrong').waitFor();

    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    // Still logged in here: the app took a new session with the new password.
    await page.reload();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    // The login page, not the profile still on screen (its three password fields would all match "Password").
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('e-mail or password is wrong').waitFor();
    await page.getByLabel('Password').fill('shell-admin-password-2');
    await page.getByRole('button', { name: 'Log in' }).click();
    await shellReady(page);
    await context.close();
  }, 120_000);
});
