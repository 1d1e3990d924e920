import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEverywhere,
  chooseOption,
  launchChromium,
  openContext,
  screenshot,
  type ViewportName,
} from '@meterit/shared/browser-testing';
import type { SyncReading } from '@meterit/shared';
import { meter } from './helpers.js';
import { ARTIFACTS, logIn, publishScreenshots, startWebApi, type WebApi } from './helpers/browser.js';
import { createSiteWithCli } from './helpers/processes.js';
import { registerAndSend } from './operator-helpers.js';

// The energy views in a real Chromium against the real API process serving the built web app: two sites with five
// weeks of 15-minute readings. "Harbour depot" draws 3 kW at night (00:00–05:00 UTC, the browser's zone here) and
// 12 kW by day, 40 kW once two days ago (its meter has a kW data point); "Hill school" draws 1 kW at night and 5 kW
// by day (a kWh counter only).
const ADMIN = { email: 'admin@meterit.test', password: 'energy-admin-password-1' };
const QUARTER = 900_000;
const DAYS = 36;

let api: WebApi;
let browser: Browser;
let depotId: number;

const peakAt = Math.floor((Date.now() - 2 * 86_400_000) / QUARTER) * QUARTER;
const night = (t: number) => new Date(t).getUTCHours() < 5;
const depotKw = (t: number) => (t === peakAt ? 40 : night(t) ? 3 : 12);
const schoolKw = (t: number) => (night(t) ? 1 : 5);

function readings(external: string, kw: (t: number) => number, power: boolean): SyncReading[] {
  const out: SyncReading[] = [];
  const last = Math.floor(Date.now() / QUARTER) * QUARTER;
  let counter = 1000;
  for (let t = last - DAYS * 96 * QUARTER; t <= last; t += QUARTER) {
    const base = { meter_external_id: external, timestamp: new Date(t).toISOString(), quality: 'good' };
    out.push({ ...base, data_point: 'total_kwh', value: counter, unit: 'kWh' });
    if (power) out.push({ ...base, data_point: 'current_kw', value: kw(t), unit: 'kW' });
    counter += kw(t) / 4;
  }
  return out;
}

async function seed(name: string, [id, meterName, device]: [string, string, number], data: SyncReading[]) {
  const site = await createSiteWithCli(api.databaseUrl, name);
  await registerAndSend(api, site.api_key, [meter(id, { name: meterName, bacnet_device_id: device })], data);
  return site.site_id;
}

beforeAll(async () => {
  api = await startWebApi({ database: 'energy_browser', admin: ADMIN });
  depotId = await seed('Harbour depot', ['depot', 'Depot incomer', 5101], readings('depot', depotKw, true));
  await seed('Hill school', ['school', 'School main', 5102], readings('school', schoolKw, false));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

const login = (page: Page) => logIn(page, api.url, ADMIN);

/** A page of its own context at a laptop's or a phone's size, logged in, opened at `path`. */
async function openLoggedIn(viewport: ViewportName, path: string): Promise<Page> {
  const page = await (await openContext(browser, viewport)).newPage();
  await login(page);
  await page.goto(`${api.url}${path}`);
  return page;
}

/** The site page's energy panel switched to weeks against the previous weeks. */
async function weeksCompared(page: Page): Promise<void> {
  const panel = page.getByTestId('section-Energy');
  await chooseOption(page, panel.getByRole('combobox', { name: 'Interval', exact: true }), 'Per week');
  await panel.getByLabel('Compare with previous period').check();
  await panel.getByTestId('energy-previous-total').waitFor();
  await expect.poll(() => panel.getByTestId('energy-interval-row').first().textContent()).toContain('Week of');
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent())?.trim();

describe('what an operator sees of energy', () => {
  it('when the site page shows weeks against the previous weeks, then the totals, the change, peak demand and base load are there', async () => {
    const page = await openLoggedIn('laptop', `/sites/${depotId}`);
    await weeksCompared(page);
    expect(await page.getByTestId('energy-interval-row').count()).toBe(4);
    expect(await text(page, 'energy-total')).toMatch(/^[\d,.]+ kWh$/);
    expect(await text(page, 'energy-previous-total')).toMatch(/^[\d,.]+ kWh$/);
    expect(await text(page, 'energy-change')).toMatch(/^[+−±][\d.]+ %$/);
    expect(await text(page, 'energy-peak')).toBe('40 kW');
    expect(await text(page, 'energy-base-load')).toBe('3.0 kW');
    const chart = page.getByTestId('consumption-chart');
    expect(await chart.textContent()).toContain('Harbour depot, previous period');
    const caption = await page.getByTestId('section-Energy').textContent();
    expect(caption).toContain('from the meters’ kW data point');
    expect(caption).toContain('from 00:00 to 05:00');
    await screenshot(page, ARTIFACTS, 'client-energy-site');
    await page.context().close();
  }, 90_000);

  it('when the energy page opens, then both sites are on one chart with their names in the legend', async () => {
    const context = await openContext(browser, 'laptop');
    const page = await context.newPage();
    await login(page);
    await page.getByRole('link', { name: 'Energy', exact: true }).click();
    await page.waitForURL(/\/energy$/);
    const chart = page.getByTestId('energy-chart');
    await chart.waitFor();
    const legend = await chart.textContent();
    for (const name of ['Harbour depot', 'Hill school', 'Hill school, previous period']) expect(legend).toContain(name);
    const rows = page.getByTestId('energy-series-row');
    await expect.poll(() => rows.count()).toBe(2);
    // The school has no kW point: its peak comes from its counter, 5 kW by day.
    expect(await rows.filter({ hasText: 'Hill school' }).textContent()).toContain('5.0 kW');
    await screenshot(page, ARTIFACTS, 'client-energy');

    // Meters instead of sites: pick one and the chart shows it alone.
    await page.getByRole('button', { name: 'Meters', exact: true }).click();
    await page.getByText('Pick one or more meters').waitFor();
    await chooseOption(page, page.getByRole('combobox', { name: 'Meters' }), 'School main (Hill school)', {
      exact: false,
    });
    await expect.poll(() => page.getByTestId('energy-series-row').textContent()).toContain('School main');
    expect(await page.getByTestId('energy-series-row').count()).toBe(1);
    await context.close();
  }, 90_000);

  it('when the previous period has not a single reading, then its totals read "—" with "no data", not 0.0 kWh', async () => {
    const page = await openLoggedIn('laptop', '/energy');
    await page.getByTestId('energy-chart').waitFor();
    // Three months against the three before: the readings go back 36 days, so the months before have none.
    await chooseOption(page, page.getByRole('combobox', { name: 'Interval', exact: true }), 'Per month');
    const cells = (row: Locator) => row.getByRole('cell').allInnerTexts();
    const depot = page.getByTestId('energy-series-row').filter({ hasText: 'Harbour depot' });
    await expect.poll(async () => (await cells(depot))[2]).toBe('—\nno data');
    expect((await cells(depot))[1]).toMatch(/^[\d,.]+ kWh$/);
    expect((await cells(depot))[3]).toBe('—');
    const all = page.getByRole('row').filter({ hasText: /^All/ });
    expect((await cells(all))[2]).toBe('—\nno data');
    await screenshot(page, ARTIFACTS, 'client-energy-no-previous');
    await page.context().close();
  }, 90_000);

  it('when the series table is cards on a phone, then no column title runs into the line below it', async () => {
    const page = await openLoggedIn('phone', '/energy');
    await expect.poll(() => page.getByTestId('energy-series-row').count(), { timeout: 15_000 }).toBe(2);
    // Each card line against its title (the cell's ::before): a title that wraps to two lines beside a one-line
    // value ("Previous period") must make its line taller, not cover the next; the "All" card has empty lines.
    const shortLines = await page.evaluate<string[]>(`[...document.querySelectorAll(
      'table[aria-label="Energy per series"] > tbody > tr > td')].flatMap((td) => {
        const title = parseFloat(getComputedStyle(td, '::before').height);
        const line = td.getBoundingClientRect().height;
        return title > line + 0.5 ? [getComputedStyle(td, '::before').content + ': ' + title + ' px in ' + line] : [];
      })`);
    expect(shortLines).toEqual([]);
    await screenshot(page, ARTIFACTS, 'client-energy-phone-cards');
    await page.context().close();
  }, 90_000);

  it('then both pages pass the accessibility check and fit a phone, in light and dark', async () => {
    const pages = [
      { name: 'client-energy-site-check', url: `${api.url}/sites/${depotId}`, ready: weeksCompared },
      {
        name: 'client-energy-check',
        url: `${api.url}/energy`,
        ready: (page: Page) => page.getByTestId('energy-chart').waitFor(),
      },
    ];
    const checks = await checkEverywhere(browser, { pages, dir: ARTIFACTS, prepare: login });
    expect(checks).toHaveLength(8);
    for (const c of checks) {
      expect(c.problems, `${c.name} ${c.viewport} ${c.colorScheme}`).toEqual([]);
      expect(c.overflow, `${c.name} ${c.viewport} ${c.colorScheme}`).toBe(0);
    }
  }, 180_000);

  it('then the screenshots are small enough to commit', () => {
    const names = ['energy-site', 'energy'];
    for (const name of names) {
      const size = statSync(path.join(ARTIFACTS, `client-${name}.png`)).size;
      expect(size).toBeGreaterThan(5_000);
      expect(size).toBeLessThan(300_000);
    }
    // client-energy.png in the README is the demo's (pnpm --filter @meterit/proof screenshots).
    publishScreenshots(['energy-site']);
  });
});
