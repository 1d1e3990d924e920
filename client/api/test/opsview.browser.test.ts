import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption, launchChromium } from '@meterit/shared/browser-testing';
import type { HeartbeatRequest } from '@meterit/shared';
import { meter } from './helpers.js';
import { logIn, shot, startWebApi } from './helpers/browser.js';
import { createSiteWithCli, startApiProcess, type Proc } from './helpers/processes.js';
import { heartbeatOf, meterState, minuteReadings, syncOk } from './helpers/site-api.js';

// What an operator sees in a real Chromium, against the real API process serving the built web app: a meter the
// agent reports not answering, a 4-minute uplink outage in the connectivity history, and the API going away
// while the page is open (the test's own API process is stopped and started again on the same port).
const ADMIN = { email: 'admin@meterit.test', password: 'opsview-admin-password-1' };
const MIN = 60_000;

let api: { url: string; proc: Proc };
let port: number;
let apiEnv: Record<string, string>;
let db: pg.Client;
let browser: Browser;
let siteKey: string;
let siteId: number;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

const sync = (p: string, body: unknown) => syncOk(api, siteKey, p, body);

const meterConfig = (id: string, name: string, device: number) =>
  meter(id, { name, bacnet_device_id: device, bacnet_ip: `127.0.49.${device - 4900}` });

/** A kWh counter and a kW value every minute for the last 10 minutes, the newest 20 s ago. */
const readingsOf = (id: string, kw: number) => minuteReadings(id, { kw, minutes: 10, startKwh: 500 });

const ok = (id: string) => meterState(id);

function heartbeat(extra: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  return heartbeatOf({
    agent_version: 'opsview-test',
    meters: { configured: 3, ok: 2, failing: 1, never_answered: 0 },
    meter_states: [
      ok('main'),
      meterState('chiller', 'not_answering', {
        since: iso(40_000),
        last_success_at: iso(20_000),
        error: 'no answer within 1000 ms',
        points_failing: 2,
      }),
      ok('lights'),
    ],
    ...extra,
  });
}

beforeAll(async () => {
  const web = await startWebApi({
    database: 'opsview_browser',
    admin: ADMIN,
    // A fixed secret, so the browser's session outlives the API's restart.
    env: { JWT_SECRET: 'opsview-browser-test-secret-0123456789abcdef' },
  });
  api = web;
  ({ port, env: apiEnv } = web);
  db = new pg.Client({ connectionString: web.databaseUrl });
  await db.connect();
  const site = await createSiteWithCli(web.databaseUrl, 'Plant West');
  siteKey = site.api_key;
  siteId = site.site_id;
  await sync('meters', {
    meters: [
      meterConfig('main', 'Main incomer', 4911),
      meterConfig('chiller', 'Chiller plant', 4912),
      meterConfig('lights', 'Lighting', 4913),
    ],
  });
  await sync('readings/batch', {
    readings: [...readingsOf('main', 60), ...readingsOf('chiller', 30), ...readingsOf('lights', 12)],
  });
  // Heartbeats every minute, then nothing for 4 minutes while the uplink was down, then the one after it came back
  // that says since when it was down (by the agent's clock).
  for (const ago of [12, 11, 10, 9, 8, 7, 6, 5, 4]) {
    await sync(
      'heartbeat',
      heartbeat({
        agent_time: iso(ago * MIN),
        meter_states: [ok('main'), ok('chiller'), ok('lights')],
        meters: { configured: 3, ok: 3, failing: 0, never_answered: 0 },
      }),
    );
    await db.query(
      "UPDATE heartbeats SET received_at = now() - ($1 * interval '1 minute') WHERE site_id = $2 AND received_at = (SELECT max(received_at) FROM heartbeats WHERE site_id = $2)",
      [ago, siteId],
    );
  }
  await sync('heartbeat', heartbeat({ uplink_down_since: iso(3.5 * MIN) }));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await api?.proc.stop();
});

const login = (page: Page) => logIn(page, api.url, ADMIN);

describe('what an operator sees', () => {
  it('when the agent reports a meter not answering, then the site page shows it not OK with its values greyed "as of", the totals without it, and the 4-minute outage in the connectivity history', async () => {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Europe/Berlin',
    });
    const page = await context.newPage();
    await login(page);
    const row = page.locator(`[data-testid="site-row-${siteId}"]`);
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('1 of 3 meters not answering');
    expect(await row.textContent()).toMatch(/72(\.0)? kW\s*excl\. 1 meter/);
    await shot(page, 'opsview-dashboard');

    await row.getByRole('link', { name: 'Plant West' }).click();
    const chiller = page.getByTestId('meter-row-chiller');
    await chiller.waitFor();
    await expect
      .poll(() => chiller.locator('[data-meter-status]').getAttribute('data-meter-status'))
      .toBe('not_answering');
    expect(await chiller.getByText('OK', { exact: true }).count()).toBe(0);
    expect(await chiller.textContent()).toContain('Not answering');
    expect(await chiller.textContent()).toContain('no answer within 1000 ms');
    // Its last values are still shown, greyed, with their time.
    const values = chiller.getByTestId('latest-value');
    expect(await values.count()).toBe(2);
    for (const v of await values.all()) expect(await v.getAttribute('data-current')).toBe('false');
    expect(await chiller.locator('[data-point="current_kw"]').textContent()).toContain('30');
    // The colour the browser computed (this file has no DOM types; in the page globalThis is the window).
    const colourOf = (el: unknown) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color;
    const colour = await values.first().evaluate(colourOf);
    const mainColour = await page.getByTestId('meter-row-main').getByTestId('latest-value').first().evaluate(colourOf);
    expect(colour).not.toBe(mainColour);
    expect(await chiller.getByTestId('values-as-of').textContent()).toMatch(
      /^as of .*not current, left out of the site totals/,
    );
    const main = page.getByTestId('meter-row-main');
    expect(await main.locator('[data-meter-status]').getAttribute('data-meter-status')).toBe('ok');
    expect(await main.getByTestId('latest-value').first().getAttribute('data-current')).toBe('true');
    // Power now: 60 + 12 kW, the chiller's 30 kW left out, and it says so.
    const power = page.getByTestId('fact-Power now');
    expect(await power.textContent()).toMatch(/72(\.0)? kW/);
    expect(await power.textContent()).toContain('excl. Chiller plant (not answering)');
    expect(await page.getByTestId('fact-Energy today').textContent()).toContain('excl. Chiller plant');

    // The connectivity history lists the outage.
    const outage = page.getByTestId('section-Connectivity').getByTestId('outage');
    await outage.first().waitFor({ timeout: 20_000 });
    expect(await outage.count()).toBe(1);
    expect(await outage.textContent()).toMatch(
      /\(4 min\) · (no heartbeat and reported by the agent|reported by the agent and no heartbeat)/,
    );
    expect(await page.getByTestId('section-Connectivity').textContent()).not.toContain('No outages in this range');
    // Its range is kept in the address beside the readings chart's: a reload (or a shared link) shows the same.
    const connRange = () =>
      page.getByTestId('section-Connectivity').getByRole('combobox', { name: 'Range', exact: true });
    await chooseOption(page, connRange(), 'Last 7 days');
    await expect.poll(() => new URL(page.url()).searchParams.get('conn')).toBe('7d');
    await page.reload();
    await outage.first().waitFor({ timeout: 20_000 });
    expect(await connRange().textContent()).toBe('Last 7 days');
    expect(new URL(page.url()).searchParams.get('range')).toBeNull();
    await shot(page, 'opsview-site');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'opsview-site-phone');
    await context.close();
  }, 120_000);

  it('when the API stops answering while the page is open, then a "connection lost" banner with the data\'s time replaces the up-to-date claim, and it goes when the API is back', async () => {
    // Every meter answering now, so the page would say "everything is up to date".
    await sync(
      'heartbeat',
      heartbeat({
        meter_states: [ok('main'), ok('chiller'), ok('lights')],
        meters: { configured: 3, ok: 3, failing: 0, never_answered: 0 },
      }),
    );
    await sync('readings/batch', {
      readings: readingsOf('chiller', 30)
        .map((r) => ({ ...r, timestamp: iso(5000), value: r.data_point === 'total_kwh' ? 600 : 30 }))
        .slice(0, 2),
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await login(page);
    await page.locator(`[data-testid="site-row-${siteId}"]`).getByRole('link', { name: 'Plant West' }).click();
    const upToDate = page.getByText('Everything is answering and the data is up to date.');
    await upToDate.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('connection-lost').count()).toBe(0);

    await api.proc.stop();
    const banner = page.getByTestId('connection-lost');
    // The page refreshes every 15 s: the first refresh without an answer raises the banner.
    await banner.waitFor({ timeout: 40_000 });
    expect(await banner.textContent()).toMatch(/^Connection lost — data as of \d/);
    expect(await upToDate.count()).toBe(0);
    expect(await page.getByTestId('status-as-of').textContent()).toMatch(
      /Last known status, as of .*cannot be reached/,
    );
    await shot(page, 'opsview-connection-lost');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'opsview-connection-lost-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.getByTestId('connection-lost').count()).toBe(1);

    api = await startApiProcess(apiEnv, port);
    // While lost, the app asks the API every 5 s: the banner goes, the dashboard loads again.
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);
    await expect
      .poll(() => page.getByTestId('updated-at').textContent(), { timeout: 30_000 })
      .toMatch(/^Updated .* refreshes every 15 s/);
    await page.locator(`[data-testid="site-row-${siteId}"]`).waitFor();
    await context.close();
  }, 150_000);
});
