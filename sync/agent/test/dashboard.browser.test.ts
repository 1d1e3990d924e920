import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { measureOverflow } from '@meterit/shared/browser-testing';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import {
  createSite,
  startAgentProcess,
  startClientSystem,
  unsentCount,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The technicians' dashboard in a real Chromium, served by the real agent process, reading the
// simulator over real UDP and syncing to the real client API. Needs `pnpm -r build` first
// (the agent's dist and sync/web/dist).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(root, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = `t-${randomBytes(16).toString('hex')}`;
const DEVICES = [4201, 4202, 4203, 4204];
const TIME_ZONE = 'Europe/Zurich';

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let browser: Browser;
const pageErrors: string[] = [];

/**
 * The day before the test, as if the agent had run all day, so the 24-hour chart has something to
 * draw: a daily load curve ending at each meter's first served values, every 5 minutes. Stored as
 * already synced, so nothing of it is uploaded.
 */
async function seedHistory(meters: MeterConfig[]): Promise<void> {
  const last = (deviceId: number, instance: number) =>
    sim.served().find((s) => s.deviceId === deviceId && s.instance === instance)?.value;
  await waitUntil('a first value from every meter', async () =>
    sim.meters.every((m) => [0, 1, 2, 3].every((i) => last(m.deviceId, i) !== undefined)),
  );
  const now = Date.now();
  const shape = (t: number) => {
    const d = new Date(t);
    const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
    return 0.45 + 0.55 * Math.max(0, Math.sin(((hour - 5) / 16) * Math.PI)) + 0.04 * Math.sin(t / 9e5);
  };
  const rows = [];
  for (const m of meters) {
    const sm = sim.meters.find((x) => x.externalId === m.id)!;
    const kwNow = last(sm.deviceId, 1)!;
    const ampsPerKw = last(sm.deviceId, 3)! / kwNow;
    let kwh = last(sm.deviceId, 0)!;
    for (let t = now - 5 * 60_000 - (now % 300_000); t > now - 24 * 3600_000; t -= 5 * 60_000) {
      const kw = (kwNow * shape(t)) / shape(now);
      kwh -= kw / 12;
      const base = { meter_external_id: m.id, ts: new Date(t), quality: 'good', synced_at: new Date(t + 60_000) };
      rows.push(
        { ...base, data_point: 'total_kwh', value: kwh, unit: 'kWh' },
        { ...base, data_point: 'current_kw', value: kw, unit: 'kW' },
        { ...base, data_point: 'voltage', value: 230 + Math.sin(t / 3e6) * 1.5, unit: 'V' },
        { ...base, data_point: 'current', value: kw * ampsPerKw, unit: 'A' },
      );
    }
  }
  for (let i = 0; i < rows.length; i += 1000) await agent.db('meter_readings').insert(rows.slice(i, i + 1000));
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent()) ?? '';
}

async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium); .ci/run does").toBe(true);
  expect(
    existsSync(path.join(root, 'sync/web/dist/index.html')),
    'build the dashboard first: pnpm --filter @meterit/sync-web build',
  ).toBe(true);
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'dashboard_client');
  const siteDb = await createTestDatabase(pg, 'dashboard_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, 'Dashboard site');
  const names = ['Main incomer', 'Chiller plant', 'Lighting floor 2', 'EV chargers'];
  sim = await startSimulator({
    meters: DEVICES.map((deviceId, i) => ({ deviceId, name: names[i]!, address: `127.0.4.${21 + i}`, port: 47808 })),
    listenBroadcast: false,
    seed: 11,
  });
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters,
    bacnetInterface: '127.0.4.3',
    env: { LOCAL_API_TOKEN: TOKEN, COLLECTION_INTERVAL_SECONDS: '2', SYNC_INTERVAL_MINUTES: '30' },
  });
  await seedHistory(meters);
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

async function open(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, timezoneId: TIME_ZONE, locale: 'en-GB', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The refused login with a wrong token is expected; Chromium logs every 4xx as an error.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(agent.localApiUrl, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('health').waitFor({ timeout: 30_000 });
  return page;
}

describe('site dashboard in a real browser', () => {
  it('when the dashboard or its API answers, then it carries the same security headers as the client API (CSP, no framing, nosniff, Referrer-Policy), and no HSTS on plain HTTP', async () => {
    for (const p of ['/', '/api/status']) {
      const res = await fetch(`${agent.localApiUrl}${p}`);
      expect(res.headers.get('content-security-policy'), p).toContain("frame-ancestors 'none'");
      expect(res.headers.get('content-security-policy'), p).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy'), p).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('referrer-policy'), p).toBe('same-origin');
      expect(res.headers.get('cross-origin-opener-policy'), p).toBe('same-origin');
      expect(res.headers.get('strict-transport-security'), p).toBeNull();
    }
  });

  it('when a technician opens the dashboard, then every meter shows live values, and a meter that stops answering turns failing', async () => {
    const page = await open({ width: 1280, height: 900 });
    for (const m of sim.meters) {
      const row = page.getByTestId(`meter-${m.externalId}`);
      await row.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
      await expect
        .poll(async () => (await row.getByTestId('point-value').allTextContents()).filter((t) => t !== '—').length, {
          timeout: 30_000,
        })
        .toBe(4);
      expect(await row.locator('[data-point="voltage"] [data-testid="point-value"]').textContent()).toMatch(
        /^2\d\d\.\d V$/,
      );
    }
    // Live: the first meter's values change on the page without a reload (power and current move every poll).
    const values = () =>
      page
        .getByTestId(`meter-${sim.meters[0]!.externalId}`)
        .getByTestId('point-value')
        .allTextContents()
        .then((v) => v.join('|'));
    const first = await values();
    await expect.poll(values, { timeout: 30_000, interval: 500 }).not.toBe(first);
    expect(await text(page, 'tile-meters-value')).toBe('4 of 4');
    expect(await text(page, 'tile-collecting-value')).toBe('Yes');
    // 4 meters × 4 points every 2 s reach QUEUE_MAX_READINGS (5,000,000) in about 7 days, long before the disk is full: the tile says which bounds it.
    expect(await text(page, 'tile-backlog')).toMatch(/queue limit holds \d+ days of outage/);
    await expect.poll(() => text(page, 'tile-uplink-value'), { timeout: 20_000 }).toBe('Up');
    expect(await text(page, 'updated')).toContain(`times in ${TIME_ZONE}`);
    await page.getByTestId('chart').locator('svg path').first().waitFor({ timeout: 20_000 });

    const victim = sim.meters[1]!;
    await sim.stopMeter(victim.deviceId);
    const row = page.getByTestId(`meter-${victim.externalId}`);
    await row.and(page.locator('[data-state="failing"]')).waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('meter-state').textContent()).toBe('Failing');
    expect(await row.getByTestId('meter-error').textContent()).toMatch(/did not answer within \d+ ms/);
    await expect
      .poll(async () => page.getByTestId('health').getAttribute('data-level'), { timeout: 15_000 })
      .toBe('problem');
    expect(await text(page, 'health')).toContain(`does not answer: ${victim.name}`);
    expect(await text(page, 'tile-meters-value')).toBe('3 of 4');
    await page.waitForTimeout(500);
    await screenshot(page, 'site-dashboard-desktop-failing');
    await page.context().close();
  });

  it('when the technician logs in and presses sync now, then the result shows and the backlog reaches zero', async () => {
    const page = await open({ width: 1280, height: 900 });
    await expect
      .poll(async () => Number((await text(page, 'tile-backlog-value')).replace(/\D/g, '')), { timeout: 20_000 })
      .toBeGreaterThan(0);

    // Sync now without a session asks for the token, then runs.
    await page.getByTestId('btn-sync-now').click();
    await page.getByTestId('login-token').fill('wrong-token-123');
    await page.getByTestId('login-submit').click();
    await page.getByText('Wrong control token.').waitFor();
    await page.getByTestId('login-token').fill(TOKEN);
    await page.getByTestId('login-submit').click();
    await page
      .getByTestId('notice')
      .filter({ hasText: /^Sent \d+ readings/ })
      .waitFor({ timeout: 30_000 });

    // Stop collection (confirmed), so that nothing new arrives, then sync now: zero.
    await page.getByTestId('btn-stop').click();
    await page.getByRole('dialog').getByText('Stop collection?').waitFor();
    await page.getByRole('dialog').getByLabel('Reason (optional)').fill('dashboard test');
    await page.getByTestId('btn-confirm').click();
    await expect.poll(() => text(page, 'tile-collecting-value'), { timeout: 10_000 }).toBe('No — stopped');
    await page.getByTestId('btn-sync-now').click();
    await page
      .getByTestId('notice')
      .filter({ hasText: /Backlog now: 0\./ })
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => text(page, 'tile-backlog-value'), { timeout: 10_000 }).toBe('0 readings');
    expect(await unsentCount(agent.db)).toBe(0);
    expect(await page.getByTestId('tile-last-sync').getAttribute('data-tone')).toBe('ok');
    await screenshot(page, 'site-dashboard-desktop-synced');

    await page.getByTestId('btn-start').click();
    await page.getByTestId('btn-confirm').click();
    await expect.poll(() => text(page, 'tile-collecting-value'), { timeout: 10_000 }).toBe('Yes');
    await page.context().close();
  });

  it('when opened on a 390 px wide phone, then everything fits the width and reads the same', async () => {
    const page = await open({ width: 390, height: 844 });
    await page.getByTestId(`meter-${sim.meters[0]!.externalId}`).waitFor();
    await page.getByTestId('chart').locator('svg path').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500);
    const overflow = await measureOverflow(page);
    expect(overflow.elements).toEqual([]);
    expect(overflow.px).toBe(0);
    await screenshot(page, 'site-dashboard-phone');
    // The desktop again, as it looks when the site is healthy apart from the stopped meter.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForTimeout(500);
    await screenshot(page, 'site-dashboard-desktop');
    await page.context().close();

    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
    // The README's pictures of the dashboard are the demo's (pnpm --filter @meterit/proof screenshots); these stay
    // in test-artifacts/.
  });
});
