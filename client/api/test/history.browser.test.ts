import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatRequest, MeterConfig, SyncReading } from '@meterit/shared';
import { checkEverywhere, launchChromium, openContext, screenshot } from '@meterit/shared/browser-testing';
import { ARTIFACTS, logIn, startWebApi, type WebApi } from './helpers/browser.js';
import { createSiteWithCli, ROOT, waitUntil } from './helpers/processes.js';
import { heartbeatOf, sync } from './helpers/site-api.js';
import { as, login } from './operator-helpers.js';

// The site page's timeline, the meters' names and the alert rules' words in a real Chromium, against the API
// process serving the built web app. Everything on the timeline came in through the real routes: the agent's
// heartbeats, an admin's key rotation, and the alert engine firing and resolving a backlog alert.
const ADMIN = { email: 'admin@meterit.test', password: 'history-admin-pass-1' };
const MIN = 60_000;
const TZ = 'Asia/Tokyo';

let api: WebApi;
let browser: Browser;
let site: { site_id: number; api_key: string };
let token: string;
const t0 = Date.now();
const ago = (ms: number) => new Date(t0 - ms).toISOString();

async function heartbeat(extra: Partial<HeartbeatRequest>): Promise<void> {
  const hb = heartbeatOf({
    agent_version: '1.0.0',
    agent_started_at: ago(50 * MIN),
    collection: { changed_at: null, reason: null },
    ...extra,
  });
  expect((await sync(api, site.api_key, 'heartbeat', hb)).status).toBe(200);
}

async function backlogAlert(): Promise<{ state: string } | undefined> {
  const res = await as(api, token, 'GET', `/api/alerts?site_id=${site.site_id}&include_pending=true`);
  const { alerts } = res.json as { alerts: { kind: string; state: string }[] };
  return alerts.find((a) => a.kind === 'backlog_size');
}

const METER: MeterConfig = {
  id: 'main',
  name: 'Main incomer',
  bacnet_device_id: 801,
  bacnet_ip: '192.168.1.11',
  data_points: [
    { object_type: 'analogInput', instance: 0, name: 'total_kwh', unit: 'kWh' },
    { object_type: 'analogInput', instance: 1, name: 'current_kw', unit: 'kW' },
  ],
};

beforeAll(async () => {
  api = await startWebApi({
    database: 'history_browser',
    admin: ADMIN,
    env: { ALERT_EVAL_INTERVAL_SECONDS: '0.5', ALERT_EMAIL_TO: '' },
  });
  site = await createSiteWithCli(api.databaseUrl, 'Riverside plant');
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;

  // One meter; its power reading is flagged by the meter (in alarm, fault).
  expect((await sync(api, site.api_key, 'meters', { meters: [METER] })).status).toBe(200);
  const now = new Date(Date.now() - 30_000).toISOString();
  const readings: SyncReading[] = [
    {
      meter_external_id: 'main',
      data_point: 'total_kwh',
      timestamp: now,
      value: 48_213.5,
      unit: 'kWh',
      quality: 'good',
    },
    {
      meter_external_id: 'main',
      data_point: 'current_kw',
      timestamp: now,
      value: 61.2,
      unit: 'kW',
      quality: 'inAlarm+fault',
    },
  ];
  expect((await sync(api, site.api_key, 'readings/batch', { readings })).status).toBe(200);

  // The agent's day: started, back from a 12-minute outage, stopped for a reason, restarted on a new version.
  await heartbeat({});
  await heartbeat({ uplink_down_since: ago(12 * MIN) });
  await heartbeat({ collecting: false, collection: { changed_at: ago(6 * MIN), reason: 'Replacing the CT clamps' } });
  const restarted = {
    agent_version: '1.1.0',
    agent_started_at: ago(3 * MIN),
    collection: { changed_at: ago(2 * MIN), reason: 'Clamps replaced' },
  };
  // A backlog over the threshold fires the built-in alert; an empty one resolves it.
  await heartbeat({ ...restarted, queue_depth: 25_000 });
  await waitUntil('the backlog alert to fire', async () => (await backlogAlert())?.state === 'firing', 30_000);
  await heartbeat({ ...restarted, queue_depth: 0 });
  await waitUntil('the backlog alert to resolve', async () => (await backlogAlert())?.state === 'resolved', 30_000);
  const rotated = await as(api, token, 'POST', `/api/sites/${site.site_id}/keys`, { grace_hours: 1 });
  expect(rotated.status).toBe(201);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

const logInPage = (page: Page) => logIn(page, api.url, ADMIN);

const eventsOf = (page: Page) => page.getByTestId('history').getByTestId('history-event');
const sitePage = () => `${api.url}/sites/${site.site_id}`;

describe('what an operator sees of a site', () => {
  it("when a site had an outage, a stop with a reason, a restart, a key rotation and an alert, then its timeline shows each in words at the viewer's time", async () => {
    const context = await openContext(browser, 'laptop', 'light', TZ);
    const page = await context.newPage();
    await logInPage(page);
    await page.goto(sitePage());
    const events = eventsOf(page);
    await expect.poll(() => events.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(9);
    const texts = await events.allTextContents();
    const one = (type: string) => page.locator(`[data-testid="history-event"][data-type="${type}"]`);

    expect(texts.join('\n')).toContain('Uplink down for 12 min');
    expect(await one('uplink_outage').textContent()).toContain('reported by the agent');
    expect(await one('collection_stopped').textContent()).toContain('Reason: “Replacing the CT clamps”');
    expect(await one('collection_started').textContent()).toContain('Reason: “Clamps replaced”');
    expect(await one('agent_started').first().textContent()).toContain('Agent restarted on a new version');
    expect(await one('agent_started').first().textContent()).toContain('Version 1.0.0 → 1.1.0');
    expect(await one('key_created').first().textContent()).toContain('API key rotated');
    expect(await one('alert_fired').textContent()).toContain('Alert fired:');
    expect(await one('alert_resolved').textContent()).toContain('Alert resolved:');
    // Newest first: the rotation, then the alert resolving, then firing, ... down to the first start.
    const types = await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.indexOf('key_created')).toBe(0);
    expect(types.indexOf('alert_resolved')).toBeLessThan(types.indexOf('alert_fired'));
    expect(types.indexOf('collection_stopped')).toBeLessThan(types.indexOf('uplink_outage'));
    expect(types.at(-1)).toBe('agent_started');
    // Each time is the event's moment in the viewer's zone (Tokyo here), to the second.
    const stop = one('collection_stopped').locator('time');
    const at = await stop.getAttribute('datetime');
    const tokyo = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: TZ });
    expect(await stop.textContent()).toBe(tokyo.format(new Date(at ?? '')));
    expect(Math.abs(Date.parse(at ?? '') - (t0 - 6 * MIN))).toBeLessThan(5000);
    await screenshot(page, ARTIFACTS, 'client-site-history');
    // For the README: the timeline alone.
    mkdirSync(path.join(ROOT, 'docs/screenshots'), { recursive: true });
    await page
      .getByTestId('section-History')
      .screenshot({ path: path.join(ROOT, 'docs/screenshots/client-site-history.png') });

    // The filter: without alerts and keys, only the agent's own events are left.
    await page.getByTestId('history-kind-alert').click();
    await page.getByTestId('history-kind-key').click();
    await expect
      .poll(async () => (await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).join(','))
      .toBe('collection_started,agent_started,collection_stopped,uplink_outage,agent_started');
    await context.close();
  }, 60_000);

  it('when the meters table shows a meter, then its points read as names with units, and a flagged value says why in words with the code in its tooltip', async () => {
    const context = await openContext(browser, 'laptop', 'light', TZ);
    const page = await context.newPage();
    await logInPage(page);
    await page.goto(sitePage());
    const energy = page.locator('[data-testid="meter-row-main"] [data-point="total_kwh"]');
    await expect.poll(() => energy.textContent(), { timeout: 15_000 }).toContain('Energy (kWh): 48,213.5');
    const power = page.locator('[data-testid="meter-row-main"] [data-point="current_kw"]');
    expect(await power.textContent()).toBe('Power (kW): 61.2 (in alarm, fault)');
    expect(await page.getByTestId('meter-row-main').textContent()).not.toContain('total_kwh');
    await power.hover();
    await expect.poll(() => page.getByRole('tooltip').textContent()).toBe('current_kw · inAlarm+fault');
    await context.close();
  }, 60_000);

  it('when no rule has recipients and ALERT_EMAIL_TO is empty, then the rules page warns about it and states thresholds with units', async () => {
    const context = await openContext(browser, 'laptop', 'light', TZ);
    const page = await context.newPage();
    await logInPage(page);
    await page.goto(`${api.url}/alerts/rules`);
    await page.getByTestId('recipients-warning').waitFor();
    expect(await page.getByTestId('recipients-warning').textContent()).toContain('e-mail nobody');
    const backlog = page.locator('[data-testid^="rule-row-"]', { hasText: 'Site backlog too large' });
    expect(await backlog.textContent()).toContain('Backlog over 10,000 readings (default)');
    expect(await backlog.getByTestId('rule-recipients').textContent()).toBe(
      'No recipients: set them here or ALERT_EMAIL_TO',
    );
    await screenshot(page, ARTIFACTS, 'client-alert-rules');
    await context.close();
  }, 60_000);

  it('when the site page and the rules page are opened on a laptop and a phone, light and dark, then nothing is cut off sideways and no serious accessibility problem is found', async () => {
    const results = await checkEverywhere(browser, {
      dir: ARTIFACTS,
      prepare: logInPage,
      pages: [
        {
          url: sitePage(),
          name: 'client-site-history',
          ready: async (page) => {
            await eventsOf(page).first().waitFor({ timeout: 15_000 });
            await page.locator('[data-point="total_kwh"]').first().waitFor();
          },
        },
        {
          url: `${api.url}/alerts/rules`,
          name: 'client-alert-rules',
          ready: (page) => page.getByTestId('recipients-warning').waitFor({ timeout: 15_000 }),
        },
      ],
    });
    expect(results).toHaveLength(8);
    for (const r of results) {
      expect(r.problems, `${r.file}`).toEqual([]);
      expect(r.overflow, `${r.file}`).toBe(0);
    }
  }, 180_000);
});
