import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { createSiteWithCli, ROOT, startApiProcess, type Proc } from './helpers/processes.js';

// The Commissioning panel of a site's page in a real Chromium against the API process serving the built web app.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const ADMIN = { email: 'admin@meterit.test', password: 'commissioning-admin-1' };

let api: { url: string; proc: Proc };
let browser: Browser;
let done: { site_id: number; api_key: string };
let fresh: { site_id: number; api_key: string };

const REPORT = (siteId: number) => ({
  site: { id: siteId, name: 'Plant North' },
  created_at: '2025-06-01T09:30:00.000Z',
  agent_version: '0.1.0',
  passed: false,
  summary: { pass: 2, warn: 1, fail: 1 },
  lines: [
    { check: 'Node.js version', status: 'pass', detail: 'Node.js 20.19.0' },
    {
      check: 'Broadcast address',
      status: 'warn',
      detail: 'several interfaces; using 192.168.1.255',
      fix: 'pass --broadcast if the meters are on another network',
    },
    {
      check: 'Meter meter-802',
      status: 'fail',
      detail: 'no answer from device 802',
      fix: 'check that the meter is powered and its BACnet/IP address',
    },
    { check: 'First batch synced', status: 'pass', detail: '4 reading(s) stored, 0 duplicate(s)' },
  ],
  meters: [
    {
      id: 'meter-801',
      name: 'Main incomer',
      device_id: 801,
      address: '192.168.1.11:47808',
      rpm_supported: true,
      points: [
        {
          name: 'total_kwh',
          answered: true,
          value: 12345.5,
          unit: 'kWh',
          quality: 'good',
          response_ms: 14,
          error: null,
        },
        {
          name: 'current_kw',
          answered: false,
          value: null,
          unit: null,
          quality: null,
          response_ms: 3000,
          error: 'timeout',
        },
      ],
    },
  ],
});

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(ARTIFACTS, `client-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'client/web/dist/index.html')))
    throw new Error('build the web app first: pnpm --filter @meterit/client-web build');
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium)").toBe(true);
  const db = await createTestDatabase(inject('pg'), 'commissioning_browser');
  api = await startApiProcess(
    {
      DATABASE_URL: db,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      ALERT_ENGINE_ENABLED: 'false',
    },
    await freePort(),
  );
  done = await createSiteWithCli(db, 'Plant North');
  fresh = await createSiteWithCli(db, 'Plant South');
  const res = await fetch(`${api.url}/api/sync/commissioning`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': done.api_key },
    body: JSON.stringify(REPORT(done.site_id)),
  });
  expect(res.status).toBe(201);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

describe('the Commissioning panel on a site page', () => {
  it('when the installer uploaded a report, then each check shows PASS/WARN/FAIL with what to do, and the meters with their points; a site without one says how to run setup-site', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'en-GB' })
    ).newPage();
    await page.goto(api.url);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Open navigation' }).or(page.getByTestId('current-user')).first().waitFor();

    await page.goto(`${api.url}/sites/${done.site_id}`);
    const panel = page.getByTestId('section-Commissioning');
    await panel.getByTestId('commissioning-report').waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Commissioning failed: 2 passed, 1 warning(s), 1 failed');
    expect(text).toContain('run scripts/setup-site again');
    const fail = panel.getByTestId('commissioning-line-fail');
    expect(await fail.count()).toBe(1);
    expect(await fail.textContent()).toContain(
      'FAILMeter meter-802no answer from device 802check that the meter is powered and its BACnet/IP address',
    );
    expect(await panel.getByTestId('commissioning-line-warn').textContent()).toContain(
      'pass --broadcast if the meters are on another network',
    );
    expect(await panel.getByTestId('commissioning-line-pass').count()).toBe(2);
    const meters = panel.getByRole('table', { name: 'commissioned meters and points' });
    expect(await meters.textContent()).toContain('Main incomer');
    expect(await meters.textContent()).toContain('no answer (timeout)');
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'site-commissioning');

    await page.goto(`${api.url}/sites/${fresh.site_id}`);
    const empty = page.getByTestId('section-Commissioning').getByTestId('empty-state');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No commissioning report yet');
    expect(await empty.textContent()).toContain('scripts/setup-site');
  });
});
