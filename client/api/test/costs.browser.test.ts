import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverywhere, launchChromium, openContext } from '@meterit/shared/browser-testing';
import { CostBreakdownResponseSchema, type CostBreakdownResponse } from '@meterit/shared';
import { meter } from './helpers.js';
import { ARTIFACTS, logIn, shot, startWebApi, type WebApi } from './helpers/browser.js';
import { counterReadings, QUARTER } from './helpers/energy-data.js';
import { createSiteWithCli } from './helpers/processes.js';
import { as, login as apiLogin, registerAndSend } from './operator-helpers.js';

// The costs view of a site in a real Chromium against the real API process serving the built web app. "Quay
// works" (Europe/Berlin, EUR) draws 4 kW from 25 March to 5 April 2025, 12 kW in one quarter hour on Mon 31 March
// 10:00 local (March's peak); its readings stop for two hours on 2 April (energy spread across the gap: estimated).
// A tariff created through the API prices it: day 07–19 on weekdays, night otherwise, weekends and holidays flat,
// a demand charge, day and month fees. "Dune farm" has readings and no tariff.
const ADMIN = { email: 'admin@meterit.test', password: 'costs-admin-password-1' };
const FROM = Date.parse('2025-03-25T00:00:00Z');
const TO = Date.parse('2025-04-05T00:00:00Z');
const PEAK = Date.parse('2025-03-31T08:00:00Z');
const GAP = { from: Date.parse('2025-04-02T10:00:00Z'), to: Date.parse('2025-04-02T12:00:00Z') };
const VIEW = '?period=custom&from=2025-03&to=2025-04';
const RANGE = { from: '2025-02-28T23:00:00.000Z', to: '2025-04-30T22:00:00.000Z' };

let api: WebApi;
let browser: Browser;
let admin: string;
let quayId: number;
let duneId: number;

const plan = (name: string, kw: (t: number) => number) =>
  counterReadings({ meter: name, from: FROM, to: TO, stepMs: QUARTER, kw, skip: (t) => t > GAP.from && t < GAP.to });

async function seed(name: string, external: string, device: number, kw: (t: number) => number): Promise<number> {
  const site = await createSiteWithCli(api.databaseUrl, name);
  await registerAndSend(api, site.api_key, [meter(external, { bacnet_device_id: device })], plan(external, kw));
  const settings = await as(api, admin, 'PATCH', `/api/sites/${site.site_id}`, {
    time_zone: 'Europe/Berlin',
    currency: 'EUR',
  });
  expect(settings.status, JSON.stringify(settings.json)).toBe(200);
  return site.site_id;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await as(api, admin, method, path, body);
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  return res.json;
}

beforeAll(async () => {
  api = await startWebApi({ database: 'costs_browser', admin: ADMIN });
  admin = (await apiLogin(api, ADMIN.email, ADMIN.password)).access_token;
  quayId = await seed('Quay works', 'quay', 5301, (t) => (t === PEAK ? 12 : 4));
  duneId = await seed('Dune farm', 'dune', 5302, () => 2);
  const created = await call('POST', '/api/tariffs', {
    name: 'Quay TOU',
    currency: 'EUR',
    versions: [
      {
        valid_from: '2025-03-01',
        bands: [
          { name: 'day', price_per_kwh: 0.3, hours: [{ day_kinds: ['weekday'], from_hour: 7, to_hour: 19 }] },
          {
            name: 'night',
            price_per_kwh: 0.2,
            hours: [
              { day_kinds: ['weekday'], from_hour: 0, to_hour: 7 },
              { day_kinds: ['weekday'], from_hour: 19, to_hour: 24 },
            ],
          },
          {
            name: 'weekend',
            price_per_kwh: 0.15,
            hours: [{ day_kinds: ['weekend', 'holiday'], from_hour: 0, to_hour: 24 }],
          },
        ],
        demand_price_per_kw: 10,
        day_fee: 1,
        month_fee: 31,
        export_price_per_kwh: 0.08,
      },
    ],
  });
  await call('POST', `/api/sites/${quayId}/tariffs`, { tariff_id: created.tariff.id, valid_from: '2025-03-01' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.proc.stop();
});

const login = (page: Page) => logIn(page, api.url, ADMIN);

async function apiCosts(): Promise<CostBreakdownResponse> {
  const q = new URLSearchParams({ site_id: String(quayId), ...RANGE });
  return CostBreakdownResponseSchema.parse(await call('GET', `/api/costs?${q}`));
}

/** The costs view has its months (or says why it has none). */
const costsShown = (page: Page) =>
  page.getByTestId('cost-month').or(page.getByText('No tariff assigned')).first().waitFor();

describe('what an operator sees of a site’s costs', () => {
  it('when the site page’s Costs link opens March and April, then each month’s lines and total are the API’s, in euros', async () => {
    const expected = await apiCosts();
    expect(expected.periods).toHaveLength(2);
    const context = await openContext(browser, 'laptop');
    const page = await context.newPage();
    await login(page);
    await page.goto(`${api.url}/sites/${quayId}`);
    await page.getByRole('link', { name: 'Costs →' }).click();
    await page.waitForURL(/\/costs$/);
    // The period lives in the address, as the other pages' settings do.
    await page.goto(`${api.url}/sites/${quayId}/costs${VIEW}`);
    await costsShown(page);
    const euros = (v: number) =>
      page.evaluate((x) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(x), v);
    const months = page.getByTestId('cost-month');
    expect(await months.count()).toBe(2);
    for (const [i, period] of expected.periods.entries()) {
      const month = months.nth(i);
      const bill = period.tariffs[0]!;
      const amount = (part: string) => month.locator(`[data-part="${part}"]`).getByTestId('cost-amount').textContent();
      expect(await amount('Total')).toBe(await euros(period.total));
      for (const band of bill.energy) expect(await amount(`Energy · ${band.band}`)).toBe(await euros(band.amount));
      expect(await amount('Demand charge')).toBe(await euros(bill.demand_charge));
      expect(await amount('Fixed fees')).toBe(await euros(bill.fixed_fees));
    }
    expect(await page.getByTestId('costs-total').textContent()).toBe(await euros(expected.total.total));
    // March's peak: 12 kW at 10:00 Berlin time, shown in the viewer's zone with the zone named.
    const march = expected.periods[0]!.tariffs[0]!.demand!;
    expect(march).toMatchObject({ peak_kw: 12, at: new Date(PEAK).toISOString() });
    // In the viewer's zone (the browser's here), the zone named.
    const at = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, {
          ...{ year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' },
          timeZoneName: 'short',
        } as const).format(new Date(iso)),
      march.at,
    );
    expect(await months.nth(0).getByTestId('cost-peak').textContent()).toBe(`12 kW peak at ${at}`);
    // April's gap: its energy is estimated, and the month says so; March has none.
    expect(expected.periods[1]!.estimated_kwh).toBeGreaterThan(0);
    expect(await months.nth(1).getByTestId('cost-estimated').textContent()).toContain('Includes estimated energy');
    expect(await months.nth(0).getByTestId('cost-estimated').count()).toBe(0);
    expect(await page.getByTestId('costs-chart').textContent()).toContain('Demand charge');
    await shot(page, 'costs');
    await context.close();
  }, 90_000);

  it('when a site has no tariff, then the view says so and tells an admin where to assign one', async () => {
    const context = await openContext(browser, 'phone');
    const page = await context.newPage();
    await login(page);
    await page.goto(`${api.url}/sites/${duneId}/costs${VIEW}`);
    await costsShown(page);
    const text = await page.locator('main').textContent();
    expect(text).toContain('No tariff assigned to this site for this period');
    expect(text).toContain(`POST /api/sites/${duneId}/tariffs`);
    await shot(page, 'costs-no-tariff');
    await context.close();
  }, 90_000);

  it('then the view passes the accessibility check and fits a laptop and a phone, in light and dark', async () => {
    const pages = [
      { name: 'client-costs-check', url: `${api.url}/sites/${quayId}/costs${VIEW}`, ready: costsShown },
      { name: 'client-costs-no-tariff-check', url: `${api.url}/sites/${duneId}/costs${VIEW}`, ready: costsShown },
    ];
    const checks = await checkEverywhere(browser, { pages, dir: ARTIFACTS, prepare: login });
    expect(checks).toHaveLength(8);
    for (const c of checks) {
      expect(c.problems, `${c.name} ${c.viewport} ${c.colorScheme}`).toEqual([]);
      expect(c.overflow, `${c.name} ${c.viewport} ${c.colorScheme}`).toBe(0);
    }
  }, 180_000);
});
