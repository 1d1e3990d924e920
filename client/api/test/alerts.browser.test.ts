import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption, launchChromium } from '@meterit/shared/browser-testing';
import { meter } from './helpers.js';
import {
  ARTIFACTS,
  logIn,
  publishScreenshots,
  shot,
  startWebApi,
  submitLogin,
  type WebApi,
} from './helpers/browser.js';
import { createSiteWithCli } from './helpers/processes.js';
import { heartbeatOf, sync } from './helpers/site-api.js';

// The alerts pages in a real Chromium against the real API process (serving the built web app), with the
// engine evaluating every second and no SMTP (the demo: e-mails are recorded in the outbox).
const ADMIN = { email: 'admin@meterit.test', password: 'alerts-admin-password-1' };

let api: WebApi;
let browser: Browser;
let siteKey: string;

const heartbeat = () => sync(api, siteKey, 'heartbeat', heartbeatOf({ agent_version: 'browser-test' }));

beforeAll(async () => {
  api = await startWebApi({
    database: 'alerts_browser',
    admin: ADMIN,
    env: {
      ALERT_EVAL_INTERVAL_SECONDS: '1',
      ALERT_HEARTBEAT_MISSING_MINUTES: '0.05',
      ALERT_EMAIL_TO: 'ops@meterit.test',
      PUBLIC_URL: 'http://meterit.test',
    },
  });
  siteKey = (await createSiteWithCli(api.databaseUrl, 'Building A')).api_key;
  const main = meter('main', {
    name: 'Main incomer',
    bacnet_device_id: 13001,
    bacnet_ip: '127.0.13.10',
    data_points: [
      { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
    ],
  });
  const reg = await sync(api, siteKey, 'meters', { meters: [main] });
  expect(reg.status).toBe(200);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

describe('alerts in the operators web app', () => {
  it('when a site goes dark, then the dashboard and the site page show the alert, and an admin acknowledges it on the alerts page', async () => {
    expect((await heartbeat()).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'en-GB' });
    const page = await context.newPage();
    await logIn(page, api.url, ADMIN);

    // 3 s without a heartbeat: the engine fires; the dashboard polls every 10 s.
    const banner = page.getByTestId('active-alerts').getByText('Site "Building A" offline');
    await expect.poll(() => banner.count(), { timeout: 40_000, interval: 1000 }).toBeGreaterThan(0);
    await shot(page, 'alerts-dashboard');

    await page
      .locator('[data-testid^="site-row-"]', { hasText: 'Building A' })
      .getByRole('link', { name: 'Building A' })
      .click();
    await expect
      .poll(() => page.getByTestId('active-alerts').getByText('offline').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Alerts' }).click();
    const row = page.locator('[data-testid^="alert-row-"]', { hasText: 'Building A' }).first();
    await row.waitFor();
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain(ADMIN.email);
    await shot(page, 'alerts');

    await row.getByRole('link').first().click();
    const detail = page.getByTestId('alert-detail');
    await detail.waitFor();
    await expect.poll(() => detail.textContent()).toContain('acknowledged');
    await expect.poll(() => detail.textContent()).toContain('recorded');
    await shot(page, 'alerts-detail');
    await page.getByRole('button', { name: 'Close' }).click();

    // The heartbeat comes back: the alert resolves, and the outbox holds both recorded e-mails.
    expect((await heartbeat()).status).toBe(200);
    await page.getByRole('link', { name: 'Outbox' }).first().click();
    await expect
      .poll(async () => (await page.locator('[data-testid^="notification-"]').allTextContents()).join('\n'), {
        timeout: 30_000,
        interval: 1000,
      })
      .toContain('RESOLVED: Site "Building A" offline');
    await page.locator('[data-testid^="notification-"]').first().click();
    await expect
      .poll(() => page.getByTestId('notification-body').textContent())
      .toContain('Open in MeterIT: http://meterit.test/alerts/');
    await shot(page, 'alerts-outbox');
    await context.close();
  }, 120_000);

  it('when an operator creates "above 200 kW" for the main meter and previews it, then it fires on the next reading above it', async () => {
    const send = (value: number) =>
      sync(api, siteKey, 'readings/batch', {
        readings: [
          {
            meter_external_id: 'main',
            data_point: 'current_kw',
            timestamp: new Date().toISOString(),
            value,
            unit: 'kW',
            quality: 'good',
          },
        ],
      });
    expect((await send(150)).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${api.url}/alerts/rules`);
    await submitLogin(page, ADMIN);
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Rule name').fill('Building A above 200 kW');
    await chooseOption(page, page.getByRole('combobox', { name: 'Meter' }), 'Building A · Main incomer', {
      exact: false,
    });
    await page.getByLabel('Threshold', { exact: true }).fill('200');
    await page.getByLabel('E-mail recipients (comma-separated)').fill('facility@meterit.test');
    await page.getByRole('button', { name: 'Preview last day' }).click();
    await expect.poll(() => page.getByTestId('rule-preview').textContent()).toContain('would have fired 0 times');
    await shot(page, 'alerts-rule-editor');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('[data-testid^="rule-row-"]', { hasText: 'Building A above 200 kW' }).waitFor();
    await shot(page, 'alerts-rules');

    expect((await send(231.5)).status).toBe(200);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const fired = page.getByTestId('active-alerts').getByText('current_kw 231.5 kW above 200 kW');
    await expect.poll(() => fired.count(), { timeout: 40_000, interval: 1000 }).toBeGreaterThan(0);
    await context.close();
  }, 120_000);

  it('then the screenshots are small enough to commit', () => {
    const names = [
      'alerts-dashboard',
      'alerts',
      'alerts-detail',
      'alerts-outbox',
      'alerts-rule-editor',
      'alerts-rules',
    ];
    for (const name of names) {
      const size = statSync(path.join(ARTIFACTS, `client-${name}.png`)).size;
      expect(size).toBeGreaterThan(5_000);
      expect(size).toBeLessThan(300_000);
    }
    publishScreenshots(names);
  });
});
