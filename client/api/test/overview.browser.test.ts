import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SitesResponse, SyncReading } from '@meterit/shared';
import { checkEverywhere, launchChromium, openContext, sidewaysOverflow } from '@meterit/shared/browser-testing';
import { meter } from './helpers.js';
import { ARTIFACTS, logIn, startWebApi, type WebApi } from './helpers/browser.js';
import { ROOT } from './helpers/processes.js';
import { heartbeatOf, syncOk } from './helpers/site-api.js';
import { as, login } from './operator-helpers.js';

// The overview with 60 sites in a real Chromium, against the real API process serving the built web app: worst
// first by default, search, status filter, sort both ways, paging, the view kept in the address across a reload,
// and on a phone every table (the overview, a site's meters) as cards that fit the width with their actions usable.
const DOCS = path.join(ROOT, 'docs/screenshots');

/** What the window shows (not the whole page), small enough for the README. */
async function docShot(page: Page, name: string): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, `${name}.png`) });
}
const ADMIN = { email: 'admin@meterit.test', password: 'overview-admin-password-1' };
const CITIES = ['Basel', 'Bern', 'Genève', 'Lugano', 'Zürich'];
const SITES = 60;
/** Sites 1–6 are offline (1–3 never heard from, 4–6 silent for an hour), 7–12 degraded, the rest online. */
const statusOf = (i: number) => (i <= 6 ? 'offline' : i <= 12 ? 'degraded' : 'online');
/** Distinct power per site, so a sort by power has one right answer. */
const powerOf = (i: number) => 100 + ((i * 37) % SITES);

let api: WebApi;
let db: pg.Client;
let browser: Browser;
let token: string;
let apiPowers: number[];
const siteIds = new Map<number, number>();

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

const meters = (i: number) =>
  ['main', 'hvac'].map((id, m) =>
    meter(id, {
      name: m === 0 ? 'Main incomer' : 'HVAC',
      bacnet_device_id: 5000 + i * 2 + m,
      bacnet_ip: `127.0.50.${i}`,
      data_points: [
        { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
      ],
    }),
  );

const heartbeat = (failing: number) =>
  heartbeatOf({
    agent_version: 'overview-test',
    meters: { configured: 2, ok: 2 - failing, failing, never_answered: 0 },
  });

async function seedSite(token: string, i: number): Promise<void> {
  const name = `Site ${String(i).padStart(2, '0')}`;
  const res = await as(api, token, 'POST', '/api/sites', { name, location: CITIES[i % CITIES.length] });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  const created = res.json as { site_id: number; api_key: string };
  siteIds.set(i, created.site_id);
  if (i <= 3) return;
  const key = created.api_key;
  await syncOk(api, key, 'meters', { meters: meters(i) });
  const readings: SyncReading[] = ['main', 'hvac'].map((id, m) => ({
    meter_external_id: id,
    data_point: 'current_kw',
    timestamp: iso(20_000),
    value: m === 0 ? powerOf(i) : 0,
    unit: 'kW',
    quality: 'good',
  }));
  await syncOk(api, key, 'readings/batch', { readings });
  await syncOk(api, key, 'heartbeat', heartbeat(statusOf(i) === 'degraded' ? 1 : 0));
  if (i <= 6) {
    await db.query("UPDATE sites SET last_heartbeat_at = now() - interval '1 hour' WHERE id = $1", [created.site_id]);
  }
}

const logInPage = (page: Page) => logIn(page, api.url, ADMIN);

const rows = (page: Page) => page.locator('[data-testid^="site-row-"]');
const statuses = (page: Page) =>
  rows(page)
    .locator('[data-status]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
const names = (page: Page) => rows(page).getByRole('link').allTextContents();
/** The power column's figures of the rows shown, in order. */
const powers = (page: Page) =>
  rows(page).evaluateAll((trs) => trs.map((tr) => Number.parseFloat(tr.children[5]?.textContent ?? 'NaN')));

/** A computed style of each element `loc` matches (of its `::before` with `pseudo`), read in the page. */
type StyleReader = { getComputedStyle(el: unknown, pseudo?: string): Record<string, string> };
const styles = (loc: Locator, prop: string, pseudo?: string) =>
  loc.evaluateAll(
    (els, [p, ps]) => els.map((el) => (globalThis as unknown as StyleReader).getComputedStyle(el, ps)[p as string]),
    [prop, pseudo] as const,
  );

/** The colour behind an element: its own background, or that of the nearest ancestor whose is not transparent. */
const backdrop = (loc: Locator) =>
  loc.evaluate((el) => {
    type Box = { parentElement: Box | null };
    const read = globalThis as unknown as StyleReader;
    for (let e: Box | null = el as unknown as Box; e; e = e.parentElement) {
      const bg = read.getComputedStyle(e)['backgroundColor'];
      if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') return bg;
    }
    return 'rgb(255, 255, 255)';
  });

/** WCAG contrast of a CSS colour (its alpha laid over the background) against an opaque background. */
function contrast(fg: string, bg: string): number {
  const parts = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
  const [br = 0, bgr = 0, bb = 0] = parts(bg);
  const [fr = 0, fgr = 0, fb = 0, a = 1] = parts(fg);
  const over = [fr * a + br * (1 - a), fgr * a + bgr * (1 - a), fb * a + bb * (1 - a)];
  const lum = (rgb: number[]) => {
    const [r = 0, g = 0, b = 0] = rgb.map((v) =>
      v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4,
    );
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(over), lum([br, bgr, bb])].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

async function firstRow(page: Page): Promise<Locator> {
  const row = rows(page).first();
  await row.waitFor();
  return row;
}

beforeAll(async () => {
  api = await startWebApi({
    database: 'overview_browser',
    admin: ADMIN,
    env: { LOGIN_RATE_LIMIT_PER_MINUTE: '1000', LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '1000' },
  });
  db = new pg.Client({ connectionString: api.databaseUrl });
  await db.connect();
  ({ access_token: token } = await login(api, ADMIN.email, ADMIN.password));
  for (let i = 1; i <= SITES; i++) await seedSite(token, i);
  // The power figures the API gives, high to low (the sites whose values are not current have none).
  const { sites } = (await as(api, token, 'GET', '/api/sites')).json as SitesResponse;
  expect(sites).toHaveLength(SITES);
  apiPowers = sites.flatMap((s) => (s.current_power_kw === null ? [] : [s.current_power_kw])).sort((a, b) => b - a);
  expect(apiPowers.length).toBeGreaterThan(50);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await api?.proc.stop();
});

describe('the overview of 60 sites', () => {
  it('when an operator opens it, then the worst sites come first; search, status filter, a sort both ways and page 2 each show what they say, and a reload keeps all of it from the address', async () => {
    const context = await openContext(browser, 'laptop');
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInPage(page);
    await firstRow(page);
    // Worst first: the 6 offline sites, then the 6 degraded, on a first page of 25.
    const first = await statuses(page);
    expect(first).toHaveLength(25);
    expect(first.slice(0, 12)).toEqual([...Array(6).fill('offline'), ...Array(6).fill('degraded')]);
    expect(new Set(first.slice(12))).toEqual(new Set(['online']));
    await expect.poll(() => page.getByTestId('status-filter-problems').textContent()).toBe('Problems 12');

    // Search narrows to the sites of one city (12 of 60), worst still first.
    await page.getByTestId('site-search').fill('bern');
    await expect.poll(() => rows(page).count()).toBe(12);
    for (const row of await rows(page).all()) expect(await row.textContent()).toContain('Bern');
    expect(page.url()).toContain('q=bern');
    await page.getByTestId('site-search').fill('');

    // The offline filter: exactly the 6 offline sites.
    await page.getByTestId('status-filter-offline').click();
    await expect.poll(() => statuses(page)).toEqual(Array(6).fill('offline'));

    await docShot(page, 'client-overview-offline');
    await page.getByTestId('status-filter-all').click();

    // Power ascending, then (a second click) descending: each page in order, the sites without power last.
    await page.getByRole('button', { name: 'Power' }).click();
    await expect.poll(async () => (await powers(page))[0]).toBe(apiPowers.at(-1));
    const up = await powers(page);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await page.getByRole('button', { name: 'Power' }).click();
    await expect.poll(async () => (await powers(page))[0]).toBe(apiPowers[0]);
    const down = await powers(page);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(page.url()).toContain('sort=power&dir=desc');

    // Page 2 of 3: sites 26–50 of the descending order.
    await page.getByRole('button', { name: 'Go to next page' }).click();
    await expect.poll(() => page.getByTestId('sites-pager').textContent()).toContain('26–50 of 60');
    const pageTwo = await names(page);
    expect(pageTwo).toHaveLength(25);
    expect(await powers(page)).toEqual(apiPowers.slice(25, 50));

    // A filter and a search on top, then a reload: the same view from the address alone.
    await page.getByTestId('status-filter-online').click();
    await page.getByTestId('site-search').fill('site');
    await page.getByRole('button', { name: 'Go to next page' }).click();
    await expect.poll(() => page.getByTestId('sites-pager').textContent()).toContain('26–48 of 48');
    const before = {
      url: page.url(),
      names: await names(page),
      pager: await page.getByTestId('sites-pager').textContent(),
    };
    await page.reload();
    await firstRow(page);
    expect(page.url()).toBe(before.url);
    expect(await page.getByTestId('site-search').inputValue()).toBe('site');
    expect(await page.getByTestId('status-filter-online').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('sites-pager').textContent()).toBe(before.pager);
    expect(await names(page)).toEqual(before.names);
    await context.close();
  }, 90_000);

  it('when it is opened on a phone, then each site is a card with its figures labelled, nothing scrolls sideways, and a site opens by its link; the site page shows its meters as cards whose Edit button works', async () => {
    const context = await openContext(browser, 'phone');
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInPage(page);
    const row = await firstRow(page);
    expect(await styles(row, 'display')).toEqual(['flex']);
    const labels = await styles(row.locator('td'), 'content', '::before');
    expect(labels).toEqual([
      '"Status"',
      '"Site and why"',
      '"Heartbeat"',
      '"Backlog"',
      '"Meters"',
      '"Power"',
      '"Today"',
    ]);
    expect(await sidewaysOverflow(page)).toBe(0);
    await docShot(page, 'client-overview-phone');
    // The sort buttons stay reachable above the cards.
    await page.getByRole('button', { name: 'Site and why' }).click();
    await expect.poll(() => names(page).then((n) => n[0])).toBe('Site 01');
    await page.getByRole('button', { name: 'Go to next page' }).click();
    await expect.poll(() => names(page).then((n) => n[0])).toBe('Site 26');
    expect(await sidewaysOverflow(page)).toBe(0);

    await rows(page).getByRole('link', { name: 'Site 30' }).click();
    const meter = page.getByTestId('meter-row-main');
    await meter.waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    expect(await styles(meter, 'display')).toEqual(['flex']);
    expect(await sidewaysOverflow(page)).toBe(0);
    await meter.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'client-overview-phone-meters.png') });
    const edit = meter.getByRole('button', { name: 'Edit' });
    const box = await edit.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await edit.click();
    await page.getByRole('dialog').waitFor();
    expect(await sidewaysOverflow(page)).toBe(0);
    await context.close();
  }, 90_000);

  it('when it is opened on a phone in dark mode, then the cards\' labels and "Sort by" read light on the dark card (axe does not check these generated words)', async () => {
    const context = await openContext(browser, 'phone', 'dark');
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInPage(page);
    const row = await firstRow(page);
    const card = await backdrop(row);
    for (const color of await styles(row.locator('td'), 'color', '::before'))
      expect(contrast(color as string, card), `a label in ${color} on ${card}`).toBeGreaterThanOrEqual(4.5);
    const sortBy = page.locator('thead > tr').first();
    expect(await styles(sortBy, 'content', '::before')).toEqual(['"Sort by"']);
    const [color] = await styles(sortBy, 'color', '::before');
    expect(contrast(color as string, await backdrop(sortBy)), `"Sort by" in ${color}`).toBeGreaterThanOrEqual(4.5);
    await context.close();
  }, 90_000);

  it('when the dashboard is checked on a laptop and a phone, in light and dark, then nothing scrolls sideways and axe finds no serious problem', async () => {
    const checks = await checkEverywhere(browser, {
      url: `${api.url}/`,
      dir: ARTIFACTS,
      name: 'client-overview',
      prepare: logInPage,
      ready: async (page) => void (await firstRow(page)),
    });
    for (const c of checks) {
      expect({ at: `${c.viewport} ${c.colorScheme}`, overflow: c.overflow, problems: c.problems }).toEqual({
        at: `${c.viewport} ${c.colorScheme}`,
        overflow: 0,
        problems: [],
      });
    }
  }, 180_000);
});
