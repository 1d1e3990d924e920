import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEverywhere,
  chooseOption,
  launchChromium,
  openContext,
  screenshot,
  sidewaysOverflow,
} from '@meterit/shared/browser-testing';
import type { SyncReading } from '@meterit/shared';
import { meter } from './helpers.js';
import { ARTIFACTS, logIn, startWebApi, type WebApi } from './helpers/browser.js';
import { createSiteWithCli, ROOT } from './helpers/processes.js';
import { syncOk } from './helpers/site-api.js';

// Charts that tell the truth, in a real Chromium against the real API serving the built web app: a meter that
// stopped for 30 minutes shows a break in its line, the axes' labels are distinct and whole, times are in the
// viewer's zone with the zone named, the range lives in the address (reload, Back), and dragging zooms.
const DOCS = path.join(ROOT, 'docs/screenshots');
const ADMIN = { email: 'admin@meterit.test', password: 'charts-admin-password-1' };
const MIN = 60_000;
const ZONE = 'America/New_York';

let api: WebApi;
let browser: Browser;
let siteId: number;
let meterId: number;
let latestAt: number;

/** current_kw and a large total_kwh counter every minute for the last 3 hours, none from 70 to 40 minutes ago. */
function readings(): SyncReading[] {
  const out: SyncReading[] = [];
  const newest = Date.now() - 20_000;
  latestAt = newest;
  for (let i = 180; i >= 0; i--) {
    if (i > 40 && i <= 70) continue;
    const timestamp = new Date(newest - i * MIN).toISOString();
    const base = { meter_external_id: 'main', timestamp, quality: 'good' };
    out.push({ ...base, data_point: 'current_kw', value: 40 + 5 * Math.sin(i / 9), unit: 'kW' });
    out.push({ ...base, data_point: 'total_kwh', value: 1_483_440 + (180 - i) * 0.7, unit: 'kWh' });
  }
  return out;
}

beforeAll(async () => {
  api = await startWebApi({ database: 'charts_browser', admin: ADMIN });
  const site = await createSiteWithCli(api.databaseUrl, 'Plant Charts');
  siteId = site.site_id;
  await syncOk(api, site.api_key, 'meters', {
    meters: [meter('main', { name: 'Main incomer', bacnet_device_id: 4921, bacnet_ip: '127.0.49.21' })],
  });
  await syncOk(api, site.api_key, 'readings/batch', { readings: readings() });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

const login = (page: Page) => logIn(page, api.url, ADMIN);

async function pick(page: Page, label: string, option: string, within: string): Promise<void> {
  await chooseOption(page, page.getByTestId(within).getByRole('combobox', { name: label, exact: true }), option);
}

/** The chart's drawing surface (the largest svg: legend marks are small svgs too), in page pixels. */
async function surface(chart: Locator) {
  const boxes = await chart
    .locator('svg')
    .evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
    );
  return boxes.sort((a, b) => b.width - a.width)[0];
}

/** What a chart draws: the line's separate stretches (M commands), and the axes' tick labels as shown. */
async function chartFacts(page: Page, scope: string) {
  const chart = page.getByTestId(scope).getByTestId('readings-chart').first();
  await chart.locator('.MuiLineChart-line').first().waitFor();
  const d = (await chart.locator('.MuiLineChart-line').first().getAttribute('d')) ?? '';
  const labels = async (dir: 'X' | 'Y') =>
    (await chart.locator(`.MuiChartsAxis-direction${dir} .MuiChartsAxis-tickLabel`).allTextContents()).filter(Boolean);
  const svg = await surface(chart);
  const lastX = await chart.locator('.MuiChartsAxis-directionX .MuiChartsAxis-tickLabel').last().boundingBox();
  return {
    stretches: (d.match(/M/g) ?? []).length,
    x: await labels('X'),
    y: await labels('Y'),
    axisLabel: await chart.locator('.MuiChartsAxis-directionX .MuiChartsAxis-label').textContent(),
    yUnit: await chart.locator('.MuiChartsAxis-directionY .MuiChartsAxis-label').textContent(),
    lastInside: Boolean(svg && lastX && lastX.x >= svg.x && lastX.x + lastX.width <= svg.x + svg.width + 0.5),
    boxes: JSON.stringify({ svg, lastX }),
  };
}

const query = (page: Page) => new URL(page.url()).searchParams;

describe('when a meter stopped for 30 minutes and an operator in New York looks at its chart', () => {
  it('then the line breaks at the outage, the axis labels are distinct and whole in New York time, and range, reload, Back, zoom, "last hour" and a custom range all work', async () => {
    const context = await openContext(browser, 'laptop', 'light', ZONE);
    const page = await context.newPage();
    await login(page);
    await page.goto(`${api.url}/sites/${siteId}`);
    const section = 'section-Readings';
    await page.getByTestId(section).getByTestId('readings-chart').waitFor({ timeout: 20_000 });

    await pick(page, 'Range', 'Last 6 hours', section);
    await expect.poll(() => query(page).get('range')).toBe('6h');
    let facts = await chartFacts(page, section);
    await screenshot(page, ARTIFACTS, 'client-charts-site');
    // 1-minute buckets: readings, then 30 empty minutes, then readings again: two stretches of line.
    expect(facts.stretches).toBe(2);
    expect(new Set(facts.x).size).toBe(facts.x.length);
    expect(facts.x.length).toBeGreaterThanOrEqual(4);
    for (const l of [...facts.x, ...facts.y]) expect(l).not.toMatch(/…$/);
    expect(facts.lastInside, facts.boxes).toBe(true);
    expect(new Set(facts.y).size).toBe(facts.y.length);
    expect(facts.axisLabel).toContain(ZONE);
    expect(facts.axisLabel).toContain('EST');
    // The newest raw reading with its time on New York's clock.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });
    const latest = page.getByTestId(section).getByTestId('latest-reading');
    expect(await latest.textContent()).toContain(hhmm.format(new Date(latestAt)));
    expect(await latest.textContent()).toContain('EST');
    await screenshot(page, ARTIFACTS, 'client-charts-site');

    // The big counter: labels that differ in the digits that differ, never cut.
    // Points go by the names people use; the address keeps the meter's own name.
    await pick(page, 'Data point', 'Energy (kWh)', section);
    await expect.poll(() => query(page).get('point')).toBe('total_kwh');
    await expect
      .poll(async () => (await chartFacts(page, section)).y.join(' '), { timeout: 20_000 })
      .toMatch(/^1,483\.\d\d( 1,483\.\d\d)+$/);
    facts = await chartFacts(page, section);
    expect(new Set(facts.y).size).toBe(facts.y.length);
    for (const l of facts.y) expect(l).not.toMatch(/…$/);
    expect(facts.stretches).toBe(2);
    // 1,483,440 … 1,483,566 kWh in steps of 50 kWh reads as 1,483.40 … MWh.
    expect(facts.yUnit).toBe('MWh');

    // Reload keeps the range and the point.
    await page.reload();
    await page.getByTestId(section).getByTestId('readings-chart').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId(section).getByRole('combobox', { name: 'Range', exact: true }).textContent()).toBe(
      'Last 6 hours',
    );
    expect(query(page).get('point')).toBe('total_kwh');

    // Dragging across the chart zooms to that span; Back returns to the 6 hours.
    const chart = page.getByTestId(section).getByTestId('readings-chart');
    // As an operator would: the chart in sight first (after a reload the page is at its top, the chart maybe below).
    await chart.scrollIntoViewIfNeeded();
    const box = (await surface(chart))!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => query(page).get('zfrom')).not.toBeNull();
    const span = Date.parse(query(page).get('zto')!) - Date.parse(query(page).get('zfrom')!);
    expect(span).toBeGreaterThan(30 * MIN);
    expect(span).toBeLessThan(3 * 60 * MIN);
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    await chartFacts(page, section);
    await page.goBack();
    await expect.poll(() => query(page).get('zfrom')).toBeNull();
    expect(query(page).get('range')).toBe('6h');
    expect(await page.getByRole('button', { name: 'Reset zoom' }).count()).toBe(0);

    // The "last hour" preset.
    await pick(page, 'Range', 'Last hour', section);
    await expect.poll(() => query(page).get('range')).toBe('1h');
    await chartFacts(page, section);

    // A custom range, typed on New York's clock.
    await pick(page, 'Range', 'Custom range', section);
    await expect.poll(() => query(page).get('range')).toBe('custom');
    const fromWall = new Date(latestAt - 150 * MIN);
    const wall = new Intl.DateTimeFormat('sv-SE', {
      timeZone: ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .format(fromWall)
      .replace(' ', 'T');
    await page.getByTestId(section).getByLabel(`From (${ZONE})`).fill(wall);
    const expectedFrom = new Date(Math.floor(fromWall.getTime() / MIN) * MIN).toISOString();
    await expect.poll(() => query(page).get('from')).toBe(expectedFrom);
    facts = await chartFacts(page, section);
    expect(new Set(facts.x).size).toBe(facts.x.length);
    await context.close();
  }, 180_000);

  it('then the meter page shows each point with its latest reading and the gap, and both pages pass at both sizes in light and dark', async () => {
    const context = await openContext(browser, 'laptop', 'light', ZONE);
    const page = await context.newPage();
    await login(page);
    await page.goto(`${api.url}/sites/${siteId}`);
    await page.getByTestId('meter-row-main').getByRole('link', { name: 'Main incomer' }).click();
    await page.getByTestId('point-current_kw').waitFor({ timeout: 20_000 });
    meterId = Number(/\/meters\/(\d+)/.exec(new URL(page.url()).pathname)?.[1]);
    await chooseOption(page, page.getByRole('combobox', { name: 'Range', exact: true }), 'Last 6 hours');
    await expect.poll(() => query(page).get('range')).toBe('6h');
    const point = page.getByTestId('point-current_kw');
    await expect
      .poll(() => point.getByTestId('gaps').textContent(), { timeout: 20_000 })
      .toBe('1 gap(s) with no reading');
    expect(await point.getByTestId('latest-reading').textContent()).toMatch(/^latest 4\d(\.\d+)? kW at .* EST$/);
    expect((await chartFacts(page, 'point-current_kw')).stretches).toBe(2);
    expect((await chartFacts(page, 'point-total_kwh')).stretches).toBe(2);
    // Each chart is headed by what it measures with its unit, not the point's code.
    expect(await point.getByRole('heading').textContent()).toBe('Power (kW)');
    expect(await page.getByTestId('point-total_kwh').getByRole('heading').textContent()).toBe('Energy (kWh)');
    const file = await screenshot(page, ARTIFACTS, 'client-charts-meter');
    mkdirSync(DOCS, { recursive: true });
    if (statSync(file).size < 300_000) copyFileSync(file, path.join(DOCS, 'client-charts-meter.png'));
    await context.close();

    const pages = [
      { name: 'charts-site', url: `${api.url}/sites/${siteId}?range=6h`, scope: 'section-Readings' },
      { name: 'charts-meter', url: `${api.url}/meters/${meterId}?range=6h`, scope: 'point-current_kw' },
    ];
    const checks = await checkEverywhere(browser, {
      dir: ARTIFACTS,
      prepare: login,
      pages: pages.map((p) => ({
        url: p.url,
        name: `client-${p.name}`,
        ready: (pg: Page) => pg.getByTestId(p.scope).locator('.MuiLineChart-line').first().waitFor({ timeout: 20_000 }),
      })),
    });
    expect(checks).toHaveLength(8);
    for (const c of checks) {
      expect(c.problems, `${c.name} ${c.viewport} ${c.colorScheme}`).toEqual([]);
      expect(c.overflow, `${c.name} ${c.viewport} ${c.colorScheme}`).toBe(0);
    }
  }, 240_000);

  it('then on a phone a finger dragged across a chart zooms to that span, as a mouse drag does', async () => {
    const context = await openContext(browser, 'phone', 'light', ZONE);
    const page = await context.newPage();
    await login(page);
    await page.goto(`${api.url}/meters/${meterId}?range=6h`);
    const chart = page.getByTestId('point-current_kw').getByTestId('readings-chart');
    await chart.locator('.MuiLineChart-line').first().waitFor({ timeout: 20_000 });
    await chart.scrollIntoViewIfNeeded();
    const box = (await surface(chart))!;
    // Real touch input through Chromium (DevTools protocol): touchstart, twelve moves sideways, touchend.
    const cdp = await context.newCDPSession(page);
    const y = box.y + box.height * 0.4;
    const at = (f: number) => [{ x: box.x + box.width * f, y }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.3) });
    for (let i = 1; i <= 12; i++)
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.3 + (0.4 * i) / 12) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(() => query(page).get('zfrom')).not.toBeNull();
    const span = Date.parse(query(page).get('zto')!) - Date.parse(query(page).get('zfrom')!);
    expect(span).toBeGreaterThan(30 * MIN);
    expect(span).toBeLessThan(5 * 60 * MIN);
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    // The page did not scroll sideways under the finger.
    expect(await sidewaysOverflow(page)).toBe(0);
    await context.close();
  }, 90_000);
});
