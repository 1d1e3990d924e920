// The site dashboard's foreign-device line in a real Chromium, served by real agent processes that
// register with a BBMD over real UDP on loopback: the simulator's BBMD at 127.0.47.2 (meters on
// "another subnet", 127.0.47.x), and an address with nothing behind it (127.0.47.98). Agents on
// 127.0.46.31/.32. Needs `pnpm -r build` first (the agent's dist and sync/web/dist).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { toMetersJson, type Simulator } from '@meterit/simulator';
import { startAgentProcess, startMetersBehindBbmd, waitUntil, type AgentProcess } from './helpers/system.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(root, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const BBMD = '127.0.47.2:47808';
const NOWHERE = '127.0.47.98:47808';

let sim: Simulator;
let browser: Browser;
const agents: AgentProcess[] = [];
let registered: AgentProcess;
let failing: AgentProcess;
const pageErrors: string[] = [];

async function agentWith(host: number, bbmd: string, meters: MeterConfig[]): Promise<AgentProcess> {
  const a = await startAgentProcess({
    // No client system: the dashboard works offline, and this test is about the BBMD.
    clientUrl: 'http://127.0.0.1:9',
    apiKey: 'k'.repeat(24),
    databaseUrl: await createTestDatabase(inject('pg'), `dashboard_fd_${host}`),
    meters,
    bacnetInterface: `127.0.46.${host}`,
    env: {
      BACNET_BBMD_ADDRESS: bbmd,
      BACNET_BBMD_TTL_SECONDS: '60',
      BACNET_BROADCAST_ADDRESS: '127.0.46.255',
      BACNET_LISTEN_BROADCAST: 'false',
    },
  });
  agents.push(a);
  return a;
}

async function open(agent: AgentProcess): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    timezoneId: 'Europe/Zurich',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(agent.localApiUrl, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('health').waitFor({ timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium); .ci/run does").toBe(true);
  expect(
    existsSync(path.join(root, 'sync/web/dist/index.html')),
    'build the dashboard first: pnpm --filter @meterit/sync-web build',
  ).toBe(true);
  sim = await startMetersBehindBbmd('127.0.47.2', [{ deviceId: 4721, name: 'Workshop', address: '127.0.47.12' }]);
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  [registered, failing] = await Promise.all([agentWith(31, BBMD, meters), agentWith(32, NOWHERE, meters)]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(agents.map((a) => a.stop()));
  await sim?.stop();
  await Promise.allSettled(agents.map((a) => a.db.destroy()));
});

describe('site dashboard: foreign-device registration', () => {
  it('when the BBMD accepted the agent, then the dashboard shows it registered with the last renewal', async () => {
    const page = await open(registered);
    const line = page.getByTestId('foreign-device');
    await line.and(page.locator('[data-state="registered"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('foreign-device-state').textContent()).toBe('Registered');
    expect(await line.textContent()).toMatch(
      /^BBMD 127\.0\.47\.2:47808Registeredas a foreign device: last renewal \d\d:\d\d:\d\d \((just now|\d+ s ago)\); renewed every 30 s$/,
    );
    await expect.poll(() => page.getByTestId('foreign-device-error').count()).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-foreign-device-registered.png'), fullPage: true });
  });

  it('when nothing answers at the BBMD address, then the dashboard shows it failing with the error, and the health banner says what to do', async () => {
    const page = await open(failing);
    const line = page.getByTestId('foreign-device');
    await line.and(page.locator('[data-state="failing"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('foreign-device-state').textContent()).toBe('Failing');
    expect(await line.textContent()).toContain('never registered yet');
    expect(await page.getByTestId('foreign-device-error').textContent()).toContain(
      `the BBMD at ${NOWHERE} did not answer the foreign-device registration within 1000 ms`,
    );
    await waitUntil(
      'the finding in the health banner',
      async () => (await page.locator('[data-finding="BBMD_REGISTRATION_FAILING"]').count()) === 1,
      15_000,
    );
    expect(await page.locator('[data-finding="BBMD_REGISTRATION_FAILING"]').textContent()).toContain(
      'Check BACNET_BBMD_ADDRESS',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-foreign-device-failing.png'), fullPage: true });
    // The unreachable client system is logged by the app's fetches only as data, never as a page error.
    expect(pageErrors).toEqual([]);
  });
});
