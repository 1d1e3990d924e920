import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chooseOption, launchChromium } from '@meterit/shared/browser-testing';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig, SiteSummary } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import { call } from './helpers.js';
import { ARTIFACTS, logIn, publishScreenshots, startWebApi, submitLogin, type WebApi } from './helpers/browser.js';
import { createSiteWithCli, startAgentProcess, type Proc } from './helpers/processes.js';
import { as, login } from './operator-helpers.js';

// The operators' web app in a real Chromium, against the real API process (serving the built app),
// a real site agent process and the BACnet simulator over UDP on 127.0.5.x.
const ADMIN = { email: 'admin@meterit.test', password: 'e2e-admin-password-1' };
const VIEWER = { email: 'viewer@meterit.test', password: 'e2e-viewer-password-1' };

let api: WebApi;
let agent: Proc;
let sim: Simulator;
let browser: Browser;
let adminToken: string;

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(400); // let charts finish their entry animation
  await page.screenshot({ path: path.join(ARTIFACTS, `client-${name}.png`), fullPage: true });
}

/** Script errors, console errors and CSP violations (the API's Content-Security-Policy) a page shows. */
async function watchProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')))`,
  );
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The refused login with a wrong password is expected; Chromium logs every 4xx as an error.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  return problems;
}

async function pick(page: Page, label: string, option: string, within?: string): Promise<void> {
  const field = (within ? page.getByTestId(within) : page).getByRole('combobox', { name: label, exact: true });
  await chooseOption(page, field, option);
}

beforeAll(async () => {
  api = await startWebApi({ database: 'web_e2e_client', admin: ADMIN });
  const siteDb = await createTestDatabase(inject('pg'), 'web_e2e_site');
  const site = await createSiteWithCli(api.databaseUrl, 'Demo site');
  sim = await startSimulator({
    meters: [
      { deviceId: 5101, name: 'Main incomer', address: '127.0.5.10', port: 47808 },
      { deviceId: 5102, name: 'Chiller plant', address: '127.0.5.11', port: 47808 },
      { deviceId: 5103, name: 'Lighting L2', address: '127.0.5.12', port: 47808 },
    ],
    listenBroadcast: false,
    seed: 7,
  });
  agent = startAgentProcess({
    clientUrl: api.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: '127.0.5.1',
  });
  adminToken = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  await as(api, adminToken, 'POST', '/api/users', { ...VIEWER, role: 'viewer', name: 'Vera Viewer' });
  browser = await launchChromium();
}, 360_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await sim?.stop();
  await api?.proc.stop();
});

describe('the operators web app in a real browser', () => {
  it('when an admin logs in, then the dashboard shows the demo site online with live meter values, charts open, and a new site gets a key, a rotated key and a meter', async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 860 },
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
    });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    await page.goto(api.url);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await shot(page, 'login');

    // Wrong password: one message that does not say which part was wrong.
    await submitLogin(page, { email: ADMIN.email, password: 'not-the-password' });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('e-mail or password is wrong');

    await logIn(page, api.url, ADMIN);
    // The agent's heartbeat arrives every 2 s; the dashboard refreshes itself every 15 s.
    const row = page.locator('[data-testid^="site-row-"]', { hasText: 'Demo site' });
    await expect
      .poll(async () => row.locator('[data-status]').getAttribute('data-status'), { timeout: 40_000 })
      .toBe('online');
    await expect.poll(async () => row.textContent(), { timeout: 30_000 }).toMatch(/3 \/ 3/);
    await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 30_000 }).toMatch(/\d kW/);
    await shot(page, 'dashboard');

    // Site page: every meter with its latest values, and they change as new readings arrive.
    await row.getByRole('link', { name: 'Demo site' }).click();
    const meterRows = page.locator('[data-testid^="meter-row-"]');
    await expect.poll(() => meterRows.count(), { timeout: 30_000 }).toBe(3);
    const incomer = page.locator('[data-testid^="meter-row-"]', { hasText: 'Main incomer' });
    const kwhChip = incomer.locator('[data-point="total_kwh"]');
    await expect.poll(() => kwhChip.textContent(), { timeout: 30_000 }).toMatch(/kWh/);
    const first = await kwhChip.textContent();
    await expect.poll(() => kwhChip.textContent(), { timeout: 40_000 }).not.toBe(first);
    await expect(incomer.getByText('OK', { exact: true }).count()).resolves.toBe(1);

    // A chart of readings: every reading of the last 6 hours.
    await pick(page, 'Range', 'Last 6 hours', 'section-Readings');
    await pick(page, 'Bucket', 'Every reading', 'section-Readings');
    // The line itself: a path with many segments (not a legend mark).
    const linePaths = () =>
      page
        .getByTestId('readings-chart')
        .locator('path')
        .evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').split(/[LC]/).length > 5).length);
    await expect.poll(linePaths, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('consumption-chart').waitFor();
    await page.getByTestId('connectivity-chart').waitFor();
    await shot(page, 'site');

    // Meter page: a chart per data point, with its quality.
    await incomer.getByRole('link', { name: 'Main incomer' }).click();
    await page.getByTestId('point-current_kw').waitFor();
    await pick(page, 'Range', 'Last 6 hours');
    await pick(page, 'Bucket', 'Every reading');
    await expect.poll(() => page.locator('[data-testid^="point-"]').count()).toBe(4);
    await expect.poll(() => page.getByTestId('point-voltage').textContent()).toContain('all readings good');
    await shot(page, 'meter');

    // Admin: create a site with its energy settings and get its key once. A new site starts in the browser's zone.
    await page.getByRole('link', { name: 'Sites & meters' }).click();
    await page.getByRole('button', { name: 'New site' }).click();
    await page.getByLabel('Site name').fill('Warehouse North');
    await page.getByLabel('Location (optional)').fill('Hamburg');
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Europe/Berlin');
    expect(await dialog.getByRole('combobox', { name: 'Currency' }).inputValue()).toBe('EUR — Euro');
    await dialog.getByRole('combobox', { name: 'Time zone' }).fill('Zurich');
    await page.getByRole('option', { name: 'Europe/Zurich', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Currency' }).fill('Swiss');
    await page.getByRole('option', { name: /^CHF/ }).click();
    await dialog.getByLabel('Floor area').fill('1250.5');
    // A factor in grams is marked at the field, with the API's own words, and nothing is sent.
    await dialog.getByLabel('CO₂ emission factor').fill('380');
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/most likely grams per kWh \(380 g\/kWh is 0\.38\)/);
    await shot(page, 'site-dialog-factor-refused');
    const warehouse = async () =>
      ((await as(api, adminToken, 'GET', '/api/sites?include_inactive=true')).json.sites as SiteSummary[]).find(
        (s) => s.site_name === 'Warehouse North',
      );
    expect(await warehouse()).toBeUndefined();
    await dialog.getByLabel('CO₂ emission factor').fill('0.128');
    await page.getByRole('button', { name: 'Create site' }).click();
    const keyField = page.getByLabel('Site API key');
    await keyField.waitFor();
    const key1 = await keyField.inputValue();
    expect(key1).toMatch(/^mk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    await shot(page, 'site-created-key');
    const authWith = async (key: string) => (await call(api, 'POST', '/api/sync/auth', { key })).status;
    expect(await authWith(key1)).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await warehouse()).toMatchObject({
      time_zone: 'Europe/Zurich',
      currency: 'CHF',
      area_m2: 1250.5,
      co2_kg_per_kwh: 0.128,
    });

    // Edit: the dialog shows what is stored; clearing the factor and changing the area saves exactly that.
    await page.getByTestId('admin-site-Warehouse North').getByRole('button', { name: 'Edit' }).click();
    expect(await dialog.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Europe/Zurich');
    expect(await dialog.getByRole('combobox', { name: 'Currency' }).inputValue()).toMatch(/^CHF — /);
    expect(await dialog.getByLabel('Floor area').inputValue()).toBe('1250.5');
    expect(await dialog.getByLabel('CO₂ emission factor').inputValue()).toBe('0.128');
    await dialog.getByLabel('Floor area').fill('1300');
    await dialog.getByLabel('CO₂ emission factor').fill('');
    await shot(page, 'site-dialog-edit');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await warehouse()).toMatchObject({ time_zone: 'Europe/Zurich', area_m2: 1300, co2_kg_per_kwh: null });
    await expect
      .poll(() => page.getByTestId('admin-site-Warehouse North').textContent())
      .toContain('Europe/Zurich · CHF');

    // Rotate it: both keys work during the grace period.
    const adminRow = page.getByTestId('admin-site-Warehouse North');
    await adminRow.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('button', { name: 'Create new key' }).click();
    await keyField.waitFor();
    const key2 = await keyField.inputValue();
    expect(key2).not.toBe(key1);
    await expect.poll(() => page.getByRole('dialog').textContent()).toMatch(/previous key keeps working until/);
    await shot(page, 'key-rotated');
    expect(await authWith(key1)).toBe(200);
    expect(await authWith(key2)).toBe(200);

    // The agent has the new key (scripts/rotate-key): revoke the old one without waiting for the grace period.
    const oldRow = page.getByTestId(`site-key-${key1.slice(3, 19)}`);
    await expect.poll(() => oldRow.textContent()).toContain('expiring');
    await oldRow.getByRole('button', { name: 'Revoke' }).click();
    await expect
      .poll(() => page.getByRole('dialog').textContent())
      .toMatch(/An agent still using it is refused from now on/);
    await oldRow.getByRole('button', { name: 'Revoke now' }).click();
    await expect.poll(() => oldRow.textContent()).toContain('revoked');
    await shot(page, 'key-revoked');
    expect(await authWith(key1)).toBe(401);
    expect(await authWith(key2)).toBe(200);
    await expect.poll(() => page.getByTestId(`site-key-${key2.slice(3, 19)}`).textContent()).toContain('active');
    await page.getByRole('button', { name: 'Done' }).click();

    // Add a meter; the site's agent would get it through /api/sync/config.
    await adminRow.getByRole('button', { name: 'Meters' }).click();
    await page.getByRole('button', { name: 'Add meter' }).click();
    await page.getByLabel('Meter id (unique on the site)').fill('wh-main');
    await page.getByRole('dialog').locator('input[name="name"]').fill('Warehouse main');
    await page.getByLabel('BACnet device id').fill('7001');
    await page.getByLabel('BACnet IP address').fill('10.20.0.15');
    await page.getByRole('dialog').getByRole('button', { name: 'Add meter' }).click();
    await page.getByTestId('admin-meter-wh-main').waitFor();
    const config = (await call(api, 'GET', '/api/sync/config', { key: key2 })).json as {
      meters: { id: string; data_points: unknown[] }[];
    };
    expect(config.meters.map((m) => m.id)).toEqual(['wh-main']);
    expect(config.meters[0]?.data_points).toHaveLength(4);
    await shot(page, 'admin-sites');

    // The site page shows the site's time zone, currency and floor area.
    await adminRow.getByRole('link', { name: 'Warehouse North' }).click();
    await expect.poll(() => page.getByTestId('fact-Time zone').textContent()).toContain('Europe/Zurich');
    expect(await page.getByTestId('fact-Currency').textContent()).toContain('CHF');
    expect(await page.getByTestId('fact-Floor area').textContent()).toContain('1,300 m²');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText(VIEWER.email).waitFor();
    await shot(page, 'users');

    // Tablet width: the dashboard still reads.
    await page.setViewportSize({ width: 820, height: 1180 });
    // Below the md breakpoint the pages are in the navigation drawer.
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.locator('#app-navigation').getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('[data-testid^="site-row-"]').first().waitFor();
    await shot(page, 'dashboard-tablet');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  }, 240_000);

  it('when a viewer logs in, then no admin control is shown anywhere and admin pages refuse', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    await logIn(page, api.url, VIEWER);
    await page.locator('[data-testid^="site-row-"]').first().waitFor();
    expect(await page.getByRole('link', { name: 'Sites & meters' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page
      .locator('[data-testid^="site-row-"]', { hasText: 'Demo site' })
      .getByRole('link', { name: 'Demo site' })
      .click();
    await expect.poll(() => page.locator('[data-testid^="meter-row-"]').count(), { timeout: 20_000 }).toBe(3);
    expect(await page.getByRole('button', { name: 'Add meter' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await shot(page, 'viewer-site');
    await page.goto(`${api.url}/admin/sites`);
    await page.getByText('Not available').waitFor();
    expect(await page.getByRole('button', { name: 'New site' }).count()).toBe(0);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  }, 120_000);

  it('then the screenshots are small enough to commit', () => {
    for (const name of ['login', 'dashboard', 'site', 'meter', 'admin-sites']) {
      expect(statSync(path.join(ARTIFACTS, `client-${name}.png`)).size).toBeGreaterThan(5_000);
    }
    publishScreenshots([
      'login',
      'dashboard',
      'site',
      'meter',
      'site-created-key',
      'key-rotated',
      'key-revoked',
      'admin-sites',
      'users',
      'dashboard-tablet',
      'viewer-site',
    ]);
  });
});
