import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { annotationsOf, callEveryListedTool, createTestDatabase, freePort } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import {
  centralReadings,
  createSite,
  startAgentProcess,
  startClientSystem,
  unsentCount,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../../agent/test/helpers/system.js';

// The site MCP server with the SDK's own client, over Streamable HTTP (the agent's /mcp) and over
// stdio (node sync/mcp/dist/stdio.js, which forwards to that /mcp), against a running system: a
// real client API process, the simulator over real UDP and a real agent process, each with a real
// PostgreSQL. Loopback range 127.0.9.x belongs to this file.
const NET = '127.0.9';
const OPERATOR = `op-${randomBytes(16).toString('hex')}`;
const VIEWER = `view-${randomBytes(16).toString('hex')}`;
const DEVICES = [9101, 9102, 9103] as const;
/** Answers Who-Is but is not configured: discovery must say so. */
const STRANGER = 9104;
const STDIO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/stdio.js');

const ALL_TOOLS = [
  'discover_devices',
  'get_meter_status',
  'get_sync_status',
  'list_dead_letters',
  'query_meter_readings',
  'read_point',
  'retry_dead_letters',
  'start_collection',
  'stop_collection',
  'trigger_sync',
];
const CHANGING = ['retry_dead_letters', 'start_collection', 'stop_collection', 'trigger_sync'];

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let site: { site_id: number; api_key: string };
const open: Client[] = [];

async function httpClient(token: string | undefined): Promise<Client> {
  const c = new Client({ name: 'site-mcp-test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await c.connect(new StreamableHTTPClientTransport(new URL(`${agent.localApiUrl}/mcp`), { requestInit: { headers } }));
  open.push(c);
  // As a released assistant does: with the tools listed, the SDK checks every structuredContent against its outputSchema.
  await c.listTools();
  return c;
}

async function stdioClient(env: Record<string, string>): Promise<Client> {
  const c = new Client({ name: 'site-mcp-test-stdio', version: '1.0.0' });
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

async function call<T = Record<string, unknown>>(
  c: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Structured<T>> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`${name} answered a tool error: ${JSON.stringify(r.content)}`);
  expect(r.structuredContent, name).toBeDefined();
  expect(r.content[0]?.type, name).toBe('text');
  return r as Structured<T>;
}

async function toolError(c: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError, `${name} ${JSON.stringify(args)} should be a tool error: ${JSON.stringify(r.content)}`).toBe(true);
  const first = r.content[0];
  return first?.type === 'text' ? first.text : '';
}

const readingCount = async () =>
  Number((await agent.db('meter_readings').count<{ count: number }[]>('* as count'))[0]!.count);

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'site_mcp_client');
  const siteDb = await createTestDatabase(pg, 'site_mcp_site');
  client = await startClientSystem(clientDb);
  site = await createSite(clientDb, 'MCP site');
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    meters: [
      ...DEVICES.map((deviceId, i) => ({ deviceId, name: `MCP meter ${i}`, address: `${NET}.${11 + i}`, port: 47808 })),
      {
        deviceId: STRANGER,
        name: 'Stranger',
        address: `${NET}.14`,
        port: 47808,
        vendorName: 'Acme',
        modelName: 'EM-9',
      },
    ],
    seed: 9,
  });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters.filter((m) => m.deviceId !== STRANGER)).meters as MeterConfig[],
    bacnetInterface: `${NET}.1`,
    // Only trigger_sync (and the first run at start) sends, so a backlog stays put.
    env: {
      LOCAL_API_TOKEN: OPERATOR,
      LOCAL_API_VIEWER_TOKEN: VIEWER,
      BACNET_BROADCAST_ADDRESS: `${NET}.255`,
      SYNC_INTERVAL_MINUTES: '30',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      // A failed sync waits for the next interval, so a backlog stays until trigger_sync.
      MAX_RETRIES: '0',
    },
  });
  await waitUntil(
    'every meter to have answered',
    async () =>
      Number(
        (
          await agent
            .db('meter_status')
            .where('consecutive_failures', 0)
            .whereNotNull('last_success_at')
            .count<{ count: number }[]>('* as count')
        )[0]!.count,
      ) === 3,
  );
});

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('site MCP: tools over both transports', () => {
  it('when an assistant lists the tools over HTTP and over stdio, then both see the same ten tools, each with descriptions, an output schema and honest annotations', async () => {
    const http = await httpClient(OPERATOR);
    const stdio = await stdioClient({ AGENT_MCP_URL: `${agent.localApiUrl}/mcp`, LOCAL_API_TOKEN: OPERATOR });
    expect(http.getServerVersion()?.name).toBe('meterit-site');
    expect(stdio.getServerVersion()?.name).toBe('meterit-site');
    const viaHttp = (await http.listTools()).tools;
    const viaStdio = (await stdio.listTools()).tools;
    expect(viaHttp.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    expect(viaStdio).toEqual(viaHttp);
    for (const t of viaHttp) {
      expect(t.description, t.name).toBeTruthy();
      expect(t.outputSchema, t.name).toBeDefined();
      const changing = CHANGING.includes(t.name);
      expect(t.annotations?.readOnlyHint, t.name).toBe(!changing);
      expect(typeof t.annotations?.destructiveHint, t.name).toBe('boolean');
      expect(typeof t.annotations?.idempotentHint, t.name).toBe('boolean');
      for (const [field, schema] of Object.entries(
        (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>,
      )) {
        expect(schema.description, `${t.name}.${field}`).toBeTruthy();
      }
    }
    expect(viaHttp.find((t) => t.name === 'stop_collection')?.annotations?.destructiveHint).toBe(true);
  });

  it('when asked for meter status and health, then the answers match the database and what the simulator served', async () => {
    const http = await httpClient(OPERATOR);
    const meters = await call<{
      counts: Record<string, number>;
      meters: Array<{
        id: string;
        state: string;
        bacnet: { device_id: number };
        points: Array<{ name: string; value: number | null; unit: string | null }>;
      }>;
    }>(http, 'get_meter_status');
    expect(meters.structuredContent.counts).toEqual({
      configured: 3,
      ok: 3,
      slow: 0,
      failing: 0,
      never_answered: 0,
      degraded: 0,
      wrong_device: 0,
    });
    const first = meters.structuredContent.meters.find((m) => m.bacnet.device_id === DEVICES[0])!;
    const voltage = first.points.find((p) => p.name === 'voltage')!;
    expect(voltage.unit).toBe('V');
    expect(
      sim
        .served()
        .filter((s) => s.deviceId === DEVICES[0] && s.instance === 2)
        .map((s) => s.value),
    ).toContain(voltage.value);
    expect(meters.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('3 meters configured: 3 ok'),
    });

    const one = await call<{ meters: unknown[] }>(http, 'get_meter_status', { meter: first.id });
    expect(one.structuredContent.meters).toHaveLength(1);
    expect(await toolError(http, 'get_meter_status', { meter: 'NOPE-1' })).toMatch(
      /No meter "NOPE-1".*Configured meters: /,
    );

    // The first upload at start sends what was read by then (under load it may come late and empty the queue for a
    // moment); after it, readings wait for trigger_sync (SYNC_INTERVAL_MINUTES 30), so the backlog only grows.
    await waitUntil(
      'the first upload to be done and new readings to wait',
      async () => {
        const local = (await (await fetch(`${agent.localApiUrl}/api/status`)).json()) as { last_sync: unknown };
        return local.last_sync !== null && (await unsentCount(agent.db)) > 0;
      },
      30_000,
    );
    const before = await unsentCount(agent.db);
    const status = await call<{
      health: { level: string };
      meters: { configured: number; ok: number };
      collection: { collecting: boolean };
      backlog: { count: number };
      recent_syncs: unknown[];
    }>(http, 'get_sync_status', { sync_log_entries: 3 });
    const after = await unsentCount(agent.db);
    expect(status.structuredContent.meters).toMatchObject({ configured: 3, ok: 3 });
    expect(status.structuredContent.collection.collecting).toBe(true);
    expect(status.structuredContent.backlog.count).toBeGreaterThanOrEqual(before);
    expect(status.structuredContent.backlog.count).toBeLessThanOrEqual(after);
    expect(status.structuredContent.backlog.count).toBeGreaterThan(0);
    expect(status.structuredContent.recent_syncs.length).toBeLessThanOrEqual(3);
    expect(status.content[0]).toMatchObject({ text: expect.stringMatching(/^Site health: (OK|ATTENTION|PROBLEM)\./) });
  });

  it('when readings are queried, then they are exactly the rows the site database holds, newest first, capped', async () => {
    const http = await httpClient(OPERATOR);
    const meter = sim.meters[0]!.externalId;
    const stored = () =>
      agent
        .db('meter_readings')
        .where({ meter_external_id: meter, data_point: 'total_kwh' })
        .count<{ count: number }[]>('* as count');
    await waitUntil('six readings of one point', async () => Number((await stored())[0]!.count) >= 6, 20_000);
    const to = new Date().toISOString();
    const r = await call<{
      count: number;
      truncated: boolean;
      readings: Array<{ meter: string; point: string; ts: string; value: number; unit: string }>;
    }>(http, 'query_meter_readings', {
      meter,
      point: 'total_kwh',
      to,
      limit: 5,
    });
    const rows = await agent
      .db('meter_readings')
      .where({ meter_external_id: meter, data_point: 'total_kwh' })
      .andWhere('ts', '<', new Date(to))
      .andWhere('ts', '>=', new Date(Date.parse(to) - 3600_000))
      .orderBy('ts', 'desc')
      .limit(5);
    expect(r.structuredContent.count).toBe(5);
    expect(r.structuredContent.truncated).toBe(true);
    expect(r.structuredContent.readings.map((x) => [x.ts, x.value])).toEqual(
      rows.map((x: { ts: Date; value: number }) => [x.ts.toISOString(), x.value]),
    );
    expect(
      r.structuredContent.readings.every((x) => x.meter === meter && x.point === 'total_kwh' && x.unit === 'kWh'),
    ).toBe(true);
  });

  it('when devices are discovered and a point is read live, then the answers are what the simulator is and serves', async () => {
    const http = await httpClient(OPERATOR);
    const d = await call<{
      count: number;
      devices: Array<{
        device_id: number;
        address: string;
        name: string;
        vendor_name: string | null;
        model_name: string | null;
        points: Array<{ name: string; unit: string | null }>;
        configured_as: { meter: string } | null;
      }>;
      configured_not_found: string[];
    }>(http, 'discover_devices', { timeout_ms: 600 });
    expect(d.structuredContent.devices.map((x) => x.device_id)).toEqual([...DEVICES, STRANGER]);
    const stranger = d.structuredContent.devices.find((x) => x.device_id === STRANGER)!;
    expect(stranger).toMatchObject({
      address: `${NET}.14`,
      name: 'Stranger',
      vendor_name: 'Acme',
      model_name: 'EM-9',
      configured_as: null,
    });
    expect(stranger.points.map((p) => [p.name, p.unit])).toEqual([
      ['total_kwh', 'kWh'],
      ['current_kw', 'kW'],
      ['voltage', 'V'],
      ['current', 'A'],
    ]);
    expect(d.structuredContent.devices.find((x) => x.device_id === DEVICES[1])?.configured_as?.meter).toBe(
      sim.meters[1]!.externalId,
    );
    expect(d.structuredContent.configured_not_found).toEqual([]);
    expect(d.content[0]).toMatchObject({ text: expect.stringContaining('not configured on this site') });

    const meter = sim.meters[0]!.externalId;
    const live = await call<{ value: number; values: Array<{ tag_name: string }> }>(http, 'read_point', {
      meter,
      object_type: 'analogInput',
      instance: 2,
    });
    const served = sim.served().filter((s) => s.deviceId === DEVICES[0] && s.instance === 2);
    expect(served.map((s) => s.value)).toContain(live.structuredContent.value);
    expect(live.structuredContent.values[0]?.tag_name).toBe('REAL');
    const units = await call<{ value: number }>(http, 'read_point', {
      meter,
      object_type: 'analogInput',
      instance: 0,
      property: 'units',
    });
    expect(units.structuredContent.value).toBe(19); // kilowatt-hours
    const name = await call<{ value: string }>(http, 'read_point', {
      device_id: STRANGER,
      address: `${NET}.14`,
      object_type: 'device',
      instance: STRANGER,
      property: 'objectName',
    });
    expect(name.structuredContent.value).toBe('Stranger');
    expect(await toolError(http, 'read_point', { meter, object_type: 'analogInput', instance: 77 })).toMatch(
      /failed after \d+ ms: METER_ERROR/,
    );
  });
});

describe('site MCP: tools change the running agent', () => {
  it('when stop_collection is called over stdio, then readings stop arriving; start_collection over HTTP resumes them', async () => {
    const stdio = await stdioClient({ AGENT_MCP_URL: `${agent.localApiUrl}/mcp`, LOCAL_API_TOKEN: OPERATOR });
    const stop = await call<{ changed: boolean; collection: { collecting: boolean; reason: string } }>(
      stdio,
      'stop_collection',
      { reason: 'mcp test' },
    );
    expect(stop.structuredContent).toMatchObject({
      changed: true,
      collection: { collecting: false, reason: 'mcp test' },
    });
    await new Promise((r) => setTimeout(r, 1200)); // polls in flight finish and are stored
    const before = await readingCount();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await readingCount()).toBe(before);
    expect((await call(stdio, 'stop_collection')).structuredContent).toMatchObject({ changed: false });

    const http = await httpClient(OPERATOR);
    const start = await call<{ changed: boolean; collection: { collecting: boolean } }>(http, 'start_collection');
    expect(start.structuredContent).toMatchObject({ changed: true, collection: { collecting: true } });
    await waitUntil('new readings after start_collection', async () => (await readingCount()) > before, 10_000);
  });

  it('when the client API was down and comes back, then trigger_sync empties the backlog into the client system', async () => {
    const http = await httpClient(OPERATOR);
    await client.stop();
    const failed = await call<{ result: { ok: boolean; error_code: string }; backlog: { count: number } }>(
      http,
      'trigger_sync',
    );
    expect(failed.structuredContent.result).toMatchObject({ ok: false, error_code: 'UPLINK_UNREACHABLE' });
    expect(failed.structuredContent.backlog.count).toBeGreaterThan(0);
    expect(failed.content[0]).toMatchObject({ text: expect.stringContaining('nothing is lost') });

    await client.restart();
    await call(http, 'stop_collection', { reason: 'drain test' });
    await new Promise((r) => setTimeout(r, 1200));
    const backlog = await unsentCount(agent.db);
    expect(backlog).toBeGreaterThan(0);
    const done = await call<{ result: { ok: boolean; sent: number }; backlog: { count: number } }>(
      http,
      'trigger_sync',
    );
    expect(done.structuredContent.result.ok).toBe(true);
    expect(done.structuredContent.result.sent).toBeGreaterThanOrEqual(backlog);
    expect(done.structuredContent.backlog.count).toBe(0);
    expect(await unsentCount(agent.db)).toBe(0);
    expect((await centralReadings(client.db, site.site_id)).length).toBe(await readingCount());
    const status = await call<{
      backlog: { count: number };
      uplink: { state: string };
      recent_syncs: Array<{ success: boolean; error_code: string | null }>;
    }>(http, 'get_sync_status', {
      sync_log_entries: 50,
    });
    expect(status.structuredContent).toMatchObject({ backlog: { count: 0 }, uplink: { state: 'up' } });
    expect((status.structuredContent as { local_database?: unknown }).local_database).toMatchObject({
      state: 'up',
      restarts: 0,
      spilled_readings: 0,
      last_error: null,
    });
    expect(status.structuredContent.recent_syncs[0]).toMatchObject({ success: true });
    expect(status.structuredContent.recent_syncs.some((e) => !e.success && e.error_code === 'UPLINK_UNREACHABLE')).toBe(
      true,
    );
    await call(http, 'start_collection');
  });

  it('when the client system refuses a reading, then list_dead_letters shows it and retry_dead_letters puts it back into the queue', async () => {
    const http = await httpClient(OPERATOR);
    await agent.db('meter_readings').insert({
      meter_external_id: 'GHOST-9',
      data_point: 'total_kwh',
      ts: new Date(Date.now() - 60_000),
      value: 9.5,
      unit: 'kWh',
      quality: 'good',
    });
    const sync = await call<{ result: { dead_lettered: number } }>(http, 'trigger_sync');
    expect(sync.structuredContent.result.dead_lettered).toBe(1);
    const list = await call<{
      count: number;
      by_code: Record<string, number>;
      dead_letters: Array<{ id: number; meter: string; code: string }>;
    }>(http, 'list_dead_letters');
    expect(list.structuredContent.count).toBe(1);
    expect(list.structuredContent.by_code).toEqual({ UNKNOWN_METER: 1 });
    const dl = list.structuredContent.dead_letters[0]!;
    expect(dl).toMatchObject({ meter: 'GHOST-9', code: 'UNKNOWN_METER' });
    expect(await toolError(http, 'retry_dead_letters', {})).toMatch(/ids .* or all=true/);
    const retry = await call<{ moved: number; requeued: number; backlog: { count: number } }>(
      http,
      'retry_dead_letters',
      { ids: [dl.id] },
    );
    expect(retry.structuredContent).toMatchObject({ moved: 1, requeued: 1 });
    expect(await agent.db('dead_letters').count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
    expect(
      await agent
        .db('meter_readings')
        .where({ meter_external_id: 'GHOST-9' })
        .whereNull('synced_at')
        .count<{ count: number }[]>('* as count'),
    ).toEqual([{ count: 1 }]);
    // Leave nothing behind for the other tests: it is refused again and stays a dead letter.
    await call(http, 'trigger_sync');
  });
});

describe('site MCP: bad input, credentials and roles', () => {
  it('when arguments are bad, then each call is a tool error that names the problem, and the agent keeps answering', async () => {
    const http = await httpClient(OPERATOR);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['query_meter_readings', { limit: 0 }, /limit/],
      ['query_meter_readings', { limit: 100_000 }, /limit/],
      ['query_meter_readings', { from: 'yesterday' }, /ISO-8601 time with a zone.* at from/],
      [
        'query_meter_readings',
        { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        /from .* must be before to/,
      ],
      ['query_meter_readings', { from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, /at most 31 days/],
      ['read_point', { meter: 'X' }, /object_type/],
      ['read_point', { object_type: 'analogInput', instance: 0 }, /meter .* or device_id/],
      ['read_point', { device_id: 1, address: 'not-an-ip', object_type: 'analogInput', instance: 0 }, /IPv4/],
      ['discover_devices', { timeout_ms: 60_000 }, /timeout_ms/],
      ['discover_devices', { low_limit: 5 }, /both low_limit and high_limit/],
      ['stop_collection', { reason: 'x'.repeat(300) }, /reason/],
      ['retry_dead_letters', { ids: ['x'] }, /ids/],
      ['no_such_tool', {}, /no_such_tool not found/],
    ];
    for (const [tool, args, message] of cases)
      expect(await toolError(http, tool, args), `${tool} ${JSON.stringify(args)}`).toMatch(message);
    expect(
      (await call<{ collection: { collecting: boolean } }>(http, 'get_sync_status')).structuredContent.collection
        .collecting,
    ).toBe(true);
  });

  it('when /mcp is called without a token, with a wrong one, or from a foreign web origin, then it is refused (401, 401, 403)', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${agent.localApiUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(init),
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post({ authorization: `Bearer ${OPERATOR}x` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${OPERATOR}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${OPERATOR}` })).status).toBe(200);
    await expect(httpClient('wrong-token-wrong-token')).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('AUTH_INVALID'),
    });
  });

  it('when a viewer calls a changing tool, then it is a tool error that names the role, and nothing changes; read-only tools work', async () => {
    const viewer = await httpClient(VIEWER);
    for (const tool of CHANGING)
      expect(await toolError(viewer, tool, tool === 'retry_dead_letters' ? { all: true } : {})).toMatch(
        /role "viewer" may not/,
      );
    const status = await call<{ collection: { collecting: boolean } }>(viewer, 'get_sync_status');
    expect(status.structuredContent.collection.collecting).toBe(true);
    const stdioViewer = await stdioClient({
      AGENT_MCP_URL: `${agent.localApiUrl}/mcp`,
      LOCAL_API_VIEWER_TOKEN: VIEWER,
    });
    expect(await toolError(stdioViewer, 'stop_collection', {})).toMatch(/role "viewer" may not/);
    await call(stdioViewer, 'get_meter_status');
  });

  it('when the agent is not running, then the stdio bridge still initializes and lists the tools, and each call says the agent cannot be reached', async () => {
    const port = await freePort();
    const stdio = await stdioClient({ AGENT_MCP_URL: `http://127.0.0.1:${port}/mcp`, LOCAL_API_TOKEN: OPERATOR });
    expect((await stdio.listTools()).tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    expect(await toolError(stdio, 'get_sync_status', {})).toMatch(
      /not running or not reachable at http:\/\/127\.0\.0\.1:\d+\/mcp \(ECONNREFUSED\)/,
    );
    const wrong = await stdioClient({
      AGENT_MCP_URL: `${agent.localApiUrl}/mcp`,
      LOCAL_API_TOKEN: 'wrong-token-wrong-token',
    });
    expect(await toolError(wrong, 'get_sync_status', {})).toMatch(/refused the token \(HTTP 401\)/);
  });
});

describe('site MCP: audit log and metrics', () => {
  it('when tools were called, then the audit log holds each call with who, arguments, outcome and duration, and /metrics counts them', async () => {
    const rows: Array<{
      tool: string;
      role: string;
      principal: string;
      via: string;
      outcome: string;
      success: boolean;
      arguments: Record<string, unknown>;
      duration_ms: number;
      error: string | null;
    }> = await agent.db('mcp_audit').orderBy('id');
    const tools = new Set(rows.map((r) => r.tool));
    for (const t of ALL_TOOLS) expect(tools, t).toContain(t);
    expect(
      rows.find((r) => r.tool === 'stop_collection' && r.via === 'stdio-bridge' && r.outcome === 'ok'),
    ).toMatchObject({ role: 'operator', principal: 'token', arguments: { reason: 'mcp test' } });
    expect(
      rows
        .filter((r) => r.role === 'viewer' && r.outcome === 'forbidden')
        .map((r) => r.tool)
        .sort(),
    ).toEqual([...CHANGING, 'stop_collection'].sort());
    expect(rows.find((r) => r.tool === 'query_meter_readings' && r.outcome === 'invalid')?.error).toMatch(/limit/);
    expect(rows.find((r) => r.tool === 'no_such_tool')).toMatchObject({ success: false });
    expect(rows.every((r) => r.duration_ms >= 0)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(OPERATOR);
    expect(JSON.stringify(rows)).not.toContain(VIEWER);

    const metrics = await (await fetch(`${agent.localApiUrl}/metrics`)).text();
    const okStatus = rows.filter((r) => r.tool === 'get_sync_status' && r.outcome === 'ok').length;
    expect(metrics).toContain(
      `meterit_mcp_tool_calls_total{tool="get_sync_status",outcome="ok",service="sync-agent"} ${okStatus}`,
    );
    expect(metrics).toMatch(
      /meterit_mcp_tool_calls_total\{tool="stop_collection",outcome="forbidden",service="sync-agent"\} 2/,
    );
    expect(metrics).toMatch(/meterit_backlog_readings\{service="sync-agent"\} \d+/);
    expect(metrics).toMatch(/meterit_uplink_up\{service="sync-agent"\} 1/);
    expect(metrics).toContain(`meterit_meter_up{meter="${sim.meters[0]!.externalId}",service="sync-agent"} 1`);
  });
});

const auditCount = async () => Number((await agent.db('mcp_audit').count<{ count: number }[]>('* as count'))[0]!.count);

describe('site MCP: every listed tool, as a released client sees it', () => {
  it('when a client lists the tools and calls every one with valid arguments while a dead letter waits, then every answer fits its declared output schema', async () => {
    await agent.db('meter_readings').insert({
      meter_external_id: 'GHOST-7',
      data_point: 'total_kwh',
      ts: new Date(Date.now() - 30_000),
      value: 7.5,
      unit: 'kWh',
      quality: 'good',
    });
    const c = await httpClient(OPERATOR);
    const meter = sim.meters[0]!.externalId;
    const { problems, tools } = await callEveryListedTool(c, [
      {
        tool: 'trigger_sync',
        check: (s) => expect((s.result as { dead_lettered: number }).dead_lettered).toBeGreaterThanOrEqual(1),
      },
      { tool: 'get_meter_status', check: (s) => expect((s.meters as unknown[]).length).toBe(3) },
      { tool: 'get_meter_status', args: { meter }, check: (s) => expect((s.meters as unknown[]).length).toBe(1) },
      {
        tool: 'get_sync_status',
        args: { sync_log_entries: 5 },
        check: (s) => expect((s.recent_syncs as unknown[]).length).toBeGreaterThan(0),
      },
      { tool: 'query_meter_readings', args: { meter, limit: 20 }, check: (s) => expect(s.count).toBe(20) },
      {
        tool: 'list_dead_letters',
        check: (s) => expect((s.dead_letters as Array<{ meter: string }>).map((d) => d.meter)).toContain('GHOST-7'),
      },
      { tool: 'retry_dead_letters', args: { all: true }, check: (s) => expect(s.moved).toBeGreaterThanOrEqual(1) },
      {
        tool: 'read_point',
        args: { meter, object_type: 'analogInput', instance: 2 },
        check: (s) => expect(typeof s.value).toBe('number'),
      },
      {
        tool: 'discover_devices',
        args: { timeout_ms: 600 },
        check: (s) => expect((s.devices as unknown[]).length).toBe(4),
      },
      {
        tool: 'stop_collection',
        args: { reason: 'every-tool test' },
        check: (s) => expect(s).toMatchObject({ changed: true }),
      },
      { tool: 'start_collection', check: (s) => expect(s).toMatchObject({ changed: true }) },
    ]);
    expect(problems).toEqual([]);
    expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS);
    // The ghost is refused again and stays a dead letter.
    await call(c, 'trigger_sync');
  });

  it('when the tools are listed, then their hints say what each can do: stopping collection and dropping dead-letter records are destructive, BACnet and uplink tools reach the open world', async () => {
    const c = await httpClient(OPERATOR);
    const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
    expect(annotationsOf((await c.listTools()).tools)).toEqual({
      get_meter_status: read,
      get_sync_status: read,
      query_meter_readings: read,
      list_dead_letters: read,
      discover_devices: { ...read, openWorldHint: true },
      read_point: { ...read, openWorldHint: true },
      start_collection: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      stop_collection: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      retry_dead_letters: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      trigger_sync: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    });
  });

  it('when calls are good, bad, forbidden, unknown, malformed or carry NUL characters, then each leaves exactly one audit row', async () => {
    const op = await httpClient(OPERATOR);
    const viewer = await httpClient(VIEWER);
    const cases: Array<[string, Client, string, unknown, string]> = [
      ['a good call with an extra NUL argument', op, 'get_sync_status', { note: 'a\u0000b' }, 'ok'],
      ['a good call with NUL in an extra key', op, 'get_sync_status', { 'k\u0000ey': 1 }, 'ok'],
      ['a good call with an unpaired surrogate', op, 'get_sync_status', { note: 'a\ud800b' }, 'ok'],
      ['NUL in a checked argument', op, 'get_meter_status', { meter: 'x\u0000y' }, 'invalid'],
      ['bad arguments and a NUL', op, 'query_meter_readings', { limit: 0, note: '\u0000' }, 'invalid'],
      ['forbidden, with a NUL', viewer, 'stop_collection', { reason: 'r', note: '\u0000' }, 'forbidden'],
      ['an unknown tool with a NUL argument', op, 'no_such_tool', { x: '\u0000' }, 'error'],
      ['an unknown tool with NUL in its name', op, 'no\u0000tool', {}, 'error'],
      ['a tool error, with a NUL', op, 'get_meter_status', { meter: 'NOPE-1', note: '\u0000' }, 'error'],
    ];
    for (const [what, c, tool, args, outcome] of cases) {
      const before = await auditCount();
      try {
        await c.callTool({ name: tool, arguments: args as Record<string, unknown> });
      } catch {
        // Refused by the client or the server: the audit row is what counts here.
      }
      expect(await auditCount(), what).toBe(before + 1);
      const row: { outcome: string } = await agent.db('mcp_audit').orderBy('id', 'desc').first('outcome');
      expect(row.outcome, what).toBe(outcome);
    }
    const kept: Array<{ arguments: Record<string, unknown> }> = await agent
      .db('mcp_audit')
      .where({ tool: 'get_sync_status' })
      .whereRaw("arguments->>'note' IS NOT NULL")
      .orderBy('id')
      .select('arguments');
    expect(kept.map((r) => r.arguments)).toEqual([{ note: 'a\\u0000b' }, { note: 'a\ufffdb' }]);

    // A tools/call whose arguments are not an object is refused before any tool runs, and still audited.
    const before = await auditCount();
    const raw = await fetch(`${agent.localApiUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${OPERATOR}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'get_sync_status', arguments: ['\u0000'] },
      }),
    });
    expect(((await raw.json()) as { error?: { code: number } }).error?.code).toBe(-32602);
    expect(await auditCount()).toBe(before + 1);
    expect(await agent.db('mcp_audit').orderBy('id', 'desc').first('outcome', 'tool')).toEqual({
      outcome: 'invalid',
      tool: 'get_sync_status',
    });
  });
});
