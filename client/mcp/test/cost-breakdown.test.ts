import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase } from '@meterit/shared/testing';
import { createLogger } from '@meterit/shared/node';
import type { SyncReading } from '@meterit/shared';
import { SitesService, startClientApi, type RunningClientApi } from '../../api/dist/index.js';

// get_cost_breakdown through the SDK's own client (tools listed first, so the client checks every answer against the
// tool's outputSchema), against the real client API and its database. Site "Mill" (UTC) sends a kWh counter through
// the sync API for Monday 2 June 2025: 1 kWh every quarter hour, 3 kWh in 12:00–12:15 (12 kW, the peak). Its tariff:
// 0.25 per kWh all day, 10 per kW, a day fee of 1. The day: 98 kWh × 0.25 = 24.50; 12 kW × 10 = 120; 1 day fee;
// total 145.50.
const ADMIN = { email: 'admin@mcp-costs.test', password: 'mcp-costs-admin-password-1' };
const DAY = '2025-06-02';
const FROM = `${DAY}T00:00:00.000Z`;
const TO = '2025-06-03T00:00:00.000Z';
const Q = 900_000;
let api: RunningClientApi;
let mill: { site_id: number; api_key: string };
let other: { site_id: number; api_key: string };
let meterId: number;
const jwt = { admin: '' };
const open: Client[] = [];

type Json = Record<string, unknown>;
async function http(
  method: string,
  p: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}
async function ok(method: string, p: string, token: string | null, body?: unknown, key?: string): Promise<Json> {
  const res = key
    ? await fetch(`${api.url}${p}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }))
    : await http(method, p, token, body);
  expect(res.status, `${method} ${p}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
  return res.json;
}
async function login(email: string, password: string): Promise<string> {
  return (await ok('POST', '/api/auth/login', null, { email, password })).access_token as string;
}
/** An MCP token of a new user of `role` limited to `siteIds` (null: every site). */
async function mcpTokenOf(email: string, role: string, siteIds: number[] | null): Promise<string> {
  const password = `pw-${email}-123456`;
  await ok('POST', '/api/users', jwt.admin, { email, role, password, site_ids: siteIds });
  const token = await ok('POST', '/api/auth/tokens', await login(email, password), {
    name: 'assistant',
    expires_in_days: 1,
  });
  return token.token as string;
}

/** An SDK client that has listed the tools, as a real assistant does before calling one. */
async function client(token: string): Promise<Client> {
  const c = new Client({ name: 'cost-breakdown-test', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  open.push(c);
  const tools = (await c.listTools()).tools;
  const tool = tools.find((t) => t.name === 'get_cost_breakdown');
  expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  expect(tool?.outputSchema).toBeDefined();
  return c;
}

function readings(): SyncReading[] {
  const out: SyncReading[] = [];
  let counter = 500;
  for (let t = Date.parse(FROM) - Q; t <= Date.parse(TO) + Q; t += Q) {
    out.push({
      meter_external_id: 'mill-main',
      data_point: 'total_kwh',
      timestamp: new Date(t).toISOString(),
      value: counter,
      unit: 'kWh',
      quality: 'good',
    });
    counter += t === Date.parse(`${DAY}T12:00:00Z`) ? 3 : 1;
  }
  return out;
}

beforeAll(async () => {
  const url = await createTestDatabase(inject('pg'), 'client_mcp_costs');
  api = await startClientApi(
    { port: 0, host: '127.0.0.1', database: { kind: 'url', url } },
    {
      env: { NODE_ENV: 'test', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
      logger: createLogger({ service: 'client-mcp-costs-test', silent: true }),
    },
  );
  mill = await new SitesService(api.db.knex).createSiteWithKey('Mill');
  other = await new SitesService(api.db.knex).createSiteWithKey('Other mill');
  jwt.admin = await login(ADMIN.email, ADMIN.password);
  const dataPoints = [{ object_type: 'analogInput', instance: 0, name: 'total_kwh', unit: 'kWh' }];
  await ok(
    'POST',
    '/api/sync/meters',
    null,
    {
      meters: [
        { id: 'mill-main', name: 'Mill main', bacnet_device_id: 7, bacnet_ip: '10.0.0.7', data_points: dataPoints },
      ],
    },
    mill.api_key,
  );
  await ok('POST', '/api/sync/readings/batch', null, { readings: readings() }, mill.api_key);
  meterId = ((await ok('GET', `/api/meters?site_id=${mill.site_id}`, jwt.admin)).meters as Array<{ id: number }>)[0]!
    .id;
  const flat = {
    name: 'flat',
    price_per_kwh: 0.25,
    hours: [{ day_kinds: ['weekday', 'weekend', 'holiday'], from_hour: 0, to_hour: 24 }],
  };
  const tariff = await ok('POST', '/api/tariffs', jwt.admin, {
    name: 'Mill flat',
    currency: 'EUR',
    versions: [{ valid_from: '2025-01-01', bands: [flat], demand_price_per_kw: 10, day_fee: 1 }],
  });
  await ok('POST', `/api/sites/${mill.site_id}/tariffs`, jwt.admin, {
    tariff_id: (tariff.tariff as { id: number }).id,
    valid_from: '2025-01-01',
  });
}, 120_000);
afterAll(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await api?.close(1000);
});

describe('when an assistant asks what a site cost', () => {
  it('then get_cost_breakdown answers the hand-computed day, the same figures as GET /api/costs, with a summary to quote', async () => {
    const c = await client(await mcpTokenOf('viewer@mcp-costs.test', 'viewer', null));
    const r = (await c.callTool({
      name: 'get_cost_breakdown',
      arguments: { site_id: mill.site_id, from: FROM, to: TO },
    })) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const s = r.structuredContent as { periods: Array<{ tariffs: Array<Json> }>; total: Json };
    expect(s.total).toMatchObject({
      import_kwh: 98,
      energy_cost: 24.5,
      demand_charge: 120,
      fixed_fees: 1,
      total: 145.5,
    });
    expect(s.periods[0]!.tariffs[0]!.demand).toMatchObject({ kw: 12, at: `${DAY}T12:00:00.000Z` });
    expect(s).toEqual(await ok('GET', `/api/costs?site_id=${mill.site_id}&from=${FROM}&to=${TO}`, jwt.admin));
    const text = r.content[0]?.type === 'text' ? r.content[0].text : '';
    expect(text).toContain(
      'Costs of Mill from 2025-06-02T00:00:00.000Z to 2025-06-03T00:00:00.000Z (UTC): 145.50 EUR for 98 kWh.',
    );
    expect(text).toContain(
      'Mill flat: energy 24.50 EUR (flat 98 kWh × 0.25); demand 12 kW × 10 at 2025-06-02T12:00:00.000Z; fees 1.00 EUR',
    );

    const meter = (await c.callTool({
      name: 'get_cost_breakdown',
      arguments: { site_id: mill.site_id, meter_id: meterId, from: FROM, to: TO },
    })) as CallToolResult;
    expect((meter.structuredContent as { total: Json }).total).toMatchObject({ fixed_fees: 0, total: 144.5 });
  });

  it('then an operator limited to another site hears that the site does not exist, and nothing of it', async () => {
    const c = await client(await mcpTokenOf('other@mcp-costs.test', 'operator', [other.site_id]));
    for (const args of [{ site_id: mill.site_id }, { site_id: other.site_id, meter_id: meterId }]) {
      const r = (await c.callTool({ name: 'get_cost_breakdown', arguments: args })) as CallToolResult;
      expect(r.isError).toBe(true);
      const text = r.content[0]?.type === 'text' ? r.content[0].text : '';
      expect(text).toMatch(/get_cost_breakdown failed: no (site|meter) with id \d+/);
      expect(text).not.toMatch(/Mill main|145/);
    }
  });
});
