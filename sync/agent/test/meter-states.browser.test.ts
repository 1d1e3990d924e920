import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import {
  createSite,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The site dashboard in a real Chromium with a meter whose address answers as another device and a
// meter with one point that fails on every poll: both are shown for what they are, with both device
// ids and the point's own error. A real agent process, the simulator over real UDP (127.0.44.4x),
// a real client API. Needs `pnpm -r build` first (the agent's dist and sync/web/dist).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(root, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const NET = '127.0.44';

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let browser: Browser;

beforeAll(async () => {
  expect(
    existsSync(path.join(root, 'sync/web/dist/index.html')),
    'build the dashboard first: pnpm --filter @meterit/sync-web build',
  ).toBe(true);
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'meter_states_browser_client');
  const siteDb = await createTestDatabase(pg, 'meter_states_browser_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, 'Meter states dashboard');
  sim = await startSimulator({
    listenBroadcast: false,
    seed: 41,
    meters: [
      { deviceId: 4441, name: 'Main incomer', address: `${NET}.41`, externalId: 'MAIN-1' },
      { deviceId: 100013, name: 'Swapped meter', address: `${NET}.42`, externalId: 'CHILLER-1' },
      { deviceId: 4443, name: 'Lighting floor 2', address: `${NET}.43`, externalId: 'LIGHT-2' },
    ],
  });
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  const chiller = meters.find((m) => m.id === 'CHILLER-1')!;
  chiller.name = 'Chiller plant';
  chiller.bacnet_device_id = 100099;
  meters
    .find((m) => m.id === 'LIGHT-2')!
    .data_points.push({ object_type: 'analogInput', instance: 9, property: 'presentValue', name: 'reactive_kvar' });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters,
    bacnetInterface: `${NET}.40`,
    env: { COLLECTION_INTERVAL_SECONDS: '2', SYNC_INTERVAL_MINUTES: '30' },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('site dashboard: which meter answers and which points fail', () => {
  it('when another device answers at a meter address and a point fails on every poll, then the dashboard shows wrong device with both ids, the failing point with its error, and no "All good"', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-GB',
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(agent.localApiUrl, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('health').waitFor({ timeout: 30_000 });

    const wrong = page.getByTestId('meter-CHILLER-1');
    await wrong.and(page.locator('[data-state="wrong_device"]')).waitFor({ timeout: 30_000 });
    expect(await wrong.getByTestId('meter-state').textContent()).toBe('Wrong device');
    expect(await wrong.getByTestId('device-check').textContent()).toBe(
      'Configured device 100099, but device 100013 answers — nothing is stored',
    );
    expect(await wrong.getByTestId('meter-error').textContent()).toMatch(
      /Another BACnet device answers at this meter's address/,
    );
    expect((await wrong.getByTestId('point-value').allTextContents()).every((t) => t === '—')).toBe(true);

    const degraded = page.getByTestId('meter-LIGHT-2');
    await degraded.and(page.locator('[data-state="degraded"]')).waitFor({ timeout: 30_000 });
    expect(await degraded.getByTestId('meter-state').textContent()).toBe('Points failing');
    expect(await degraded.locator('[data-point="reactive_kvar"] [data-testid="point-error"]').textContent()).toMatch(
      /^fails \(\d+ polls?, METER_ERROR, .*UNKNOWN_OBJECT/,
    );
    expect(await degraded.locator('[data-point="voltage"] [data-testid="point-error"]').count()).toBe(0);
    await page.getByTestId('meter-MAIN-1').and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });

    await expect
      .poll(async () => page.getByTestId('health').getAttribute('data-level'), { timeout: 15_000 })
      .toBe('problem');
    const health = (await page.getByTestId('health').textContent()) ?? '';
    expect(health).not.toMatch(/All good/);
    expect(health).toContain('another BACnet device at its address: Chiller plant');
    expect(health).toContain('some data points fail on every poll: Lighting floor 2');
    expect(await page.getByTestId('tile-meters').textContent()).toMatch(/1 wrong device.*1 with failing points/);

    // Nothing of the other device was stored under the chiller.
    await waitUntil(
      'the main meter to have readings',
      async () => (await agent.db('meter_readings').where({ meter_external_id: 'MAIN-1' }).select()).length > 0,
    );
    expect(await agent.db('meter_readings').where({ meter_external_id: 'CHILLER-1' }).select()).toHaveLength(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'site-dashboard-meter-states.png'), fullPage: true });
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
