import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@meterit/shared/browser-testing';
import { logIn, shot, startWebApi, type WebApi } from './helpers/browser.js';
import { createSiteWithCli } from './helpers/processes.js';
import { sync } from './helpers/site-api.js';

// The Commissioning panel of a site's page in a real Chromium against the API process serving the built web app.
const ADMIN = { email: 'admin@meterit.test', password: 'commissioning-admin-1' };

let api: WebApi;
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

beforeAll(async () => {
  api = await startWebApi({ database: 'commissioning_browser', admin: ADMIN, env: { ALERT_ENGINE_ENABLED: 'false' } });
  done = await createSiteWithCli(api.databaseUrl, 'Plant North');
  fresh = await createSiteWithCli(api.databaseUrl, 'Plant South');
  const res = await sync(api, done.api_key, 'commissioning', REPORT(done.site_id));
  expect(res.status).toBe(201);
  browser = await launchChromium();
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
    await logIn(page, api.url, ADMIN);

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
