import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverywhere, launchChromium } from '@meterit/shared/browser-testing';
import { meter } from './helpers.js';
import { ARTIFACTS as ALL_ARTIFACTS, logIn, startWebApi, type WebApi } from './helpers/browser.js';
import { createSiteWithCli } from './helpers/processes.js';
import { heartbeatOf, meterState, minuteReadings, syncOk } from './helpers/site-api.js';
import { as, login as apiLogin } from './operator-helpers.js';

// Every page of the operators' app, as an admin sees it with a site that has meters, readings and an alert: at a
// laptop's and a phone's size, in light and dark. Each must fit a phone's width and have no serious or critical
// accessibility problem (axe-core). A page added to the app belongs in PAGES.
const ARTIFACTS = path.join(ALL_ARTIFACTS, 'every-page');
const ADMIN = { email: 'admin@meterit.test', password: 'every-page-admin-password-1' };

let api: WebApi;
let db: pg.Client;
let browser: Browser;
let siteKey: string;
let siteId: number;
let meterId: number;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

const sync = (p: string, body: unknown) => syncOk(api, siteKey, p, body);

const readingsOf = (id: string, kw: number) => minuteReadings(id, { kw, minutes: 120, startKwh: 1_483_440 });

const login = (page: Page) => logIn(page, api.url, ADMIN);

/** The page has loaded what it shows: no spinner left and no request in flight. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.getByRole('progressbar').count(), { timeout: 15_000 }).toBe(0);
}

beforeAll(async () => {
  api = await startWebApi({ database: 'every_page_browser', admin: ADMIN });
  db = new pg.Client({ connectionString: api.databaseUrl });
  await db.connect();
  const site = await createSiteWithCli(api.databaseUrl, 'Plant West');
  siteKey = site.api_key;
  siteId = site.site_id;
  await sync('meters', {
    meters: ['main', 'chiller'].map((id, i) =>
      meter(id, {
        name: id === 'main' ? 'Main incomer' : 'Chiller plant',
        bacnet_device_id: 4951 + i,
        bacnet_ip: `127.0.49.${51 + i}`,
      }),
    ),
  });
  await sync('readings/batch', { readings: [...readingsOf('main', 60), ...readingsOf('chiller', 30)] });
  await sync(
    'heartbeat',
    heartbeatOf({
      agent_version: 'every-page-test',
      meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 },
      meter_states: [
        meterState('main'),
        meterState('chiller', 'not_answering', {
          since: iso(40_000),
          last_success_at: iso(20_000),
          error: 'no answer within 1000 ms',
          points_failing: 2,
        }),
      ],
    }),
  );
  const main = await db.query<{ id: number }>('SELECT id FROM meters WHERE site_id = $1 AND external_id = $2', [
    siteId,
    'main',
  ]);
  meterId = main.rows[0]!.id;
  // The site's energy settings, which the site page and the admin's site dialog show.
  const admin = (await apiLogin(api, ADMIN.email, ADMIN.password)).access_token;
  const edited = await as(api, admin, 'PATCH', `/api/sites/${siteId}`, {
    time_zone: 'America/New_York',
    currency: 'USD',
    area_m2: 8400,
    co2_kg_per_kwh: 0.367,
  });
  expect(edited.status, JSON.stringify(edited.json)).toBe(200);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await api?.proc.stop();
});

/** The admin's dialog to edit a site, open over the sites page, its settings filled in. */
async function siteDialogOpen(page: Page): Promise<void> {
  await settled(page);
  await page.getByTestId('admin-site-Plant West').getByRole('button', { name: 'Edit' }).click();
  await expect.poll(() => page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('America/New_York');
}

const PAGES: { name: string; path: () => string; ready?: (page: Page) => Promise<void> }[] = [
  { name: 'dashboard', path: () => '/' },
  { name: 'site', path: () => `/sites/${siteId}` },
  { name: 'site-costs', path: () => `/sites/${siteId}/costs` },
  { name: 'meter', path: () => `/meters/${meterId}` },
  { name: 'alerts', path: () => '/alerts' },
  { name: 'alert-rules', path: () => '/alerts/rules' },
  { name: 'outbox', path: () => '/alerts/outbox' },
  { name: 'admin-sites', path: () => '/admin/sites' },
  { name: 'admin-site-dialog', path: () => '/admin/sites', ready: siteDialogOpen },
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
        expect(c.overflowing, `${c.viewport} ${c.colorScheme}: past the right edge by ${c.overflow} px`).toEqual([]);
        expect(c.overflow, `${c.viewport} ${c.colorScheme}: sideways scroll in px`).toBe(0);
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
        pages: PAGES.map((p) => ({ name: p.name, url: `${api.url}${p.path()}`, ready: p.ready ?? settled })),
      });
      expect(checks).toHaveLength(PAGES.length * 4);
      // Every page judged, and all that is wrong listed at once.
      const wrong = checks
        .filter((c) => c.problems.length > 0 || c.overflow > 0 || c.overflowing.length > 0)
        .map(
          (c) =>
            `${c.name} ${c.viewport} ${c.colorScheme}: ${c.overflow} px sideways (${c.overflowing.join(', ')}); ` +
            c.problems.join('; '),
        );
      expect(wrong).toEqual([]);
    },
  );
});
