import { API_KEY_HEADER, type HeartbeatRequest, type SitesResponse, type SyncReading } from '@meterit/shared';
import { launchChromium, openContext } from '@meterit/shared/browser-testing';
import { createTestDatabase, type TestPostgres } from '@meterit/shared/testing';
import { startClientSystem, type ClientSystem } from '../harness/processes.js';
import { median, timed, type BenchResult } from './common.js';

// The operators' overview with many sites: Chromium at 1440×900 opens the dashboard and we time from navigation
// start until the table's first row is on screen and the search box takes the focus (time to interactive). The
// baseline, in the same run and on the same API and data, is an operator who may see only 10 of the sites.

const ADMIN = { email: 'bench-admin@meterit.test', password: 'bench-admin-password-1' };
const OPERATOR = { email: 'bench-operator@meterit.test', password: 'bench-operator-password-1' };
const POINTS = [
  { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
  { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
];

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type StorageState = Awaited<ReturnType<Awaited<ReturnType<typeof openContext>>['storageState']>>;

async function post(api: ClientSystem, route: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${api.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

const heartbeat = (agentTime: Date, meters: number, failing: number): HeartbeatRequest => ({
  agent_version: 'bench',
  agent_time: agentTime.toISOString(),
  collecting: true,
  queue_depth: failing * 10,
  oldest_unsent_at: failing ? new Date(agentTime.getTime() - 60_000).toISOString() : null,
  dead_letters: 0,
  uplink_down_since: null,
  last_sync_at: agentTime.toISOString(),
  meters: { configured: meters, ok: meters - failing, failing, never_answered: 0 },
});

/**
 * `sites` sites of `meters` meters each (a kWh counter and a kW value), readings every 5 minutes for the last
 * `hours`, three heartbeats each; every 10th site silent for an hour (offline), every 7th with a meter failing.
 */
async function seed(api: ClientSystem, token: string, sites: number, meters: number, hours: number) {
  const ids: number[] = [];
  const now = Date.now();
  const ticks = Math.round((hours * 60) / 5);
  for (let i = 1; i <= sites; i++) {
    const site = await post(
      api,
      '/api/sites',
      { name: `Site ${String(i).padStart(3, '0')}`, location: `Region ${i % 12}` },
      { authorization: `Bearer ${token}` },
    );
    ids.push(site.site_id as number);
    const key = { [API_KEY_HEADER]: site.api_key as string };
    const config = Array.from({ length: meters }, (_, m) => ({
      id: `m${m}`,
      name: `Meter ${m}`,
      bacnet_device_id: i * 100 + m,
      bacnet_ip: '10.0.0.1',
      data_points: POINTS,
    }));
    await post(api, '/api/sync/meters', { meters: config }, key);
    const readings: SyncReading[] = [];
    for (let m = 0; m < meters; m++) {
      for (let t = ticks; t >= 0; t--) {
        const timestamp = new Date(now - 20_000 - t * 300_000).toISOString();
        const kw = 5 + ((i * 7 + m) % 40);
        readings.push(
          { meter_external_id: `m${m}`, data_point: 'current_kw', timestamp, value: kw, unit: 'kW', quality: 'good' },
          {
            meter_external_id: `m${m}`,
            data_point: 'total_kwh',
            timestamp,
            value: 1000 + ((ticks - t) * kw) / 12,
            unit: 'kWh',
            quality: 'good',
          },
        );
      }
    }
    for (let k = 0; k < readings.length; k += 1000)
      await post(api, '/api/sync/readings/batch', { readings: readings.slice(k, k + 1000) }, key);
    for (let h = 0; h < 3; h++)
      await post(api, '/api/sync/heartbeat', heartbeat(new Date(), meters, i % 7 ? 0 : 1), key);
  }
  // Offline: their last heartbeat an hour ago.
  await api.db.raw(`UPDATE sites SET last_heartbeat_at = now() - interval '1 hour' WHERE id = ANY(?::int[])`, [
    ids.filter((_, k) => (k + 1) % 10 === 0),
  ]);
  return ids;
}

/** Logs in through the login page once; later page loads resume from the session cookie, as a user's would. */
async function session(browser: Browser, url: string, user: { email: string; password: string }) {
  const context = await openContext(browser, 'laptop');
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-testid^="site-row-"]').first().waitFor({ timeout: 60_000 });
    return await context.storageState();
  } finally {
    await context.close();
  }
}

// The few DOM parts the check below uses (this package has no DOM types).
interface El {
  disabled?: boolean;
  readOnly?: boolean;
  focus(): void;
  getBoundingClientRect(): { top: number; height: number };
}
interface Win {
  document: { querySelector(s: string): El | null; activeElement: unknown };
  innerHeight: number;
  performance: { now(): number };
}

/**
 * Runs in the page at every animation frame: the time since navigation start once the first site row is on screen
 * and the search box takes the focus, else false. A function, not a string: the app's CSP forbids eval.
 */
function interactive(): number | false {
  const w = globalThis as unknown as Win;
  const row = w.document.querySelector('[data-testid^="site-row-"]');
  const input = w.document.querySelector('[data-testid="site-search"]');
  if (!row || !input || input.disabled || input.readOnly) return false;
  const r = row.getBoundingClientRect();
  if (r.height === 0 || r.top >= w.innerHeight) return false;
  input.focus();
  return w.document.activeElement === input ? w.performance.now() : false;
}

/**
 * One page load in a fresh context (cold cache, the session cookie only): ms to interactive, the rows shown, and the
 * session to start the next load from (the refresh cookie is rotated on every use, so an old one no longer works).
 */
async function load(
  browser: Browser,
  url: string,
  state: StorageState,
): Promise<{ ms: number; rows: number; state: StorageState }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: state });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page
      .waitForFunction(interactive, undefined, { polling: 'raf', timeout: 60_000 })
      .catch(async (err: unknown) => {
        const text = (await page.locator('body').textContent())?.slice(0, 500);
        throw new Error(`the overview did not become interactive at ${page.url()}: ${String(err)}; page: ${text}`);
      });
    const ms = (await handle.jsonValue()) as number;
    return { ms, rows: await page.locator('[data-testid^="site-row-"]').count(), state: await context.storageState() };
  } finally {
    await context.close();
  }
}

async function apiMs(api: ClientSystem, token: string): Promise<{ ms: number; sites: number; bytes: number }> {
  const get = async () => {
    const res = await fetch(`${api.url}/api/sites`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { sites: (JSON.parse(text) as SitesResponse).sites.length, bytes: text.length };
  };
  await get();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await timed(get));
  const last = runs.at(-1)?.value ?? { sites: 0, bytes: 0 };
  return { ms: median(runs.map((r) => r.ms)), ...last };
}

export async function benchWebOverview(
  pg: TestPostgres,
  opts: { sites: number; meters: number; hours: number; loads: number; baselineSites?: number },
): Promise<BenchResult> {
  const baselineSites = opts.baselineSites ?? 10;
  const url = await createTestDatabase(pg, `bench_web_overview_${opts.sites}`);
  const api = await startClientSystem(url, {
    env: {
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '1000',
    },
  });
  const browser = await launchChromium();
  try {
    const admin = (await post(api, '/api/auth/login', ADMIN, {})).access_token as string;
    const seeded = await timed(() => seed(api, admin, opts.sites, opts.meters, opts.hours));
    const auth = { authorization: `Bearer ${admin}` };
    await post(
      api,
      '/api/users',
      { ...OPERATOR, name: 'Bench operator', role: 'operator', site_ids: seeded.value.slice(0, baselineSites) },
      auth,
    );
    const operator = (await post(api, '/api/auth/login', OPERATOR, {})).access_token as string;
    await api.db.raw('ANALYZE');

    const full = { state: await session(browser, api.url, ADMIN), times: [] as number[], rows: 0 };
    const base = { state: await session(browser, api.url, OPERATOR), times: [] as number[], rows: 0 };
    // Alternated, so whatever else the machine does weighs on both alike.
    for (let i = 0; i < opts.loads; i++) {
      for (const s of [base, full]) {
        const r = await load(browser, api.url, s.state);
        s.times.push(r.ms);
        s.rows = r.rows;
        s.state = r.state;
      }
    }
    const fullMs = median(full.times);
    const baseMs = median(base.times);
    const ratio = fullMs / baseMs;
    const fullApi = await apiMs(api, admin);
    const baseApi = await apiMs(api, operator);
    const readings = opts.sites * opts.meters * 2 * (Math.round((opts.hours * 60) / 5) + 1);
    return {
      name: 'web-overview',
      lines: [
        `web overview: ${opts.sites} sites × ${opts.meters} meters, ${readings} readings, seeded in ${(seeded.ms / 1000).toFixed(0)} s; Chromium 1440×900, fresh context per load, median of ${opts.loads}`,
        `  time to interactive, ${baselineSites} sites (baseline): ${baseMs.toFixed(0)} ms (${base.rows} rows shown)`,
        `  time to interactive, ${opts.sites} sites:             ${fullMs.toFixed(0)} ms (${full.rows} rows shown)`,
        `  ratio ${opts.sites} / ${baselineSites} sites: ${ratio.toFixed(2)} (target ≤ 2)`,
        `  GET /api/sites: ${baseApi.sites} sites ${baseApi.ms.toFixed(0)} ms (${(baseApi.bytes / 1024).toFixed(0)} KB), ${fullApi.sites} sites ${fullApi.ms.toFixed(0)} ms (${(fullApi.bytes / 1024).toFixed(0)} KB) (median of 7)`,
      ],
      figures: {
        baseMs,
        fullMs,
        ratio,
        baseApiMs: baseApi.ms,
        fullApiMs: fullApi.ms,
        fullApiBytes: fullApi.bytes,
        fullRows: full.rows,
        baseRows: base.rows,
      },
      target: {
        description: `time to interactive with ${opts.sites} sites ≤ 2× that with ${baselineSites}`,
        met: ratio <= 2,
      },
    };
  } finally {
    await browser.close();
    await api.stop();
    await api.db.destroy();
  }
}
