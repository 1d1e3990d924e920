import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { checkEverywhere, CHROMIUM, launchChromium } from '@meterit/shared/browser-testing';
import type { SyncReading } from '@meterit/shared';
import { createSiteWithCli, ROOT, startApiProcess, type Proc } from './helpers/processes.js';

// Every page of the operators' app, as an admin sees it with a site that has meters, readings and an alert: at a
// laptop's and a phone's size, in light and dark. Each must fit a phone's width and have no serious or critical
// accessibility problem (axe-core). A page added to the app belongs in PAGES.
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'every-page');
const ADMIN = { email: 'admin@meterit.test', password: 'every-page-admin-password-1' };
const MIN = 60_000;

let api: { url: string; proc: Proc };
let db: pg.Client;
let browser: Browser;
let siteKey: string;
let siteId: number;
let meterId: number;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function sync(p: string, body: unknown): Promise<void> {
  const res = await fetch(`${api.url}/api/sync/${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': siteKey },
    body: JSON.stringify(body),
  });
  expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
}

function readingsOf(id: string, kw: number): SyncReading[] {
  const out: SyncReading[] = [];
  for (let i = 120; i >= 0; i--) {
    const timestamp = iso(20_000 + i * MIN);
    const kwh = 1_483_440 + (120 - i) * (kw / 60);
    out.push({ meter_external_id: id, data_point: 'total_kwh', timestamp, value: kwh, unit: 'kWh', quality: 'good' });
    out.push({ meter_external_id: id, data_point: 'current_kw', timestamp, value: kw, unit: 'kW', quality: 'good' });
  }
  return out;
}

async function login(page: Page): Promise<void> {
  await page.goto(api.url);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // The shell is up: the user's e-mail in the app bar on a laptop, the menu button on a phone.
  await page.getByRole('button', { name: 'Open navigation' }).or(page.getByTestId('current-user')).first().waitFor();
}

/** The page has loaded what it shows: no spinner left and no request in flight. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.getByRole('progressbar').count(), { timeout: 15_000 }).toBe(0);
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'client/web/dist/index.html')))
    throw new Error('build the web app first: pnpm --filter @meterit/client-web build');
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium)").toBe(true);
  const url = await createTestDatabase(inject('pg'), 'every_page_browser');
  api = await startApiProcess(
    { DATABASE_URL: url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'warn' },
    await freePort(),
  );
  db = new pg.Client({ connectionString: url });
  await db.connect();
  const site = await createSiteWithCli(url, 'Plant West');
  siteKey = site.api_key;
  siteId = site.site_id;
  const point = (instance: number, name: string, unit: string) => ({
    object_type: 'analogInput',
    instance,
    property: 'presentValue',
    name,
    unit,
  });
  await sync('meters', {
    meters: ['main', 'chiller'].map((id, i) => ({
      id,
      name: id === 'main' ? 'Main incomer' : 'Chiller plant',
      bacnet_device_id: 4951 + i,
      bacnet_ip: `127.0.49.${51 + i}`,
      bacnet_port: 47808,
      data_points: [point(0, 'total_kwh', 'kWh'), point(1, 'current_kw', 'kW')],
    })),
  });
  await sync('readings/batch', { readings: [...readingsOf('main', 60), ...readingsOf('chiller', 30)] });
  await sync('heartbeat', {
    agent_version: 'every-page-test',
    agent_time: new Date().toISOString(),
    collecting: true,
    queue_depth: 0,
    oldest_unsent_at: null,
    dead_letters: 0,
    uplink_down_since: null,
    last_sync_at: new Date().toISOString(),
    meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 },
    meter_states: [
      {
        external_id: 'main',
        state: 'ok',
        since: null,
        last_success_at: iso(1000),
        error: null,
        points_failing: 0,
      },
      {
        external_id: 'chiller',
        state: 'not_answering',
        since: iso(40_000),
        last_success_at: iso(20_000),
        error: 'no answer within 1000 ms',
        points_failing: 2,
      },
    ],
  });
  const meter = await db.query<{ id: number }>('SELECT id FROM meters WHERE site_id = $1 AND external_id = $2', [
    siteId,
    'main',
  ]);
  meterId = meter.rows[0]!.id;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await api?.proc.stop();
});

const PAGES: { name: string; path: () => string }[] = [
  { name: 'dashboard', path: () => '/' },
  { name: 'site', path: () => `/sites/${siteId}` },
  { name: 'meter', path: () => `/meters/${meterId}` },
  { name: 'alerts', path: () => '/alerts' },
  { name: 'alert-rules', path: () => '/alerts/rules' },
  { name: 'outbox', path: () => '/alerts/outbox' },
  { name: 'admin-sites', path: () => '/admin/sites' },
  { name: 'users', path: () => '/admin/users' },
  { name: 'energy', path: () => '/energy' },
  { name: 'profile', path: () => '/profile' },
];

describe('every page of the operators web app, on a laptop and a phone, in light and dark', () => {
  it(
    'when nobody is logged in, then the login page fits a phone and has no serious accessibility problem',
    { timeout: 180_000 },
    async () => {
      const checks = await checkEverywhere(browser, {
        url: api.url,
        dir: ARTIFACTS,
        name: 'login',
        ready: async (page) => page.getByRole('button', { name: 'Log in' }).waitFor(),
      });
      for (const c of checks) {
        expect(c.problems, `${c.viewport} ${c.colorScheme}`).toEqual([]);
        expect(c.overflow, `${c.viewport} ${c.colorScheme}: sideways scroll in px`).toBeLessThanOrEqual(0);
      }
    },
  );

  it(
    'when an admin opens every page, then each fits a phone and has no serious accessibility problem, in light and dark',
    { timeout: 600_000 },
    async () => {
      // One login per size and scheme, then every page in turn (as an operator clicking through the app).
      const checks = await checkEverywhere(browser, {
        dir: ARTIFACTS,
        prepare: login,
        pages: PAGES.map((p) => ({ name: p.name, url: `${api.url}${p.path()}`, ready: settled })),
      });
      expect(checks).toHaveLength(PAGES.length * 4);
      // Every page judged, and all that is wrong listed at once.
      const wrong = checks
        .filter((c) => c.problems.length > 0 || c.overflow > 0)
        .map((c) => `${c.name} ${c.viewport} ${c.colorScheme}: ${c.overflow} px sideways; ${c.problems.join('; ')}`);
      expect(wrong).toEqual([]);
    },
  );
});
