import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openContext, screenshot, sidewaysOverflow } from '@meterit/shared/browser-testing';
import {
  ARTIFACTS as ALL_ARTIFACTS,
  logIn,
  shellReady,
  startWebApi,
  submitLogin,
  type WebApi,
} from './helpers/browser.js';
import { createSiteWithCli, ROOT } from './helpers/processes.js';
import { heartbeatOf, sync } from './helpers/site-api.js';
import { as, login } from './operator-helpers.js';

// The operators' app shell in a real Chromium against the API process serving the built app: the navigation on a
// phone, the active-alert badge, dark mode that follows the user, the profile's time zone, the forced password
// change after an admin set the password, and the own password change.
const ARTIFACTS = path.join(ALL_ARTIFACTS, 'shell');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = { email: 'admin@meterit.test', password: 'shell-admin-password-1' };

let api: WebApi;
let browser: Browser;
let siteKey: string;

const tokenOf = async (email: string, password: string) => (await login(api, email, password)).access_token;

/** The new-password field, not "New password again" (the label ends in the required mark). */
const NEW_PASSWORD = /^New password\s*\*?$/;

const scheme = (page: Page) =>
  page.evaluate<string | null>('document.documentElement.getAttribute("data-color-scheme")');
const pageBackground = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');

beforeAll(async () => {
  api = await startWebApi({
    database: 'shell_browser',
    admin: ADMIN,
    // A site that stops sending heartbeats is offline (an alert) within seconds.
    env: { ALERT_EVAL_INTERVAL_SECONDS: '1', ALERT_HEARTBEAT_MISSING_MINUTES: '0.05' },
  });
  siteKey = (await createSiteWithCli(api.databaseUrl, 'Harbour depot')).api_key;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

describe('the app shell', () => {
  it('when an admin logs in on a phone, then the drawer reaches every page and action without sideways scrolling, and Alerts carries the number of active alerts', async () => {
    // The site sends one heartbeat and then goes quiet: "offline" fires within seconds.
    const hb = await sync(
      api,
      siteKey,
      'heartbeat',
      heartbeatOf({ agent_version: 'shell-test', meters: { configured: 0, ok: 0, failing: 0, never_answered: 0 } }),
    );
    expect(hb.status).toBe(200);
    const admin = await tokenOf(ADMIN.email, ADMIN.password);
    const activeCount = async () =>
      ((await as(api, admin, 'GET', '/api/alerts?state=active&limit=1000')).json.alerts as unknown[]).length;
    await expect.poll(activeCount, { timeout: 40_000, interval: 1000 }).toBeGreaterThan(0);
    const active = await activeCount();

    const context = await openContext(browser, 'phone', 'light');
    const page = await context.newPage();
    await page.goto(api.url);
    await submitLogin(page, ADMIN);
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
    await logIn(page, api.url, ADMIN);
    expect(await scheme(page)).toBe('light');
    const light = await pageBackground(page);

    await page.getByRole('button', { name: /^Theme:/ }).click();
    // The choice is saved on the user; the reload below comes once the server has it.
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/account/preferences') && r.request().method() === 'PATCH' && r.ok(),
    );
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    await saved;
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
    await logIn(there, api.url, ADMIN);
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
    await logIn(page, api.url, ADMIN);
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
    await p.goto(api.url);
    await submitLogin(p, { email: 'newcomer@meterit.test', password: generated });
    await p.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    expect(await p.getByText('Harbour depot').count()).toBe(0);
    const held = await tokenOf('newcomer@meterit.test', generated);
    const refused = await as(api, held, 'GET', '/api/sites');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
    await screenshot(p, ARTIFACTS, 'forced-password-phone-dark');

    await p.getByLabel('Current password').fill(generated);
    await p.getByLabel(NEW_PASSWORD).fill('newcomer-own-password');
    await p.getByLabel('New password again').fill('newcomer-own-password');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('main').getByText('Harbour depot').first().waitFor();
    expect((await as(api, held, 'GET', '/api/sites')).status).toBe(200);
    await theirs.close();
  }, 120_000);

  it("when a page's code cannot be fetched (the server went away in between), then that page says so with a reload, and the navigation stays", async () => {
    const context = await openContext(browser, 'laptop', 'light');
    const page = await context.newPage();
    await logIn(page, api.url, ADMIN);
    // The energy page's chunk is refused, as when the API stopped after the app was loaded.
    await page.route(/\/assets\/EnergyPage-[^/]+\.js$/, (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Energy', exact: true }).click();
    await page.getByText('This page could not be fetched from the server').waitFor();
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    // The rest of the app still works: another page opens from the navigation.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByText('Harbour depot').first().waitFor();
    expect(await page.getByText('could not be fetched').count()).toBe(0);
    await context.close();
  }, 60_000);

  it('when an operator changes their own password on the profile, then they log out and back in with the new one, and the old one is refused', async () => {
    const context = await openContext(browser, 'laptop', 'light');
    const page = await context.newPage();
    await logIn(page, api.url, ADMIN);
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
