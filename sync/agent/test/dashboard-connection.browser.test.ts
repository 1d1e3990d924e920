import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startAgentProcess, type AgentProcess } from './helpers/system.js';

// The technicians' dashboard in a real Chromium while the agent serving it stops and starts again: the page
// must not go on presenting its last data as the site's current state. Agent on 127.0.49.x (this file's range),
// its one meter at an address where nothing answers, no client system (the agent works offline).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = '/usr/bin/chromium';

let agent: AgentProcess;
let browser: Browser;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium)").toBe(true);
  expect(
    existsSync(path.join(root, 'sync/web/dist/index.html')),
    'build the dashboard first: pnpm --filter @meterit/sync-web build',
  ).toBe(true);
  const siteDb = await createTestDatabase(inject('pg'), 'dashboard_connection_site');
  const meter: MeterConfig = {
    id: 'lonely',
    name: 'Lonely meter',
    bacnet_device_id: 4931,
    bacnet_ip: '127.0.49.31',
    bacnet_port: 47808,
    data_points: [
      { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
    ],
  };
  agent = await startAgentProcess({
    clientUrl: `http://127.0.0.1:${await freePort()}`,
    apiKey: `mk_${'0'.repeat(16)}_${'A'.repeat(43)}`,
    databaseUrl: siteDb,
    meters: [meter],
    bacnetInterface: '127.0.49.2',
    env: { BACNET_BROADCAST_ADDRESS: '127.0.49.255' },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await agent?.db.destroy();
});

describe('the site dashboard when the agent does not answer', () => {
  it('when the agent stops while the page is open, then "connection lost — data as of" shows, the verdict is marked last known, and both go when the agent is back', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(agent.localApiUrl, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('health').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('updated').textContent()).toMatch(/^Updated /);
    expect(await page.getByTestId('stale').count()).toBe(0);

    await agent.stop();
    const lost = page.getByTestId('stale');
    await lost.waitFor({ timeout: 20_000 });
    expect(await lost.textContent()).toMatch(/^Connection lost — data as of \d/);
    expect(await page.getByTestId('health').textContent()).toMatch(/^Last known: /);
    expect(await page.getByTestId('health-as-of').textContent()).toMatch(/the agent does not answer now/);
    expect(await page.getByTestId('updated').textContent()).toMatch(/^Connection lost · data as of /);
    await page.screenshot({ path: path.join(root, 'test-artifacts', 'site-connection-lost.png'), fullPage: true });

    await agent.restart();
    await expect.poll(() => lost.count(), { timeout: 30_000 }).toBe(0);
    expect(await page.getByTestId('health-as-of').count()).toBe(0);
    await expect.poll(() => page.getByTestId('updated').textContent()).toMatch(/^Updated /);
    await context.close();
  }, 150_000);

  it('when the charts cannot be fetched (the agent went away before they arrived), then that part says so and the rest of the page works', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    // The charts' chunk is refused, as when the agent stopped while the page was still loading.
    await page.route(/\/assets\/ChartPanel-[^/]+\.js$/, (route) => route.abort('connectionrefused'));
    await page.goto(agent.localApiUrl, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('health').waitFor({ timeout: 30_000 });
    const missing = page.getByTestId('part-not-loaded');
    await missing.waitFor({ timeout: 20_000 });
    expect(await missing.textContent()).toContain('Could not load the backlog and readings charts');
    // Everything else is there and keeps refreshing.
    expect(await page.getByTestId('btn-sync-now').count()).toBe(1);
    await expect.poll(() => page.getByTestId('updated').textContent()).toMatch(/^Updated /);
    expect(await missing.getByRole('button', { name: 'Reload' }).count()).toBe(1);
    await context.close();
  }, 90_000);
});
