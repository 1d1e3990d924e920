import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { annotationsOf, callEveryListedTool, createTestDatabase, freePort } from '@meterit/shared/testing';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import type { MeterConfig, SyncReading } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
// The API's own migration list (already applied by the API process): opening with it migrates nothing.
import { migrations } from '../../api/dist/index.js';
import {
  createSiteWithCli,
  startAgentProcess,
  startApiProcess,
  waitUntil,
  type Proc,
} from '../../api/test/helpers/processes.js';

// The client MCP server with the SDK's own client, over Streamable HTTP (the API's /mcp) and over
// stdio (node client/mcp/dist/stdio.js, which forwards to that /mcp), against a running system: the
// real client API process, the BACnet simulator over UDP, a real site agent process (site "North
// plant"), and a second site ("South depot") whose readings are sent through the sync API with a
// gap and a counter reset, so every number can be computed by hand. Loopback 127.0.14.x is this file's.
const NET = '127.0.14';
const STDIO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/stdio.js');
const ADMIN = { email: 'admin@mcp.test', password: 'mcp-admin-password-1' };
const ALL_TOOLS = [
  'configure_alert_rules',
  'generate_report',
  'get_consumption',
  'get_cost_breakdown',
  'get_site_status',
  'list_active_alerts',
  'query_meters',
  'query_readings',
  'send_alert_email',
];
const CHANGING = ['configure_alert_rules', 'send_alert_email'];
const MIN = 60_000;
const HOUR = 60 * MIN;

let api: { url: string; proc: Proc };
let agent: Proc;
let sim: Simulator;
let db: Database;
let clientDbUrl: string;
let north: { site_id: number; api_key: string };
let south: { site_id: number; api_key: string };
/** South depot's readings: yesterday 02:00–04:00 UTC, one a minute. */
let southStart: number;
const tokens = { admin: '', adminJwt: '', viewer: '', limited: '' };
const open: Client[] = [];

type Json = Record<string, unknown>;
async function http(
  method: string,
  p: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

async function login(email: string, password: string): Promise<string> {
  const r = await http('POST', '/api/auth/login', { body: { email, password } });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.access_token as string;
}

async function mcpToken(jwt: string, name: string): Promise<string> {
  const r = await http('POST', '/api/auth/tokens', { token: jwt, body: { name, expires_in_days: 30 } });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json.token as string;
}

async function httpClient(token: string | undefined): Promise<Client> {
  const c = new Client({ name: 'client-mcp-test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await c.connect(new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), { requestInit: { headers } }));
  open.push(c);
  // As a released assistant does: with the tools listed, the SDK checks every structuredContent against its outputSchema.
  await c.listTools();
  return c;
}

async function stdioClient(env: Record<string, string>): Promise<Client> {
  const c = new Client({ name: 'client-mcp-test-stdio', version: '1.0.0' });
  await c.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [STDIO],
      env: { PATH: process.env.PATH ?? '', ...env },
      stderr: 'pipe',
    }),
  );
  open.push(c);
  await c.listTools();
  return c;
}

type Structured<T> = CallToolResult & { structuredContent: T };

async function call<T = Json>(c: Client, name: string, args: Json = {}): Promise<Structured<T>> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`${name} answered a tool error: ${JSON.stringify(r.content)}`);
  expect(r.structuredContent, name).toBeDefined();
  expect(r.content[0]?.type, name).toBe('text');
  return r as Structured<T>;
}

async function toolError(c: Client, name: string, args: Json): Promise<string> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError, `${name} ${JSON.stringify(args)} should be a tool error: ${JSON.stringify(r.content)}`).toBe(true);
  const first = r.content[0];
  return first?.type === 'text' ? first.text : '';
}

interface Row {
  ts: Date;
  value: number;
}

/** Energy of one counter over [from, to) the way the design says: what it advanced, steps split by time at the edges, a drop counts the new value. */
function energyOf(rows: Row[], from: number, to: number): number {
  let e = 0;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const t0 = a.ts.getTime();
    const t1 = b.ts.getTime();
    const lo = Math.max(t0, from);
    const hi = Math.min(t1, to);
    if (hi <= lo) continue;
    const step = b.value >= a.value ? b.value - a.value : b.value;
    e += (step * (hi - lo)) / (t1 - t0);
  }
  return e;
}

function southReadings(): SyncReading[] {
  const out: SyncReading[] = [];
  for (let i = 0; i < 120; i++) {
    if (i >= 30 && i < 60) continue; // a 31-minute gap in the data
    const value = i < 90 ? 1000 + 0.5 * i : 0.2 + 0.5 * (i - 90); // the counter restarts at minute 90
    out.push({
      meter_external_id: 'S-1',
      data_point: 'total_kwh',
      timestamp: new Date(southStart + i * MIN).toISOString(),
      value,
      unit: 'kWh',
      quality: 'good',
    });
  }
  return out;
}

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = (clientDbUrl = await createTestDatabase(pg, 'client_mcp_client'));
  const siteDb = await createTestDatabase(pg, 'client_mcp_site');
  api = await startApiProcess(
    {
      DATABASE_URL: clientDb,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      MCP_ALLOWED_ORIGINS: 'https://ops.example.com',
      ALERT_EVAL_INTERVAL_SECONDS: '1',
    },
    await freePort(),
  );
  db = await openDatabase({
    url: clientDb,
    migrations,
    logger: createLogger({ service: 'client-mcp-test', silent: true }),
  });
  north = await createSiteWithCli(clientDb, 'North plant');
  south = await createSiteWithCli(clientDb, 'South depot');

  // South depot: one meter, readings through the real sync API.
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  southStart = today - 22 * HOUR;
  const southMeter: MeterConfig = {
    id: 'S-1',
    name: 'Depot incomer',
    bacnet_device_id: 14901,
    bacnet_ip: `${NET}.90`,
    data_points: [
      { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
      { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
    ],
  };
  const sync = (p: string, body: unknown) =>
    fetch(`${api.url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': south.api_key },
      body: JSON.stringify(body),
    });
  expect((await sync('/api/sync/meters', { meters: [southMeter] })).status).toBe(200);
  expect((await sync('/api/sync/readings/batch', { batch_id: 'south-1', readings: southReadings() })).status).toBe(200);

  sim = await startSimulator({
    meters: [10, 11, 12].map((n, i) => ({
      deviceId: 14101 + i,
      name: `North meter ${i + 1}`,
      address: `${NET}.${n}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 14,
  });
  agent = startAgentProcess({
    clientUrl: api.url,
    apiKey: north.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: `${NET}.1`,
  });

  tokens.adminJwt = await login(ADMIN.email, ADMIN.password);
  const user = async (email: string, role: string, siteIds: number[] | null) => {
    const r = await http('POST', '/api/users', {
      token: tokens.adminJwt,
      body: { email, role, password: `${role}-password-123`, site_ids: siteIds },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return mcpToken(await login(email, `${role}-password-123`), `${role} assistant`);
  };
  tokens.admin = await mcpToken(tokens.adminJwt, 'admin assistant');
  tokens.viewer = await user('viewer@mcp.test', 'viewer', null);
  tokens.limited = await user('south-operator@mcp.test', 'operator', [south.site_id]);

  await waitUntil(
    'North plant online with every meter answering and 40 s of readings stored',
    async () => {
      const s = (await http('GET', `/api/sites/${north.site_id}/status`, { token: tokens.adminJwt })).json as {
        status: string;
        meters: { answering: number | null };
      };
      const n = await db.knex.raw<{ rows: { n: number }[] }>(
        'SELECT count(*)::int AS n FROM meter_readings WHERE site_id = ?',
        [north.site_id],
      );
      return s.status === 'online' && s.meters.answering === 3 && (n.rows[0]?.n ?? 0) >= 12 * 40; // 40 s of readings from 3 meters × 4 points
    },
    90_000,
  );
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await agent?.stop();
  await sim?.stop();
  await api?.proc.stop();
  await db?.close();
});

describe('client MCP: tools over both transports', () => {
  it('when an assistant lists the tools over HTTP and over stdio, then both see the same nine tools, each with descriptions, an output schema and honest annotations', async () => {
    const viaHttp = await httpClient(tokens.admin);
    const viaStdio = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: tokens.admin });
    expect(viaHttp.getServerVersion()?.name).toBe('meterit-client');
    expect(viaStdio.getServerVersion()?.name).toBe('meterit-client');
    const a = (await viaHttp.listTools()).tools;
    const b = (await viaStdio.listTools()).tools;
    expect(a.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    expect(b).toEqual(a);
    for (const t of a) {
      expect(t.description, t.name).toBeTruthy();
      expect(t.outputSchema, t.name).toBeDefined();
      expect(t.annotations?.readOnlyHint, t.name).toBe(!CHANGING.includes(t.name));
      expect(typeof t.annotations?.destructiveHint, t.name).toBe('boolean');
      for (const [field, schema] of Object.entries(
        (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>,
      )) {
        expect(schema.description, `${t.name}.${field}`).toBeTruthy();
      }
    }
  });

  it('when asked "is site X healthy" over stdio, then get_site_status says North plant online with 3 of 3 meters and South depot offline, with reasons and each site\'s energy settings', async () => {
    const settings = { time_zone: 'Europe/Oslo', currency: 'NOK', area_m2: 5200, co2_kg_per_kwh: 0.019 };
    const edited = await http('PATCH', `/api/sites/${north.site_id}`, { token: tokens.adminJwt, body: settings });
    expect(edited.status, JSON.stringify(edited.json)).toBe(200);
    const c = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: tokens.admin });
    const r = await call<{
      counts: Record<string, number>;
      sites: Array<{
        site_id: number;
        site_name: string;
        status: string;
        reasons: string[];
        meters: { configured: number; answering: number };
      }>;
    }>(c, 'get_site_status');
    expect(r.structuredContent.counts).toEqual({ online: 1, degraded: 0, offline: 1, inactive: 0 });
    expect(r.structuredContent.sites.map((s) => s.site_name)).toEqual(['South depot', 'North plant']); // worst first
    expect(r.structuredContent.sites[1]).toMatchObject({
      site_id: north.site_id,
      status: 'online',
      reasons: [],
      meters: { configured: 3, answering: 3 },
      ...settings,
    });
    // A site nobody set up yet: UTC, EUR, no area and no factor.
    expect(r.structuredContent.sites[0]).toMatchObject({
      time_zone: 'UTC',
      currency: 'EUR',
      area_m2: null,
      co2_kg_per_kwh: null,
    });
    expect(r.content[0]).toMatchObject({ text: expect.stringContaining('North plant (id') });
    expect(r.content[0]).toMatchObject({ text: expect.stringContaining('in Europe/Oslo, NOK') });
    expect(r.structuredContent.sites[0]?.reasons[0]).toMatch(/no heartbeat ever received/);
    expect(r.content[0]).toMatchObject({ text: expect.stringContaining('South depot (id') });
    const one = await call<{ sites: Array<{ site_id: number }> }>(c, 'get_site_status', { site_name: 'north' });
    expect(one.structuredContent.sites.map((s) => s.site_id)).toEqual([north.site_id]);
  });

  it('when meters are queried, then they are the configured ones with the latest values the simulator served', async () => {
    const c = await httpClient(tokens.admin);
    const r = await call<{
      count: number;
      meters: Array<{
        id: number;
        site_id: number;
        external_id: string;
        status: string;
        data_points: Array<{ name: string; unit: string | null; latest: { value: number } | null }>;
      }>;
    }>(c, 'query_meters');
    expect(r.structuredContent.count).toBe(4);
    const { rows } = await db.knex.raw<{ rows: { id: number; external_id: string }[] }>(
      'SELECT id, external_id FROM meters ORDER BY id',
    );
    expect(r.structuredContent.meters.map((m) => m.id).sort((x, y) => x - y)).toEqual(rows.map((m) => m.id));
    const first = r.structuredContent.meters.find((m) => m.external_id === sim.meters[0]!.externalId)!;
    expect(first.status).toBe('ok');
    const voltage = first.data_points.find((p) => p.name === 'voltage')!;
    expect(voltage.unit).toBe('V');
    expect(
      sim
        .served()
        .filter((s) => s.deviceId === 14101 && s.instance === 2)
        .map((s) => s.value),
    ).toContain(voltage.latest?.value);
    const south1 = await call<{ meters: Array<{ external_id: string; status: string }> }>(c, 'query_meters', {
      site_ids: [south.site_id],
    });
    expect(south1.structuredContent.meters).toEqual([expect.objectContaining({ external_id: 'S-1', status: 'stale' })]);
  });

  it('when readings are queried, then raw rows are exactly the database rows and buckets count them', async () => {
    const c = await httpClient(tokens.admin);
    const meter = (
      await db.knex.raw<{ rows: { id: number }[] }>('SELECT id FROM meters WHERE external_id = ?', [
        sim.meters[1]!.externalId,
      ])
    ).rows[0]!.id;
    const to = new Date(Date.now() - 5000).toISOString();
    const from = new Date(Date.parse(to) - 10 * MIN).toISOString();
    const r = await call<{
      count: number;
      truncated: boolean;
      rows: Array<{ ts: string; value: number; unit: string; meter_id: number }>;
    }>(c, 'query_readings', { meter_id: meter, data_point: 'total_kwh', from, to, limit: 2000 });
    const { rows } = await db.knex.raw<{ rows: { ts: Date; value: number }[] }>(
      "SELECT ts, value FROM meter_readings WHERE meter_id = ? AND data_point = 'total_kwh' AND ts >= ? AND ts < ? ORDER BY ts",
      [meter, new Date(from), new Date(to)],
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(r.structuredContent.rows.map((x) => [x.ts, x.value])).toEqual(
      rows.map((x) => [x.ts.toISOString(), x.value]),
    );
    expect(r.structuredContent.truncated).toBe(false);
    const few = await call<{ count: number; truncated: boolean }>(c, 'query_readings', {
      meter_id: meter,
      data_point: 'total_kwh',
      from,
      to,
      limit: 3,
    });
    expect(few.structuredContent).toMatchObject({ count: 3, truncated: true });
    const buckets = await call<{ rows: Array<{ count: number; value: number; max: number }> }>(c, 'query_readings', {
      meter_id: meter,
      data_point: 'total_kwh',
      from,
      to,
      bucket: '1m',
      agg: 'max',
    });
    expect(buckets.structuredContent.rows.reduce((n, b) => n + b.count, 0)).toBe(rows.length);
    expect(buckets.structuredContent.rows.every((b) => b.value === b.max)).toBe(true);
  });

  it('when consumption is asked for the depot, then the hourly energy, the gap and the counter reset are what the counter did (by hand: 14.5 + 29.2 kWh, 15.5 kWh across the gap)', async () => {
    const c = await httpClient(tokens.admin);
    const r = await call<{
      total_kwh: number;
      sites: Array<{
        site_id: number;
        total_kwh: number;
        unattributed_kwh: number;
        complete: boolean;
        buckets: Array<{ energy_kwh: number | null; complete: boolean }>;
      }>;
      series: Array<{
        gaps: Array<{ energy_kwh: number; attributed: boolean }>;
        resets: Array<{ at: string; from_value: number; to_value: number }>;
      }>;
    }>(c, 'get_consumption', {
      site_ids: [south.site_id],
      from: new Date(southStart).toISOString(),
      to: new Date(southStart + 2 * HOUR).toISOString(),
      interval: '1h',
    });
    const site = r.structuredContent.sites[0]!;
    expect(site.buckets.map((b) => b.energy_kwh)).toEqual([14.5, 29.2]);
    expect(site.buckets.map((b) => b.complete)).toEqual([false, true]);
    expect(site).toMatchObject({ site_id: south.site_id, total_kwh: 43.7, unattributed_kwh: 15.5, complete: false });
    expect(r.structuredContent.series[0]?.gaps).toEqual([
      expect.objectContaining({ energy_kwh: 15.5, attributed: false }),
    ]);
    expect(r.structuredContent.series[0]?.resets).toEqual([
      { at: new Date(southStart + 90 * MIN).toISOString(), from_value: 1044.5, to_value: 0.2 },
    ]);
    expect(r.content[0]).toMatchObject({ text: expect.stringMatching(/43\.7 kWh.*1 gap.*1 counter reset/s) });
  });

  it("when asked over stdio what the depot cost, then get_cost_breakdown prices its 59.2 kWh (the gap's 15.5 kWh spread over the gap) at the depot's tariff, with the demand charge on its highest quarter hour", async () => {
    // A flat 0.20 per kWh and 10 per kW: 59.2 × 0.20 = 11.84; every full quarter hour drew 7.5 kWh (30 kW), the
    // first at southStart, so 30 × 10 = 300. The three quarter hours touched by the gap are estimated (3 × 7.5 kWh).
    const flat = {
      name: 'flat',
      price_per_kwh: 0.2,
      hours: [{ day_kinds: ['weekday', 'weekend', 'holiday'], from_hour: 0, to_hour: 24 }],
    };
    const tariff = await http('POST', '/api/tariffs', {
      token: tokens.adminJwt,
      body: {
        name: 'Depot flat',
        currency: 'EUR',
        versions: [{ valid_from: '2020-01-01', bands: [flat], demand_price_per_kw: 10 }],
      },
    });
    expect(tariff.status, JSON.stringify(tariff.json)).toBe(201);
    const assigned = await http('POST', `/api/sites/${south.site_id}/tariffs`, {
      token: tokens.adminJwt,
      body: { tariff_id: (tariff.json.tariff as { id: number }).id, valid_from: '2020-01-01' },
    });
    expect(assigned.status, JSON.stringify(assigned.json)).toBe(201);
    const c = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: tokens.limited });
    const r = await call<{
      currency: string;
      total: { import_kwh: number; estimated_kwh: number; energy_cost: number; demand_charge: number; total: number };
      periods: Array<{ tariffs: Array<{ tariff_name: string; demand: { kw: number; at: string } | null }> }>;
    }>(c, 'get_cost_breakdown', {
      site_id: south.site_id,
      from: new Date(southStart).toISOString(),
      to: new Date(southStart + 2 * HOUR).toISOString(),
    });
    const s = r.structuredContent;
    expect(s.currency).toBe('EUR');
    expect(s.total).toMatchObject({ import_kwh: 59.2, estimated_kwh: 22.5, demand_charge: 300 });
    expect(s.total.energy_cost).toBeCloseTo(11.84, 9);
    expect(s.total.total).toBeCloseTo(311.84, 9);
    expect(s.periods[0]!.tariffs[0]).toMatchObject({
      tariff_name: 'Depot flat',
      demand: { kw: 30, at: new Date(southStart).toISOString() },
    });
    expect(r.content[0]).toMatchObject({ text: expect.stringMatching(/311\.84 EUR for 59\.2 kWh/) });
  });

  it('when a report is generated, then status, completeness, energy and the CSV match numbers computed by hand from the database', async () => {
    const c = await httpClient(tokens.admin);
    // North plant: from before its first reading to 15 s ago (everything before is synced by then).
    const first = (
      await db.knex.raw<{ rows: { t: Date }[] }>('SELECT min(ts) AS t FROM meter_readings WHERE site_id = ?', [
        north.site_id,
      ])
    ).rows[0]!.t.getTime();
    const from = Math.floor(first / 1000) * 1000 - 60_000;
    const to = Math.floor(Date.now() / 1000) * 1000 - 15_000;
    const r = await call<{
      alerts_available: boolean;
      totals: { sites: number; readings_received: number; readings_expected: number };
      sites: Array<{
        site_id: number;
        status: string;
        readings_received: number;
        readings_expected: number;
        completeness_pct: number | null;
        energy_kwh: number;
        data_points: number;
        meters_answering: number | null;
      }>;
      csv: string;
      text: string;
    }>(c, 'generate_report', {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      collection_interval_s: 1,
    });
    const n = r.structuredContent.sites.find((s) => s.site_id === north.site_id)!;
    const { rows } = await db.knex.raw<{ rows: { meter_id: number; data_point: string; ts: Date; value: number }[] }>(
      'SELECT meter_id, data_point, ts, value FROM meter_readings WHERE site_id = ? ORDER BY meter_id, data_point, ts',
      [north.site_id],
    );
    const received = rows.filter((x) => x.ts.getTime() >= from && x.ts.getTime() < to).length;
    // Each meter is expected to report from when it existed (its creation, or its first reading if that came earlier), not from `from`.
    const existed = (
      await db.knex.raw<{ rows: { since: Date; points: number }[] }>(
        'SELECT least(m.created_at, (SELECT min(r.ts) FROM meter_readings r WHERE r.meter_id = m.id)) AS since, jsonb_array_length(m.data_points)::int AS points FROM meters m WHERE m.site_id = ? AND m.is_active',
        [north.site_id],
      )
    ).rows;
    expect(existed.map((m) => m.points)).toEqual([4, 4, 4]);
    const expected = existed.reduce(
      (n, m) => n + m.points * Math.floor((to - Math.max(from, m.since.getTime())) / 1000),
      0,
    );
    let energy = 0;
    for (const m of new Set(rows.map((x) => x.meter_id)))
      energy += energyOf(
        rows.filter((x) => x.meter_id === m && x.data_point === 'total_kwh'),
        from,
        to,
      );
    expect(n).toMatchObject({
      status: 'online',
      data_points: 12,
      meters_answering: 3,
      readings_received: received,
      readings_expected: expected,
      completeness_pct: Math.round((received / expected) * 1000) / 10,
    });
    expect(n.energy_kwh).toBeCloseTo(energy, 2);
    expect(energy).toBeGreaterThan(0);

    const depot = await call<{
      sites: Array<{
        site_id: number;
        status: string;
        readings_received: number;
        readings_expected: number;
        completeness_pct: number;
        energy_kwh: number;
        alerts_in_period: number | null;
      }>;
      csv: string;
      text: string;
    }>(c, 'generate_report', {
      site_ids: [south.site_id],
      from: new Date(southStart).toISOString(),
      to: new Date(southStart + 2 * HOUR).toISOString(),
      collection_interval_s: 60,
    });
    // 90 total_kwh readings of 2 points × 120 minutes; within one day the gap's 15.5 kWh counts: 14.5 + 15.5 + 14.5 + 0.2 + 14.5.
    expect(depot.structuredContent.sites).toEqual([
      expect.objectContaining({
        site_id: south.site_id,
        status: 'offline',
        readings_received: 90,
        readings_expected: 240,
        completeness_pct: 37.5,
        energy_kwh: 59.2,
        alerts_in_period: r.structuredContent.alerts_available ? 0 : null,
      }),
    ]);
    const csv = depot.structuredContent.csv.trim().split('\r\n');
    expect(csv[0]).toBe(
      'site_id,site_name,status,reasons,meters_configured,meters_answering,readings_received,readings_expected,completeness_pct,energy_kwh,energy_unattributed_kwh,energy_complete,alerts_in_period',
    );
    expect(csv[1]).toMatch(
      new RegExp(`^${south.site_id},South depot,offline,no heartbeat ever received[^,]*,1,,90,240,37.5,59.2,0,`),
    );
    expect(depot.content[1]).toMatchObject({ type: 'text', text: depot.structuredContent.csv });
    expect(depot.structuredContent.text).toContain('South depot (id');
    expect(depot.structuredContent.text).toContain('energy 59.2 kWh');
  });
});

describe('client MCP: bad input, credentials, roles and site limits', () => {
  it('when arguments are bad, then each call is a tool error that names the problem, and the server keeps answering', async () => {
    const c = await httpClient(tokens.admin);
    const cases: Array<[string, Json, RegExp]> = [
      ['query_readings', { limit: 0 }, /limit/],
      ['query_readings', { limit: 100_000 }, /limit/],
      ['query_readings', { from: 'yesterday' }, /ISO-8601 time with a zone/],
      ['query_readings', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, /from .* must be before to/],
      ['query_readings', { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' }, /at most 7 days/],
      ['query_readings', { meter_id: 999_999 }, /No meter with id 999999/],
      ['query_readings', { bucket: '5m' }, /bucket/],
      ['query_readings', { tz: 'Mars/Olympus' }, /IANA time zone/],
      [
        'get_consumption',
        { interval: '15m', from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' },
        /at most 7 days/,
      ],
      ['get_consumption', { gap_minutes: 0 }, /gap_minutes/],
      ['generate_report', { from: '2025-01-01T00:00:00Z', to: '2025-12-01T00:00:00Z' }, /at most 93 days/],
      ['generate_report', { collection_interval_s: -1 }, /collection_interval_s/],
      ['get_site_status', { site_ids: ['x'] }, /site_ids/],
      ['query_meters', { status: 'broken' }, /status/],
      ['send_alert_email', { to: ['not-an-email'], subject: 'x', body: 'y' }, /to/],
      ['no_such_tool', {}, /no_such_tool not found/],
    ];
    for (const [tool, args, message] of cases)
      expect(await toolError(c, tool, args), `${tool} ${JSON.stringify(args)}`).toMatch(message);
    expect((await call<{ counts: { online: number } }>(c, 'get_site_status')).structuredContent.counts.online).toBe(1);
  });

  it('when /mcp is called without a token, with a wrong, expired or revoked one, or from a foreign web origin, then it is refused (401 … 403)', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
    };
    const post = async (headers: Record<string, string>) =>
      fetch(`${api.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(init),
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post({ authorization: `Bearer ${tokens.admin}x` })).status).toBe(401);
    expect((await post({ authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${tokens.admin}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${tokens.admin}`, origin: 'https://ops.example.com' })).status).toBe(
      200,
    );
    expect((await post({ authorization: `Bearer ${tokens.admin}` })).status).toBe(200);
    // The web app's own access token works too.
    expect((await post({ authorization: `Bearer ${tokens.adminJwt}` })).status).toBe(200);

    const expiring = await mcpToken(tokens.adminJwt, 'soon expired');
    expect((await post({ authorization: `Bearer ${expiring}` })).status).toBe(200);
    await db.knex.raw("UPDATE mcp_tokens SET expires_at = now() - interval '1 second' WHERE name = 'soon expired'");
    const expired = await post({ authorization: `Bearer ${expiring}` });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('TOKEN_EXPIRED');

    const revoking = await mcpToken(tokens.adminJwt, 'soon revoked');
    const list = (await http('GET', '/api/auth/tokens', { token: tokens.adminJwt })).json.tokens as Array<{
      id: number;
      name: string;
      state: string;
    }>;
    const id = list.find((t) => t.name === 'soon revoked')!.id;
    expect((await http('DELETE', `/api/auth/tokens/${id}`, { token: tokens.adminJwt })).status).toBe(204);
    expect((await post({ authorization: `Bearer ${revoking}` })).status).toBe(401);
    await expect(httpClient('mcp_wrong-token-wrong-token')).rejects.toMatchObject({ code: 401 });

    // Over stdio a refused token is a tool error that says what to do, not a crash.
    const wrong = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: 'mcp_wrong' });
    expect(await toolError(wrong, 'get_site_status', {})).toMatch(/refused the token \(HTTP 401\).*MCP_TOKEN/);
  });

  it('when personal tokens are managed, then one is shown once and stored only as a hash, the list never shows it, and an MCP token cannot mint more', async () => {
    const created = await http('POST', '/api/auth/tokens', {
      token: tokens.adminJwt,
      body: { name: 'Claude Desktop' },
    });
    expect(created.status).toBe(201);
    const token = created.json.token as string;
    expect(token).toMatch(/^mcp_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.json.expires_at as string) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    const stored = await db.knex.raw<{ rows: Array<Record<string, unknown>> }>(
      'SELECT * FROM mcp_tokens WHERE id = ?',
      [created.json.id as number],
    );
    expect(JSON.stringify(stored.rows)).not.toContain(token.slice(12));
    const list = await http('GET', '/api/auth/tokens', { token: tokens.adminJwt });
    expect(JSON.stringify(list.json)).not.toContain(token.slice(12));
    expect(list.json.tokens).toContainEqual(
      expect.objectContaining({
        id: created.json.id,
        name: 'Claude Desktop',
        state: 'active',
        prefix: token.slice(0, 12),
      }),
    );
    expect((await http('POST', '/api/auth/tokens', { token: tokens.adminJwt, body: { name: '' } })).status).toBe(400);
    expect(
      (await http('POST', '/api/auth/tokens', { token: tokens.adminJwt, body: { name: 'x', expires_in_days: 5000 } }))
        .status,
    ).toBe(400);
    expect((await http('POST', '/api/auth/tokens', { body: { name: 'x' } })).status).toBe(401);
    expect((await http('POST', '/api/auth/tokens', { token, body: { name: 'x' } })).status).toBe(401);
    expect((await http('DELETE', '/api/auth/tokens/999999', { token: tokens.adminJwt })).status).toBe(404);
  });

  it('when a viewer calls a changing tool, then it is a tool error that names the role; read-only tools work', async () => {
    const viewer = await httpClient(tokens.viewer);
    expect(
      await toolError(viewer, 'configure_alert_rules', { name: 'x', kind: 'no_data', scope: 'all', threshold: 10 }),
    ).toMatch(/role "viewer" may not/);
    expect(await toolError(viewer, 'send_alert_email', { to: ['ops@example.com'], subject: 's', body: 'b' })).toMatch(
      /role "viewer" may not/,
    );
    expect(
      (await call<{ counts: { online: number } }>(viewer, 'get_site_status')).structuredContent.counts.online,
    ).toBe(1);
    const stdioViewer = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: tokens.viewer });
    expect(
      await toolError(stdioViewer, 'send_alert_email', { to: ['ops@example.com'], subject: 's', body: 'b' }),
    ).toMatch(/role "viewer" may not/);
  });

  it('when a user limited to South depot asks, then every tool shows only that site', async () => {
    const c = await httpClient(tokens.limited);
    const status = await call<{ sites: Array<{ site_id: number }> }>(c, 'get_site_status');
    expect(status.structuredContent.sites.map((s) => s.site_id)).toEqual([south.site_id]);
    expect(
      (await call<{ sites: unknown[] }>(c, 'get_site_status', { site_ids: [north.site_id] })).structuredContent.sites,
    ).toEqual([]);
    const meters = await call<{ meters: Array<{ site_id: number }> }>(c, 'query_meters');
    expect(meters.structuredContent.meters.map((m) => m.site_id)).toEqual([south.site_id]);
    const northMeter = (
      await db.knex.raw<{ rows: { id: number }[] }>('SELECT id FROM meters WHERE site_id = ? LIMIT 1', [north.site_id])
    ).rows[0]!.id;
    expect(await toolError(c, 'query_readings', { meter_id: northMeter })).toMatch(/No meter with id/);
    const readings = await call<{ rows: Array<{ site_id: number }> }>(c, 'query_readings', {
      from: new Date(Date.now() - 5 * MIN).toISOString(),
    });
    expect(readings.structuredContent.rows).toEqual([]);
    const energy = await call<{ sites: Array<{ site_id: number }> }>(c, 'get_consumption', {
      from: new Date(southStart).toISOString(),
      to: new Date().toISOString(),
    });
    expect(energy.structuredContent.sites.map((s) => s.site_id)).toEqual([south.site_id]);
    const report = await call<{ sites: Array<{ site_id: number }> }>(c, 'generate_report', {
      site_ids: [north.site_id, south.site_id],
    });
    expect(report.structuredContent.sites.map((s) => s.site_id)).toEqual([south.site_id]);
  });
});

describe('client MCP: the stdio bridge without the API', () => {
  it('when the client API is not running, then the bridge still initializes and lists the tools, and each call says the API cannot be reached', async () => {
    const port = await freePort();
    const c = await stdioClient({ CLIENT_MCP_URL: `http://127.0.0.1:${port}/mcp`, MCP_TOKEN: tokens.admin });
    expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    expect(await toolError(c, 'get_site_status', {})).toMatch(
      /not running or not reachable at http:\/\/127\.0\.0\.1:\d+\/mcp \(ECONNREFUSED\)/,
    );
  });
});

describe('client MCP: alerts through the running alert engine', () => {
  it('when an operator configures a rule, then the engine fires it, list_active_alerts and the report show it, and a site-limited user sees neither', async () => {
    const c = await httpClient(tokens.admin);
    const meter = (
      await db.knex.raw<{ rows: { id: number }[] }>('SELECT id FROM meters WHERE external_id = ?', [
        sim.meters[0]!.externalId,
      ])
    ).rows[0]!.id;
    const name = 'North meter 1 drawing power';
    const created = await call<{
      created: boolean;
      rule: { id: number; name: string; kind: string; enabled: boolean; effective_threshold: number };
    }>(c, 'configure_alert_rules', {
      kind: 'threshold',
      name,
      scope: 'meter',
      meter_id: meter,
      data_point: 'current_kw',
      condition: 'above',
      threshold: -1,
      for_seconds: 0,
      severity: 'warning',
    });
    expect(created.structuredContent).toMatchObject({
      created: true,
      rule: { name, kind: 'threshold', enabled: true, effective_threshold: -1 },
    });
    const ruleId = created.structuredContent.rule.id;
    const stored = (
      await db.knex.raw<{
        rows: Array<{ name: string; kind: string; meter_id: number; threshold: number; enabled: boolean }>;
      }>('SELECT * FROM alert_rules WHERE id = ?', [ruleId])
    ).rows[0];
    expect(stored).toMatchObject({ name, kind: 'threshold', meter_id: meter, threshold: -1, enabled: true });

    const firing = await waitUntil(
      'the engine to fire the new rule',
      async () => {
        const r = await call<{
          alerts: Array<{
            id: number;
            rule_id: number;
            state: string;
            site_id: number;
            meter_id: number;
            severity: string;
          }>;
        }>(c, 'list_active_alerts', { include_pending: false });
        return r.structuredContent.alerts.find((a) => a.rule_id === ruleId);
      },
      30_000,
      500,
    );
    expect(firing).toMatchObject({ state: 'firing', site_id: north.site_id, meter_id: meter, severity: 'warning' });
    const row = (
      await db.knex.raw<{ rows: Array<{ state: string; rule_id: number }> }>(
        'SELECT state, rule_id FROM alerts WHERE id = ?',
        [firing.id],
      )
    ).rows[0];
    expect(row).toEqual({ state: 'firing', rule_id: ruleId });

    const report = await call<{
      sites: Array<{ site_id: number; alerts_in_period: number; alerts: Array<{ rule_name: string }> }>;
      alerts_available: boolean;
    }>(c, 'generate_report', {
      site_ids: [north.site_id],
      from: new Date(Date.now() - 10 * MIN).toISOString(),
    });
    expect(report.structuredContent.alerts_available).toBe(true);
    expect(report.structuredContent.sites[0]!.alerts_in_period).toBeGreaterThanOrEqual(1);
    expect(report.structuredContent.sites[0]!.alerts.map((a) => a.rule_name)).toContain(name);

    const limited = await httpClient(tokens.limited);
    const theirs = await call<{ alerts: Array<{ site_id: number | null }> }>(limited, 'list_active_alerts');
    expect(theirs.structuredContent.alerts.every((a) => a.site_id === null || a.site_id === south.site_id)).toBe(true);
    expect(await toolError(limited, 'configure_alert_rules', { id: ruleId, enabled: false })).toMatch(/no .*rule|not/i);

    const off = await call<{ created: boolean; rule: { enabled: boolean } }>(c, 'configure_alert_rules', {
      id: ruleId,
      enabled: false,
    });
    expect(off.structuredContent).toMatchObject({ created: false, rule: { enabled: false } });
    expect(
      (
        await db.knex.raw<{ rows: Array<{ enabled: boolean }> }>('SELECT enabled FROM alert_rules WHERE id = ?', [
          ruleId,
        ])
      ).rows[0]?.enabled,
    ).toBe(false);
    expect(await toolError(c, 'configure_alert_rules', { name: 'no kind' })).toMatch(/needs kind and name/);
  });

  it('when an operator sends an alert e-mail without a mail server, then it is recorded in the outbox and the answer says it was not sent', async () => {
    const c = await stdioClient({ CLIENT_MCP_URL: `${api.url}/mcp`, MCP_TOKEN: tokens.limited });
    const r = await call<{ id: number; status: string; recipients: string[]; subject: string }>(c, 'send_alert_email', {
      to: ['depot@example.com'],
      subject: 'Depot offline',
      body: 'South depot sends nothing.',
    });
    expect(r.structuredContent).toMatchObject({
      status: 'recorded',
      recipients: ['depot@example.com'],
      subject: '[MeterIT] Depot offline',
    });
    expect(r.content[0]).toMatchObject({ text: expect.stringContaining('not sent: no mail server is configured') });
    const row = (
      await db.knex.raw<{ rows: Array<{ subject: string; body: string; status: string; created_by: string }> }>(
        'SELECT subject, body, status, created_by FROM notifications WHERE id = ?',
        [r.structuredContent.id],
      )
    ).rows[0];
    expect(row).toEqual({
      subject: '[MeterIT] Depot offline',
      body: 'South depot sends nothing.',
      status: 'recorded',
      created_by: 'south-operator@mcp.test',
    });
  });
});

describe('client MCP: audit log and metrics', () => {
  it('when tools were called, then the audit log holds each call with who, arguments, outcome and duration, and /metrics counts them', async () => {
    const rows = (
      await db.knex.raw<{
        rows: Array<{
          tool: string;
          user_email: string;
          role: string;
          principal: string;
          via: string;
          outcome: string;
          success: boolean;
          arguments: Json;
          duration_ms: number;
          error: string | null;
        }>;
      }>('SELECT * FROM mcp_audit ORDER BY id')
    ).rows;
    const tools = new Set(rows.map((r) => r.tool));
    for (const t of ALL_TOOLS) expect(tools, t).toContain(t);
    expect(
      rows.find((r) => r.tool === 'get_site_status' && r.via === 'stdio-bridge' && r.outcome === 'ok'),
    ).toMatchObject({ user_email: ADMIN.email, role: 'admin', principal: expect.stringMatching(/^mcp_token:\d+$/) });
    expect(rows.find((r) => r.tool === 'get_consumption' && r.outcome === 'ok')?.arguments).toMatchObject({
      site_ids: [south.site_id],
      interval: '1h',
    });
    expect(
      rows
        .filter((r) => r.role === 'viewer' && r.outcome === 'forbidden')
        .map((r) => r.tool)
        .sort(),
    ).toEqual(['configure_alert_rules', 'send_alert_email', 'send_alert_email']);
    expect(rows.find((r) => r.tool === 'query_readings' && r.outcome === 'invalid')?.error).toMatch(/limit/);
    expect(rows.find((r) => r.tool === 'no_such_tool')).toMatchObject({ success: false });
    expect(rows.find((r) => r.user_email === 'south-operator@mcp.test' && r.tool === 'send_alert_email')).toMatchObject(
      { outcome: 'ok', via: 'stdio-bridge' },
    );
    expect(rows.every((r) => r.duration_ms >= 0)).toBe(true);
    const all = JSON.stringify(rows);
    for (const t of [tokens.admin, tokens.viewer, tokens.limited, tokens.adminJwt]) expect(all).not.toContain(t);

    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const ok = rows.filter((r) => r.tool === 'get_site_status' && r.outcome === 'ok').length;
    expect(metrics).toContain(
      `meterit_mcp_tool_calls_total{tool="get_site_status",outcome="ok",service="client-api"} ${ok}`,
    );
    expect(metrics).toContain(
      `meterit_mcp_tool_calls_total{tool="send_alert_email",outcome="forbidden",service="client-api"} 2`,
    );
    expect(metrics).toMatch(/meterit_mcp_tool_calls_total\{tool="unknown",outcome="error",service="client-api"\} 1/);
    const storedReadings = (
      await db.knex.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM meter_readings')
    ).rows[0]!.n;
    const counted = Number(/meterit_readings_stored_total\{service="client-api"\} (\d+)/.exec(metrics)?.[1]);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(storedReadings);
    expect(metrics).toMatch(
      new RegExp(`meterit_site_heartbeat_age_seconds\\{site_id="${north.site_id}",service="client-api"\\} \\d+`),
    );
    expect(metrics).toContain(`meterit_site_heartbeat_age_seconds{site_id="${south.site_id}",service="client-api"} -1`);
    expect(metrics).toMatch(/meterit_db_pool_connections\{state="free",service="client-api"\} \d+/);
    const mcpRequests = metrics
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('meterit_http_request_duration_seconds_count{') &&
          l.includes('route="/mcp"') &&
          l.includes('status="200"') &&
          l.includes('method="POST"'),
      );
    expect(
      mcpRequests,
      metrics
        .split('\n')
        .filter((l) => l.startsWith('meterit_http_request_duration_seconds_count'))
        .join('\n'),
    ).toHaveLength(1);
    expect(Number(mcpRequests[0]?.split(' ').pop())).toBeGreaterThan(rows.length);
  });
});

/** What must never reach a caller: SQL, PostgreSQL's own messages, stack frames. */
const INTERNAL =
  /\bselect\b.*\bfrom\b|insert into|update "?\w+"? set|delete from|violates|constraint|invalid byte sequence|invalid input syntax|syntax error|relation "|duplicate key|0x00|\n\s+at .+:\d+:\d+|node_modules|knex|postgres/i;

/** A tool's answer (or the client's refusal) as text, whichever it was. */
async function answerText(c: Client, name: string, args: unknown): Promise<{ isError: boolean; text: string }> {
  try {
    const r = (await c.callTool({ name, arguments: args as Json })) as CallToolResult;
    return { isError: r.isError === true, text: r.content.map((x) => (x.type === 'text' ? x.text : '')).join('\n') };
  } catch (err) {
    return { isError: true, text: (err as Error).message };
  }
}

const auditCount = async () =>
  (await db.knex.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM mcp_audit')).rows[0]!.n;

describe('client MCP: every listed tool, as a released client sees it', () => {
  it('when a client lists the tools and calls every one with valid arguments while an alert is active, then every answer fits its declared output schema', async () => {
    const meter = (
      await db.knex.raw<{ rows: { id: number }[] }>('SELECT id FROM meters WHERE external_id = ?', [
        sim.meters[1]!.externalId,
      ])
    ).rows[0]!.id;
    const rule = await http('POST', '/api/alert-rules', {
      token: tokens.adminJwt,
      body: {
        kind: 'threshold',
        name: 'Every tool: North meter 2 drawing power',
        scope: 'meter',
        meter_id: meter,
        data_point: 'current_kw',
        condition: 'above',
        threshold: -1,
        for_seconds: 0,
      },
    });
    expect(rule.status, JSON.stringify(rule.json)).toBe(201);
    const ruleId = (rule.json.rule as { id: number }).id;
    await waitUntil(
      'the rule to fire',
      async () =>
        (
          (await http('GET', `/api/alerts?rule_id=${ruleId}&state=firing`, { token: tokens.adminJwt })).json
            .alerts as unknown[]
        ).length > 0,
      30_000,
      500,
    );
    const silentName = 'Every tool: South depot silent';
    const c = await httpClient(tokens.admin);
    const recent = new Date(Date.now() - 10 * MIN).toISOString();
    const { problems, tools } = await callEveryListedTool(c, [
      { tool: 'get_site_status', check: (s) => expect((s.sites as unknown[]).length).toBe(2) },
      { tool: 'query_meters', check: (s) => expect(s.count).toBe(4) },
      {
        tool: 'query_readings',
        args: { from: recent, limit: 50 },
        check: (s) => expect((s.rows as unknown[]).length).toBe(50),
      },
      {
        tool: 'query_readings',
        args: { from: recent, bucket: '1m', limit: 50 },
        check: (s) => expect((s.rows as unknown[]).length).toBeGreaterThan(0),
      },
      {
        tool: 'get_consumption',
        args: {
          site_ids: [south.site_id],
          from: new Date(southStart).toISOString(),
          to: new Date(southStart + 2 * HOUR).toISOString(),
          interval: '1h',
          series_buckets: true,
        },
        check: (s) => expect(s.total_kwh).toBe(43.7),
      },
      {
        // The depot's costs again, as the stdio test above computed them.
        tool: 'get_cost_breakdown',
        args: {
          site_id: south.site_id,
          from: new Date(southStart).toISOString(),
          to: new Date(southStart + 2 * HOUR).toISOString(),
        },
        check: (s) => expect((s.total as { total: number }).total).toBeCloseTo(311.84, 9),
      },
      {
        tool: 'list_active_alerts',
        check: (s) => expect((s.alerts as Array<{ rule_id: number }>).map((a) => a.rule_id)).toContain(ruleId),
      },
      {
        tool: 'list_active_alerts',
        args: { include_pending: false, severity: 'warning' },
        check: (s) => expect(s.count).toBeGreaterThan(0),
      },
      {
        tool: 'configure_alert_rules',
        args: { id: ruleId, severity: 'critical' },
        check: (s) => expect(s).toMatchObject({ created: false, rule: { id: ruleId, severity: 'critical' } }),
      },
      {
        tool: 'configure_alert_rules',
        args: {
          kind: 'no_data',
          name: silentName,
          scope: 'site',
          site_id: south.site_id,
          threshold: 60,
          recipients: ['depot@example.com'],
        },
        check: (s) =>
          expect(s).toMatchObject({
            created: true,
            rule: { name: silentName, site_id: south.site_id, site_name: 'South depot' },
          }),
      },
      {
        tool: 'generate_report',
        args: { site_ids: [north.site_id], from: recent },
        check: (s) => expect((s.sites as Array<{ alerts_in_period: number }>)[0]?.alerts_in_period).toBeGreaterThan(0),
      },
      {
        tool: 'send_alert_email',
        args: { to: ['ops@example.com'], subject: 'Every tool', body: 'Sent by the every-tool test.' },
        check: (s) => expect(s.status).toBe('recorded'),
      },
    ]);
    expect(problems).toEqual([]);
    expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    // The created rule was stored once, and the answer said so (no retry, no duplicate).
    expect(
      (
        await db.knex.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM alert_rules WHERE name = ?', [
          silentName,
        ])
      ).rows[0]!.n,
    ).toBe(1);
    await db.knex.raw('UPDATE alert_rules SET enabled = false WHERE id = ? OR name = ?', [ruleId, silentName]);
  });

  it('when the tools are listed, then their hints say what each can do: configure_alert_rules can disable rules (destructive), send_alert_email reaches mail servers (open world)', async () => {
    const c = await httpClient(tokens.admin);
    const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
    expect(annotationsOf((await c.listTools()).tools)).toEqual({
      get_site_status: read,
      query_meters: read,
      query_readings: read,
      get_consumption: read,
      get_cost_breakdown: read,
      generate_report: read,
      list_active_alerts: read,
      configure_alert_rules: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
      send_alert_email: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    });
  });

  it('when calls are good, bad, forbidden, unknown, malformed or carry NUL characters, then each leaves exactly one audit row', async () => {
    const admin = await httpClient(tokens.admin);
    const viewer = await httpClient(tokens.viewer);
    const cases: Array<[string, Client, string, unknown, string]> = [
      ['a good call with an extra NUL argument', admin, 'get_site_status', { note: 'a\u0000b' }, 'ok'],
      ['a good call with NUL in an extra key', admin, 'get_site_status', { 'k\u0000ey': 1 }, 'ok'],
      ['a good call with an unpaired surrogate', admin, 'get_site_status', { note: 'a\ud800b' }, 'ok'],
      ['NUL in a checked argument', admin, 'query_meters', { search: 'x\u0000y' }, 'invalid'],
      ['bad arguments and a NUL', admin, 'query_readings', { limit: 0, note: '\u0000' }, 'invalid'],
      [
        'forbidden, with a NUL',
        viewer,
        'send_alert_email',
        { to: ['ops@example.com'], subject: 's', body: 'b', note: '\u0000' },
        'forbidden',
      ],
      ['an unknown tool with a NUL argument', admin, 'no_such_tool', { x: '\u0000' }, 'error'],
      ['an unknown tool with NUL in its name', admin, 'no\u0000tool', {}, 'error'],
      ['a tool error, with a NUL', admin, 'query_readings', { meter_id: 999_999, note: '\u0000' }, 'error'],
    ];
    for (const [what, c, tool, args, outcome] of cases) {
      const before = await auditCount();
      await answerText(c, tool, args);
      expect(await auditCount(), what).toBe(before + 1);
      const row = (
        await db.knex.raw<{ rows: Array<{ outcome: string; tool: string }> }>(
          'SELECT outcome, tool FROM mcp_audit ORDER BY id DESC LIMIT 1',
        )
      ).rows[0];
      expect(row?.outcome, what).toBe(outcome);
    }
    const kept = (
      await db.knex.raw<{ rows: Array<{ arguments: Json }> }>(
        "SELECT arguments FROM mcp_audit WHERE tool = 'get_site_status' AND arguments->>'note' IS NOT NULL ORDER BY id",
      )
    ).rows;
    expect(kept.map((r) => r.arguments)).toEqual([{ note: 'a\\u0000b' }, { note: 'a\ufffdb' }]);

    // A tools/call whose arguments are not an object is refused before any tool runs, and still audited.
    const before = await auditCount();
    const raw = await fetch(`${api.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${tokens.admin}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'get_site_status', arguments: ['\u0000'] },
      }),
    });
    expect(((await raw.json()) as { error?: { code: number } }).error?.code).toBe(-32602);
    expect(await auditCount()).toBe(before + 1);
    expect(
      (
        await db.knex.raw<{ rows: Array<{ outcome: string; tool: string }> }>(
          'SELECT outcome, tool FROM mcp_audit ORDER BY id DESC LIMIT 1',
        )
      ).rows[0],
    ).toEqual({ outcome: 'invalid', tool: 'get_site_status' });
  });

  it('when a text argument holds NUL or an id names nothing, then the error names the argument in plain words and shows no SQL or PostgreSQL message', async () => {
    const c = await httpClient(tokens.admin);
    const { tools } = await c.listTools();
    // Arguments that get each tool as far as the database, so a NUL that passed the input check would reach it.
    const required: Record<string, Json> = {
      send_alert_email: { to: ['ops@example.com'], subject: 's', body: 'b' },
      configure_alert_rules: { kind: 'no_data', name: 'NUL test', site_id: south.site_id, threshold: 5 },
    };
    type Prop = { type?: string; items?: { type?: string } };
    let nulCases = 0;
    for (const t of tools) {
      for (const [name, p] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, Prop>)) {
        const value =
          p.type === 'string'
            ? 'x\u0000y'
            : p.type === 'array' && p.items?.type === 'string'
              ? ['x\u0000y@example.com']
              : undefined;
        if (value === undefined) continue;
        nulCases += 1;
        const r = await answerText(c, t.name, { ...required[t.name], [name]: value });
        expect(r.isError, `${t.name}.${name} with NUL: ${r.text}`).toBe(true);
        expect(r.text, `${t.name}.${name} with NUL`).toContain(name);
        expect(r.text, `${t.name}.${name} with NUL`).not.toMatch(INTERNAL);
      }
    }
    expect(nulCases).toBeGreaterThanOrEqual(12);
    expect(
      (
        await db.knex.raw<{ rows: { n: number }[] }>(
          "SELECT count(*)::int AS n FROM alert_rules WHERE name LIKE 'NUL test%' OR name LIKE 'x%y'",
        )
      ).rows[0]!.n,
    ).toBe(0);

    const unknown: Array<[string, Json, RegExp]> = [
      ['query_readings', { meter_id: 999_999 }, /meter.*999999/],
      ['get_consumption', { meter_id: 999_999 }, /meter.*999999/],
      [
        'configure_alert_rules',
        { kind: 'no_data', name: 'unknown site', scope: 'site', site_id: 999_999, threshold: 5 },
        /site_id.*999999|site with id 999999/,
      ],
      [
        'configure_alert_rules',
        { kind: 'no_data', name: 'unknown site', site_id: 999_999, threshold: 5 },
        /site_id.*999999|site with id 999999/,
      ],
      [
        'configure_alert_rules',
        {
          kind: 'threshold',
          name: 'unknown meter',
          scope: 'meter',
          meter_id: 999_999,
          data_point: 'current_kw',
          condition: 'above',
          threshold: 1,
        },
        /meter.*999999/,
      ],
      ['configure_alert_rules', { id: 999_999, enabled: false }, /rule.*999999/],
    ];
    for (const [tool, args, message] of unknown) {
      const r = await answerText(c, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}: ${r.text}`).toBe(true);
      expect(r.text, `${tool} ${JSON.stringify(args)}`).toMatch(message);
      expect(r.text, `${tool} ${JSON.stringify(args)}`).not.toMatch(INTERNAL);
    }
    // Unknown site and meter ids in a filter find nothing; they are no error.
    for (const tool of [
      'get_site_status',
      'query_meters',
      'query_readings',
      'get_consumption',
      'generate_report',
      'list_active_alerts',
    ]) {
      const r = await answerText(c, tool, { site_ids: [999_999] });
      expect(r.isError, `${tool}: ${r.text}`).toBe(false);
      expect(r.text).not.toMatch(INTERNAL);
    }
    expect((await answerText(c, 'query_meters', { meter_ids: [999_999] })).text).toMatch(/No matching meter/);
    expect(
      (
        await db.knex.raw<{ rows: { n: number }[] }>(
          "SELECT count(*)::int AS n FROM alert_rules WHERE name LIKE 'unknown %'",
        )
      ).rows[0]!.n,
    ).toBe(0);
  });
});

describe('client MCP: report completeness of a new site', () => {
  it('when a meter created an hour ago sent every reading since, then a month report shows 100 % completeness, not the share of the month', async () => {
    const fresh = await createSiteWithCli(clientDbUrl, 'Fresh site');
    const meter: MeterConfig = {
      id: 'F-1',
      name: 'Fresh incomer',
      bacnet_device_id: 14951,
      bacnet_ip: `${NET}.95`,
      data_points: [
        { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
        { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'current_kw', unit: 'kW' },
      ],
    };
    const sync = (p: string, body: unknown) =>
      fetch(`${api.url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': fresh.api_key },
        body: JSON.stringify(body),
      });
    expect((await sync('/api/sync/meters', { meters: [meter] })).status).toBe(200);
    const to = Math.floor(Date.now() / MIN) * MIN;
    const created = to - HOUR;
    await db.knex.raw('UPDATE meters SET created_at = ? WHERE site_id = ?', [new Date(created), fresh.site_id]);
    const readings: SyncReading[] = [];
    for (let i = 0; i < 60; i++) {
      const timestamp = new Date(created + i * MIN).toISOString();
      readings.push({
        meter_external_id: 'F-1',
        data_point: 'total_kwh',
        timestamp,
        value: 500 + i,
        unit: 'kWh',
        quality: 'good',
      });
      readings.push({
        meter_external_id: 'F-1',
        data_point: 'current_kw',
        timestamp,
        value: 60,
        unit: 'kW',
        quality: 'good',
      });
    }
    expect((await sync('/api/sync/readings/batch', { batch_id: 'fresh-1', readings })).status).toBe(200);

    const c = await httpClient(tokens.admin);
    const r = await call<{
      totals: { completeness_pct: number | null };
      sites: Array<{
        site_id: number;
        readings_received: number;
        readings_expected: number;
        completeness_pct: number | null;
      }>;
    }>(c, 'generate_report', {
      site_ids: [fresh.site_id],
      from: new Date(to - 30 * 24 * HOUR).toISOString(),
      to: new Date(to).toISOString(),
      collection_interval_s: 60,
    });
    expect(r.structuredContent.sites).toEqual([
      expect.objectContaining({
        site_id: fresh.site_id,
        readings_received: 120,
        readings_expected: 120,
        completeness_pct: 100,
      }),
    ]);
    expect(r.structuredContent.totals.completeness_pct).toBe(100);
    expect(r.content[0]).toMatchObject({ text: expect.stringContaining('completeness 100%') });
  });
});
