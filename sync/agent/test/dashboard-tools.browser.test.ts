import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  CHROMIUM,
  accessibilityProblems,
  checkEverywhere,
  chooseOption,
  launchChromium,
  openContext,
  screenshot,
  sidewaysOverflow,
} from '@meterit/shared/browser-testing';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import {
  createSite,
  localApi,
  startAgentProcess,
  startClientSystem,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The technician's site dashboard with its tools, in a real Chromium: the real agent process reading the simulator
// over real UDP on loopback (127.0.49.x, Who-Is broadcast to 127.0.49.255) and syncing to the real client API, which
// the test stops to see what the technician sees when the uplink breaks. Needs the agent's and sync/web's builds.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(root, 'test-artifacts');
const TOKEN = `t-${randomBytes(16).toString('hex')}`;
const NET = '127.0.49';
const SITE_NAME = 'Harbour depot';
const TIME = /\d{2}:\d{2}:\d{2}/;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let browser: Browser;
let meters: MeterConfig[];
const pageErrors: string[] = [];

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium)").toBe(true);
  expect(existsSync(path.join(root, 'sync/web/dist/index.html')), 'build sync/web first').toBe(true);
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'dashboard_tools_client');
  const siteDb = await createTestDatabase(pg, 'dashboard_tools_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, SITE_NAME);
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    meters: [
      { deviceId: 4901, name: 'Main incomer', address: `${NET}.21`, vendorName: 'Acme Metering', modelName: 'EM-340' },
      { deviceId: 4902, name: 'Cold store', address: `${NET}.22`, port: 47809, vendorName: 'Volta', modelName: 'PM5' },
    ],
    seed: 7,
  });
  meters = toMetersJson(sim.meters).meters as MeterConfig[];
  // The cold store's configuration names a point the meter does not have: that point fails on every poll.
  meters[1]!.data_points.push({
    name: 'reactive_kvarh',
    object_type: 'analogInput',
    instance: 77,
    property: 'presentValue',
  });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters,
    bacnetInterface: `${NET}.3`,
    env: {
      LOCAL_API_TOKEN: TOKEN,
      COLLECTION_INTERVAL_SECONDS: '2',
      SYNC_INTERVAL_MINUTES: String(3 / 60),
      BACNET_BROADCAST_ADDRESS: `${NET}.255`,
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

async function open(viewport: 'laptop' | 'phone' = 'laptop'): Promise<Page> {
  const context = await openContext(browser, viewport, 'light', 'Europe/Zurich');
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // Chromium logs every refused request as an error; the 401 before logging in is what the test asks for.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(agent.localApiUrl);
  await page.getByTestId('health').waitFor({ timeout: 30_000 });
  return page;
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent()) ?? '';

async function logIn(page: Page): Promise<void> {
  await page.getByTestId('login-token').fill(TOKEN);
  await page.getByTestId('login-submit').click();
}

describe('the site dashboard: site name, meter details and the technician tools', () => {
  it('when a technician opens it, then the header names the site, and each meter shows ip:port, device id and a failing point with its last error', async () => {
    const page = await open();
    await expect.poll(() => text(page, 'site-name'), { timeout: 30_000 }).toBe(SITE_NAME);
    expect(await page.title()).toContain(SITE_NAME);
    const main = page.getByTestId('meter-meter-4901');
    const cold = page.getByTestId('meter-meter-4902');
    await main.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    expect(await main.getByTestId('meter-address').textContent()).toBe(`${NET}.21:47808`);
    expect(await main.textContent()).toContain('device 4901');
    expect(await cold.getByTestId('meter-address').textContent()).toBe(`${NET}.22:47809`);
    await cold.and(page.locator('[data-state="degraded"]')).waitFor({ timeout: 30_000 });
    const failing = cold.locator('[data-point="reactive_kvarh"]').getByTestId('point-error');
    await expect.poll(() => failing.textContent(), { timeout: 10_000 }).toMatch(/fails \(\d+ polls?, METER_ERROR/);
    expect(await cold.locator('[data-point="voltage"]').getByTestId('point-error').count()).toBe(0);
    await page.context().close();
  });

  it('when discovery or a live read is asked for without the control token, then the agent refuses it and the dashboard asks for the token', async () => {
    for (const [route, body] of [
      ['/api/control/discover', {}],
      ['/api/control/read-point', { meter: meters[0]!.id, point: 'total_kwh' }],
    ] as const) {
      const anonymous = await localApi(agent, 'POST', route, { body });
      expect(anonymous.status, route).toBe(401);
      const wrong = await localApi(agent, 'POST', route, { body, token: 'not-the-control-token' });
      expect(wrong.status, route).toBe(401);
    }
    const page = await open();
    await page.getByTestId('btn-discover').click();
    await page.getByRole('dialog').getByText('Log in for control actions').waitFor();
    expect(await page.getByTestId('discover-result').count()).toBe(0);
    await page.context().close();
  });

  it('when the technician runs Who-Is, then the simulator’s devices are listed with names and vendors, and a device’s object list opens', async () => {
    const page = await open();
    // Broadcast: the meter on the standard port answers; the one on 47809 never hears a broadcast to 47808.
    await page.getByTestId('btn-discover').click();
    await logIn(page);
    const result = page.getByTestId('discover-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain(`answered on ${NET}.255:47808`);
    expect(await result.textContent()).toContain('configured but silent: meter-4902');
    expect(await page.getByTestId('found-4901').count()).toBe(1);
    expect(await page.getByTestId('found-4902').count()).toBe(0);

    // Asked directly at their addresses, both answer.
    await page.getByTestId('discover-addresses').fill(`${NET}.21, ${NET}.22:47809`);
    await page.getByTestId('btn-discover').click();
    const cold = page.getByTestId('found-4902');
    await cold.waitFor({ timeout: 30_000 });
    const main = page.getByTestId('found-4901');
    expect(await main.getByTestId('found-name').textContent()).toBe('Main incomer');
    expect(await main.getByTestId('found-vendor').textContent()).toBe('Acme Metering · EM-340');
    expect(await main.textContent()).toContain(`device 4901 at ${NET}.21:47808`);
    expect(await main.textContent()).toContain('collected as meter-4901');
    expect(await cold.getByTestId('found-name').textContent()).toBe('Cold store');
    expect(await cold.getByTestId('found-vendor').textContent()).toBe('Volta · PM5');
    expect(await cold.textContent()).toContain(`device 4902 at ${NET}.22:47809`);
    await main.getByTestId('btn-objects').click();
    const objects = main.getByTestId('object-list');
    await objects.waitFor();
    const rows = await objects.locator('li').allTextContents();
    expect(rows).toContain('device:4901');
    expect(rows.find((r) => r.startsWith('analogInput:0'))).toMatch(/\[kWh\]/);
    await screenshot(page, ARTIFACTS, 'site-dashboard-tools-discovery');
    await page.context().close();
  });

  it('when the technician reads a configured point and a typed object now, then each value shows', async () => {
    const page = await open();
    await page.getByTestId('btn-read').click();
    await logIn(page);
    const result = page.getByTestId('read-result');
    await result.and(page.locator('[data-ok="true"]')).waitFor({ timeout: 20_000 });
    expect(await result.textContent()).toContain(`total_kwh of meter-4901 at ${NET}.21:47808`);
    expect(Number(await text(page, 'read-value'))).toBeGreaterThan(0);

    await chooseOption(page, page.getByTestId('read-point-select'), 'Type an object…', { exact: false });
    await page.getByTestId('read-object-type').fill('analogInput');
    await page.getByTestId('read-instance').fill('2');
    await page.getByTestId('btn-read').click();
    await expect.poll(() => text(page, 'read-result'), { timeout: 20_000 }).toContain('analogInput:2 presentValue');
    const volts = Number(await text(page, 'read-value'));
    expect(volts).toBeGreaterThan(200);
    expect(volts).toBeLessThan(260);

    // A typed object the meter does not have: the device's own error, in the panel.
    await page.getByTestId('read-instance').fill('77');
    await page.getByTestId('btn-read').click();
    await result.and(page.locator('[data-ok="false"]')).waitFor({ timeout: 20_000 });
    expect(await text(page, 'read-error')).toMatch(/METER_ERROR/);
    await page.context().close();
  });

  it('when the client system stops, then the backlog tile turns amber as it grows, the uplink shows the next retry, the advice names a refused connection, and the backlog chart has points', async () => {
    await client.stop();
    const page = await open();
    await expect.poll(() => text(page, 'tile-uplink-value'), { timeout: 30_000 }).toBe('Down');
    await expect.poll(() => text(page, 'uplink-cause'), { timeout: 10_000 }).toBe('connection refused');
    expect(await text(page, 'uplink-next-retry')).toMatch(new RegExp(`^next retry at ${TIME.source}`));
    const advice = page.locator('[data-finding="UPLINK_DOWN"]');
    expect(await advice.textContent()).toMatch(/connection refused/);
    expect(await advice.textContent()).toMatch(/ECONNREFUSED/);
    expect(await advice.textContent()).not.toMatch(/router/);
    await expect
      .poll(async () => page.getByTestId('tile-backlog').getAttribute('data-tone'), { timeout: 90_000, interval: 1000 })
      .toBe('attention');
    expect(await text(page, 'backlog-growing')).toMatch(/^growing over the last/);
    await page.reload();
    const plot = page.getByTestId('backlog-plot');
    await plot.waitFor({ timeout: 30_000 });
    expect(Number(await plot.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    await plot.locator('svg path').first().waitFor();
    await page.context().close();
  });

  it('when the dashboard is looked at on a laptop and a phone, light and dark, then it fits the width and has no serious accessibility problem', async () => {
    const checks = await checkEverywhere(browser, {
      url: agent.localApiUrl,
      dir: ARTIFACTS,
      name: 'site-dashboard-tools',
      ready: async (page) => {
        await page.getByTestId('health').waitFor({ timeout: 30_000 });
        await page.getByTestId('backlog-plot').waitFor({ timeout: 30_000 });
        await page.getByTestId('chart').locator('svg path').first().waitFor({ timeout: 30_000 });
      },
    });
    expect(checks).toHaveLength(4);
    for (const c of checks) {
      expect(c.overflowing, `${c.viewport} ${c.colorScheme}`).toEqual([]);
      expect(c.overflow, `${c.viewport} ${c.colorScheme}`).toBe(0);
      expect(c.problems, `${c.viewport} ${c.colorScheme}`).toEqual([]);
    }
    // The switch in the header wins over the device's setting, and is kept.
    const page = await open('phone');
    // The browser's own select, labelled "Theme".
    await page.getByLabel('Theme').selectOption({ label: 'Dark' });
    await expect.poll(() => page.evaluate('document.documentElement.className')).toContain('dark');
    await page.reload();
    await page.getByTestId('health').waitFor();
    expect(await page.evaluate('document.documentElement.className')).toContain('dark');
    expect(await sidewaysOverflow(page)).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.context().close();
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
