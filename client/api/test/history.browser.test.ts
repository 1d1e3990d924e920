import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYNC_PATHS, type HeartbeatRequest, type MeterConfig, type SyncReading } from '@meterit/shared';
import { checkEverywhere, launchChromium, openContext, screenshot } from '@meterit/shared/browser-testing';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { createSiteWithCli, ROOT, startApiProcess, waitUntil, type Proc } from './helpers/processes.js';

// The site page's timeline, the meters' names and the alert rules' words in a real Chromium, against the API
// process serving the built web app. Everything on the timeline came in through the real routes: the agent's
// heartbeats, an admin's key rotation, and the alert engine firing and resolving a backlog alert.
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const ADMIN = { email: 'admin@meterit.test', password: 'history-admin-pass-1' };
const MIN = 60_000;
const TZ = 'Asia/Tokyo';

let api: { url: string; proc: Proc };
let browser: Browser;
let site: { site_id: number; api_key: string };
let token: string;
const t0 = Date.now();
const ago = (ms: number) => new Date(t0 - ms).toISOString();

async function post(route: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${api.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function heartbeat(extra: Partial<HeartbeatRequest>): Promise<void> {
  const hb: HeartbeatRequest = {
    agent_version: '1.0.0',
    agent_time: new Date().toISOString(),
    collecting: true,
    queue_depth: 0,
    oldest_unsent_at: null,
    dead_letters: 0,
    uplink_down_since: null,
    last_sync_at: new Date().toISOString(),
    meters: { configured: 1, ok: 1, failing: 0, never_answered: 0 },
    agent_started_at: ago(50 * MIN),
    collection: { changed_at: null, reason: null },
    ...extra,
  };
  expect((await post(SYNC_PATHS.heartbeat, hb, { 'x-api-key': site.api_key })).status).toBe(200);
}

async function backlogAlert(): Promise<{ state: string } | undefined> {
  const res = await fetch(`${api.url}/api/alerts?site_id=${site.site_id}&include_pending=true`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { alerts } = (await res.json()) as { alerts: { kind: string; state: string }[] };
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
  if (!existsSync(path.join(ROOT, 'client/web/dist/index.html')))
    throw new Error('build the web app first: pnpm --filter @meterit/client-web build');
  const db = await createTestDatabase(inject('pg'), 'history_browser');
  api = await startApiProcess(
    {
      DATABASE_URL: db,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      ALERT_EVAL_INTERVAL_SECONDS: '0.5',
      ALERT_EMAIL_TO: '',
    },
    await freePort(),
  );
  site = await createSiteWithCli(db, 'Riverside plant');
  const login = await post('/api/auth/login', ADMIN, {});
  token = ((await login.json()) as { access_token: string }).access_token;

  // One meter; its power reading is flagged by the meter (in alarm, fault).
  expect((await post(SYNC_PATHS.meters, { meters: [METER] }, { 'x-api-key': site.api_key })).status).toBe(200);
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
  expect((await post(SYNC_PATHS.batch, { readings }, { 'x-api-key': site.api_key })).status).toBe(200);

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
  const rotated = await post(
    `/api/sites/${site.site_id}/keys`,
    { grace_hours: 1 },
    { authorization: `Bearer ${token}` },
  );
  expect(rotated.status).toBe(201);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

async function login(page: Page): Promise<void> {
  await page.goto(api.url);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Open navigation' }).or(page.getByTestId('current-user')).first().waitFor();
}

const eventsOf = (page: Page) => page.getByTestId('history').getByTestId('history-event');
const sitePage = () => `${api.url}/sites/${site.site_id}`;

describe('what an operator sees of a site', () => {
  it("when a site had an outage, a stop with a reason, a restart, a key rotation and an alert, then its timeline shows each in words at the viewer's time", async () => {
    const context = await openContext(browser, 'laptop', 'light', TZ);
    const page = await context.newPage();
    await login(page);
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
    await login(page);
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
    await login(page);
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
      prepare: login,
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
