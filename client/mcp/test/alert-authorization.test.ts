import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase } from '@meterit/shared/testing';
import { createLogger } from '@meterit/shared/node';
import { SitesService, startClientApi, type RunningClientApi } from '../../api/dist/index.js';

// configure_alert_rules and send_alert_email through the SDK's own client (tools listed first, so the client checks
// results against their schemas), against the real client API and its database: an operator limited to one site must
// not silence an all-site rule, and the e-mails they send are seen only by users of their sites.
const ADMIN = { email: 'admin@mcp-authz.test', password: 'mcp-authz-admin-password-1' };
let api: RunningClientApi;
let siteA: number;
let siteB: number;
const open: Client[] = [];
const jwt = { admin: '', limitedA: '', limitedB: '' };
const mcp = { limitedA: '', limitedB: '' };

type Json = Record<string, unknown>;
async function http(method: string, p: string, token: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

async function login(email: string, password: string): Promise<string> {
  const res = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function user(email: string, siteIds: number[]): Promise<{ jwt: string; mcp: string }> {
  const password = `pw-${email}-123456`;
  expect(
    (await http('POST', '/api/users', jwt.admin, { email, role: 'operator', password, site_ids: siteIds })).status,
  ).toBe(201);
  const access = await login(email, password);
  const token = await http('POST', '/api/auth/tokens', access, { name: 'assistant', expires_in_days: 1 });
  expect(token.status).toBe(201);
  return { jwt: access, mcp: token.json.token as string };
}

/** An SDK client that has listed the tools, as a real assistant does before calling one. */
async function client(token: string): Promise<Client> {
  const c = new Client({ name: 'alert-authorization-test', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  open.push(c);
  const tools = (await c.listTools()).tools.map((t) => t.name);
  expect(tools).toEqual(expect.arrayContaining(['configure_alert_rules', 'send_alert_email']));
  return c;
}

async function toolError(c: Client, name: string, args: Json): Promise<string> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError, `${name} ${JSON.stringify(args)} should be refused: ${JSON.stringify(r.content)}`).toBe(true);
  const first = r.content[0];
  return first?.type === 'text' ? first.text : '';
}

beforeAll(async () => {
  const url = await createTestDatabase(inject('pg'), 'client_mcp_alert_authz');
  api = await startClientApi(
    { port: 0, host: '127.0.0.1', database: { kind: 'url', url } },
    {
      env: { NODE_ENV: 'test', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
      logger: createLogger({ service: 'client-mcp-authz-test', silent: true }),
    },
  );
  siteA = (await new SitesService(api.db.knex).createSiteWithKey('Plant A')).site_id;
  siteB = (await new SitesService(api.db.knex).createSiteWithKey('Plant B')).site_id;
  jwt.admin = await login(ADMIN.email, ADMIN.password);
  const a = await user('operator-a@mcp-authz.test', [siteA]);
  const b = await user('operator-b@mcp-authz.test', [siteB]);
  [jwt.limitedA, mcp.limitedA, jwt.limitedB, mcp.limitedB] = [a.jwt, a.mcp, b.jwt, b.mcp];
});
afterAll(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await api?.close(1000);
});

describe('when an operator limited to site B asks an assistant to change an all-site alert rule', () => {
  it('then configure_alert_rules refuses to disable it, raise its threshold or create another all-site rule, says why, and nothing changed', async () => {
    const c = await client(mcp.limitedB);
    const rules = (await http('GET', '/api/alert-rules', jwt.admin)).json.rules as Array<{
      id: number;
      kind: string;
      scope: string;
    }>;
    const builtin = rules.find((r) => r.kind === 'meter_unreachable')!;
    expect(builtin.scope).toBe('all');
    const before = await api.db.knex('alert_rules').orderBy('id').select();

    for (const args of [
      { id: builtin.id, enabled: false },
      { id: builtin.id, threshold: 100_000 },
    ]) {
      const text = await toolError(c, 'configure_alert_rules', args);
      expect(text).toMatch(
        /covers every site, and you see only some \(site \d+\); only a user who sees every site may change it/,
      );
    }
    const created = await toolError(c, 'configure_alert_rules', {
      kind: 'no_data',
      name: 'Every meter silent 1 min',
      scope: 'all',
      threshold: 1,
    });
    expect(created).toMatch(/name a site or a meter/);
    expect(await api.db.knex('alert_rules').orderBy('id').select()).toEqual(before);
  });
});

describe('when an operator limited to site A sends an e-mail through the assistant', () => {
  it("then it is in the outbox of site A's users and of users of every site, not of site B's", async () => {
    const c = await client(mcp.limitedA);
    const r = (await c.callTool({
      name: 'send_alert_email',
      arguments: { to: ['a-team@example.test'], subject: 'Plant A weekly report', body: 'Plant A used 12 MWh.' },
    })) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const subjects = async (token: string) =>
      ((await http('GET', '/api/notifications', token)).json.notifications as Array<{ subject: string }>).map(
        (n) => n.subject,
      );
    expect(await subjects(jwt.limitedA)).toContain('[MeterIT] Plant A weekly report');
    expect(await subjects(jwt.admin)).toContain('[MeterIT] Plant A weekly report');
    expect(await subjects(jwt.limitedB)).not.toContain('[MeterIT] Plant A weekly report');
  });
});
