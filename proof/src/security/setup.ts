import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '@meterit/shared/testing';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import {
  alive,
  createSite,
  sleep,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../harness/processes.js';
import type { Ctx, OperatorIds } from './endpoint-spec.js';
import { commissioningReport } from './request-bodies.js';
import type { Creds } from './hostile-case.js';
import type { Snapshot } from './run.js';
import { signJwt } from './hostile-case.js';
import type { McpTarget } from './mcp.js';

export interface SecurityTarget {
  pg: TestPostgres;
  client: ClientSystem;
  ctx: Ctx;
  creds: Creds;
  alive(): boolean;
  close(): Promise<void>;
}

/** A real client API process on its own database, two sites with meters and readings, and an operator login when the build has one. */
export async function startSecurityTarget(): Promise<SecurityTarget> {
  const pg = await startTestPostgres();
  try {
    const url = await createTestDatabase(pg, 'proof_security');
    const jwtSecret = randomBytes(32).toString('hex');
    const login = { email: 'admin@proof.example', password: `Pw-${randomBytes(12).toString('base64url')}` };
    const client = await startClientSystem(url, {
      env: {
        JWT_SECRET: jwtSecret,
        ADMIN_EMAIL: login.email,
        ADMIN_PASSWORD: login.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
        // Hundreds of hostile uploads: the 20 a minute a real installer needs would answer most of them 429 before validation.
        COMMISSIONING_RATE_LIMIT_PER_MINUTE: '1000000',
        // So that the fixture alert fires within a second (operatorFixtures); nothing else fires during the run.
        ALERT_EVAL_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
    });
    const tag = randomBytes(4).toString('hex');
    const a = await createSite(url, `Site A ${tag}`);
    const b = await createSite(url, `Site B ${tag}`);
    const meterIds = (site: string) => [0, 1, 2].map((i) => `${site}-${tag}-meter-${i}`);
    const ctx: Ctx = {
      siteA: { id: a.site_id, key: a.api_key, meterIds: meterIds('secA'), name: a.site_name },
      siteB: { id: b.site_id, key: b.api_key, meterIds: meterIds('secB'), name: b.site_name },
      now: () => new Date().toISOString(),
      login,
    };
    for (const [site, key] of [
      [ctx.siteA, a.api_key],
      [ctx.siteB, b.api_key],
    ] as const) {
      const meters = site.meterIds.map((id, i) => ({
        id,
        name: `Meter ${id}`,
        bacnet_device_id: 100 + i,
        bacnet_ip: '192.168.1.10',
        data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh' }],
      }));
      const headers = { 'x-api-key': key, 'content-type': 'application/json' };
      const reg = await fetch(`${client.url}/api/sync/meters`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ meters }),
      });
      if (!reg.ok) throw new Error(`register meters: ${reg.status} ${await reg.text()}`);
      const readings = site.meterIds.map((id, i) => ({
        meter_external_id: id,
        data_point: 'total_kwh',
        timestamp: new Date(Date.now() - 60_000 * (i + 1)).toISOString(),
        value: 10 + i,
        unit: 'kWh',
        quality: 'good',
      }));
      const batch = await fetch(`${client.url}/api/sync/readings/batch`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ readings }),
      });
      if (!batch.ok) throw new Error(`seed readings: ${batch.status} ${await batch.text()}`);
    }
    let bearer: string | undefined;
    const res = await fetch(`${client.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
    }).catch(() => null);
    if (res?.ok) {
      const body = (await res.json()) as Record<string, unknown>;
      const token = body.access_token ?? body.accessToken ?? body.token;
      if (typeof token === 'string') bearer = token;
    }
    const creds: Creds = {
      siteKey: (w) => (w === 'A' ? a.api_key : b.api_key),
      jwtSecret,
      ...(bearer ? { bearer } : {}),
    };
    if (bearer) {
      const f = await operatorFixtures(client.url, url, ctx, bearer, tag);
      ctx.ops = f.ops;
      ctx.siteA.marks = [f.ops.spareMeter.externalId];
      creds.bearers = f.bearers;
    }
    return {
      pg,
      client,
      ctx,
      creds,
      alive: () => alive(client.proc),
      async close() {
        await client.stop();
        await client.db.destroy();
        await pg.stop();
      },
    };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}

/** The site side: a real simulator, a real agent (control and viewer tokens) and one without LOCAL_API_TOKEN, both on a site of their own. */
export interface SiteTarget {
  sim: Simulator;
  agent: AgentProcess & { localApiUrl: string };
  /** An agent without LOCAL_API_TOKEN: control actions and MCP must be switched off, clearly. */
  bare: AgentProcess & { localApiUrl: string };
  ctx: Ctx;
  creds: Creds;
  viewerToken: string;
  /** What a refused control request must not change: collection state and dead letters. */
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

// Loopback block 127.0.18.x belongs to the bad-input suite.
export const SECURITY_NET = '127.0.18';

export async function startSiteTarget(t: SecurityTarget): Promise<SiteTarget> {
  const cleanup: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({
      meters: [0, 1].map((i) => ({
        deviceId: 18_100 + i,
        name: `Security meter ${i}`,
        address: `${SECURITY_NET}.${11 + i}`,
        port: 47808,
      })),
      listenBroadcast: false,
      seed: 18,
    });
    cleanup.push(() => sim.stop());
    const meters = toMetersJson(sim.meters).meters as MeterConfig[];
    // A site of its own: site A's meters (registered by the client API suite, at made-up addresses) must not be polled.
    const own = await createSite(t.client.databaseUrl, `Site C ${randomBytes(4).toString('hex')}`);
    const controlToken = `ctl-${randomBytes(18).toString('base64url')}`;
    const viewerToken = `view-${randomBytes(18).toString('base64url')}`;
    const start = async (name: string, iface: string, env: Record<string, string>) => {
      const a = await startAgentProcess({
        clientUrl: t.client.url,
        apiKey: own.api_key,
        databaseUrl: await createTestDatabase(t.pg, name),
        meters,
        bacnetInterface: iface,
        localApi: true,
        // Only the first run at start and the sync actions send: dead letters and the backlog change only when asked.
        env: { MAX_RETRIES: '0', SYNC_INTERVAL_MINUTES: '30', ...env },
      });
      cleanup.push(async () => {
        await a.stop();
        await a.db.destroy();
      });
      return a as AgentProcess & { localApiUrl: string };
    };
    const agent = await start('proof_security_site', `${SECURITY_NET}.1`, {
      LOCAL_API_TOKEN: controlToken,
      LOCAL_API_VIEWER_TOKEN: viewerToken,
    });
    const bare = await start('proof_security_site_bare', `${SECURITY_NET}.2`, {});
    // A reading the client system refuses (unknown meter) becomes a dead letter: something for the retry action.
    await agent.db('meter_readings').insert({
      meter_external_id: 'GHOST-18',
      data_point: 'total_kwh',
      ts: new Date(Date.now() - 60_000),
      value: 1.5,
      unit: 'kWh',
      quality: 'good',
    });
    const sync = await fetch(`${agent.localApiUrl}/api/control/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${controlToken}` },
    });
    if (!sync.ok) throw new Error(`sync now: ${sync.status} ${await sync.text()}`);
    await waitUntil(
      'a dead letter on the agent',
      async () => Number((await agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0) > 0,
      30_000,
    );
    const deadLetterIds = (await agent.db('dead_letters').pluck('id')).map(Number);
    await waitUntil(
      'readings in the site queue',
      async () => Number((await agent.db('meter_readings').count<{ n: number }[]>('* as n'))[0]?.n ?? 0) > 4,
      30_000,
    );
    // A dashboard session, logged out: it must no longer open anything.
    const login = await fetch(`${agent.localApiUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: controlToken }),
    });
    const { session_token: endedSession } = (await login.json()) as { session_token: string };
    await fetch(`${agent.localApiUrl}/api/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${endedSession}` },
    });
    const ctx: Ctx = {
      ...t.ctx,
      siteA: { id: own.site_id, key: own.api_key, meterIds: sim.meters.map((m) => m.externalId) },
      controlToken,
      deadLetterIds,
    };
    const creds: Creds = {
      ...t.creds,
      siteKey: (w) => (w === 'A' ? own.api_key : t.creds.siteKey('B')),
      controlToken,
      endedSession,
    };
    return {
      sim,
      agent,
      bare,
      ctx,
      creds,
      viewerToken,
      async snapshot() {
        const status = (await (await fetch(`${agent.localApiUrl}/api/status`)).json()) as {
          collection: { collecting: boolean; changed_at: string | null; reason: string | null };
        };
        const dead = Number((await agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
        const c = status.collection;
        return new Map<string, number | string>([
          ['collection', `${c.collecting} ${c.changed_at} ${c.reason}`],
          ['dead letters', dead],
        ]);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One JSON request to the client API, with an access token or a site key; anything but a 2xx throws with the answer. */
async function call(
  base: string,
  method: string,
  p: string,
  opts: { token?: string; key?: string; body?: unknown } = {},
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  const r = await fetch(`${base}${p}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

const logIn = async (base: string, email: string, password: string) =>
  (await call(base, 'POST', '/api/auth/login', { body: { email, password } })) as {
    access_token: string;
    refresh_token: string;
  };

/** A user the admin creates, logged in once. */
async function newUser(
  base: string,
  admin: string,
  email: string,
  role: string,
  siteIds: number[] | null,
): Promise<{ id: number; email: string; password: string; access: string }> {
  const password = `${role}-${randomBytes(9).toString('base64url')}`;
  const created = (await call(base, 'POST', '/api/users', {
    token: admin,
    body: { email, role, password, site_ids: siteIds },
  })) as { user: { id: number } };
  return { id: created.user.id, email, password, access: (await logIn(base, email, password)).access_token };
}

/**
 * What the operator routes of ENDPOINTS need beyond sites A and B: site A's meters by database id, users
 * of each role (and one limited to site B), and disposable targets for the routes that edit, rotate,
 * revoke or end something (a spare meter, site, user, MCP token, rule, refresh tokens), so that every
 * other case keeps working credentials and data. Also an alert and a commissioning report of site A.
 */
async function operatorFixtures(
  base: string,
  databaseUrl: string,
  ctx: Ctx,
  admin: string,
  tag: string,
): Promise<{ ops: OperatorIds; bearers: NonNullable<Creds['bearers']> }> {
  const api = (method: string, p: string, body?: unknown) => call(base, method, p, { token: admin, body });
  const meters = (await api('GET', `/api/meters?site_id=${ctx.siteA.id}`)).meters as Array<{
    id: number;
    external_id: string;
  }>;
  const meterDbIdsA = ctx.siteA.meterIds.map((ext) => {
    const m = meters.find((x) => x.external_id === ext);
    if (!m) throw new Error(`site A's meter ${ext} is not in GET /api/meters`);
    return m.id;
  });
  const spareExternalId = `secA-${tag}-spare-meter`;
  const spare = (await api('POST', `/api/sites/${ctx.siteA.id}/meters`, {
    external_id: spareExternalId,
    name: `Meter ${spareExternalId}`,
    bacnet_device_id: 109,
    bacnet_ip: '192.168.1.10',
    data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh' }],
  })) as { meter: { id: number } };
  const spareSite = await createSite(databaseUrl, `Spare site ${tag}`);
  const edited = (await api('POST', '/api/users', {
    email: 'sec-edited@proof.example',
    role: 'operator',
    site_ids: [ctx.siteA.id],
  })) as { user: { id: number } };
  const viewer = await newUser(base, admin, 'sec-viewer@proof.example', 'viewer', null);
  const operator = await newUser(base, admin, 'sec-operator@proof.example', 'operator', null);
  const limitedToB = await newUser(base, admin, 'sec-limited-b@proof.example', 'operator', [ctx.siteB.id]);
  const throwaway = await newUser(base, admin, 'sec-throwaway@proof.example', 'viewer', null);
  const mcpToken = (await api('POST', '/api/auth/tokens', {
    name: 'revoked by the bad-input suite',
    expires_in_days: 1,
  })) as { id: number };
  const report = (await call(base, 'POST', '/api/sync/commissioning', {
    key: ctx.siteA.key,
    body: commissioningReport(ctx),
  })) as { report_id: number };

  // The built-in rules watch heartbeats, silence and error rates, all of which hostile requests stir up: they
  // would fire at any moment and add rows while a rejected request is being checked. Off for this run.
  const rules = (await api('GET', '/api/alert-rules')).rules as Array<{
    id: number;
    builtin: boolean;
    enabled: boolean;
  }>;
  for (const r of rules.filter((x) => x.builtin && x.enabled))
    await api('PATCH', `/api/alert-rules/${r.id}`, { enabled: false });
  // One alert of site A: a rule that fires at once on its first meter, disabled once it has (its alert stays open, unchanged).
  const fires = (await api('POST', '/api/alert-rules', {
    kind: 'threshold',
    name: `Any energy on ${ctx.siteA.meterIds[0]}`,
    meter_id: meterDbIdsA[0],
    data_point: 'total_kwh',
    condition: 'above',
    threshold: 0,
  })) as { rule: { id: number } };
  const alertId = await waitUntil(
    'the fixture alert to fire and its notification to be written',
    async () => {
      const [a] = (await api('GET', `/api/alerts?state=firing&rule_id=${fires.rule.id}`)).alerts as Array<{
        id: number;
      }>;
      if (!a) return undefined;
      const events = (await api('GET', `/api/alerts/${a.id}`)).events as Array<{ type: string }>;
      return events.some((e) => e.type === 'notified' || e.type === 'notification-suppressed') ? a.id : undefined;
    },
    30_000,
  );
  await api('PATCH', `/api/alert-rules/${fires.rule.id}`, { enabled: false });
  // An evaluation that read the rules before the edit may still be writing.
  await sleep(1500);
  const rule = (await api('POST', '/api/alert-rules', {
    kind: 'threshold',
    name: 'Edited by the bad-input suite',
    enabled: false,
    meter_id: meterDbIdsA[0],
    data_point: 'total_kwh',
    condition: 'above',
    threshold: 1e12,
  })) as { rule: { id: number } };
  const deletable = (await api('POST', '/api/alert-rules', {
    kind: 'threshold',
    name: 'Deleted by the bad-input suite',
    enabled: false,
    meter_id: meterDbIdsA[0],
    data_point: 'total_kwh',
    condition: 'above',
    threshold: 1e12,
  })) as { rule: { id: number } };
  // E-mails about site A in the outbox, sent through the MCP tool (the only way to send one): one by the admin (it
  // concerns every site) and one by an operator of site A. An operator limited to site B must see neither.
  const operatorA = await newUser(base, admin, 'sec-operator-a@proof.example', 'operator', [ctx.siteA.id]);
  for (const [jwt, who] of [
    [admin, 'the admin'],
    [operatorA.access, 'an operator of site A'],
  ] as const) {
    await sendEmailByMcp(base, jwt, {
      to: ['site-a-team@proof.example'],
      subject: `Report of ${ctx.siteA.name} by ${who}`,
      body: `${ctx.siteA.name}: meters ${ctx.siteA.meterIds.join(', ')}`,
    });
  }

  return {
    ops: {
      meterDbIdsA,
      spareMeter: { id: spare.meter.id, externalId: spareExternalId },
      // mk_<16 hex prefix>_<secret>
      spareSite: { id: spareSite.site_id, keyPrefix: spareSite.api_key.split('_')[1]! },
      userId: edited.user.id,
      alertId,
      ruleId: rule.rule.id,
      allSiteRuleId: rules.find((x) => x.builtin)!.id,
      deletableRuleId: deletable.rule.id,
      reportId: report.report_id,
      mcpTokenId: mcpToken.id,
      refreshToken: (await logIn(base, throwaway.email, throwaway.password)).refresh_token,
      logoutToken: (await logIn(base, throwaway.email, throwaway.password)).refresh_token,
      throwawayPassword: throwaway.password,
    },
    bearers: {
      viewer: viewer.access,
      operator: operator.access,
      limitedToB: limitedToB.access,
      throwaway: throwaway.access,
    },
  };
}

/** An e-mail through the client MCP server's send_alert_email, as `jwt`'s user (an MCP token of theirs, tools listed first). */
async function sendEmailByMcp(
  base: string,
  jwt: string,
  mail: { to: string[]; subject: string; body: string },
): Promise<void> {
  const token = (await call(base, 'POST', '/api/auth/tokens', {
    token: jwt,
    body: { name: 'fixture e-mail', expires_in_days: 1 },
  })) as { token: string };
  const c = new Client({ name: 'meterit-bad-input-fixtures', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token.token}` } },
    }),
  );
  try {
    await c.listTools();
    const r = (await c.callTool({ name: 'send_alert_email', arguments: mail })) as CallToolResult;
    if (r.isError) throw new Error(`send_alert_email: ${JSON.stringify(r.content)}`);
  } finally {
    await c.close();
  }
}

/** Users and MCP tokens on the client API for the client MCP server: an admin, a viewer, an operator limited to site A, and a revoked token. */
export async function clientMcpCallers(
  t: SecurityTarget,
): Promise<{ admin: string; viewer: string; limited: string; revoked: string }> {
  const base = t.client.url;
  const admin = t.creds.bearer;
  if (!admin) throw new Error('the client API has no operator login');
  const tokenOf = async (jwt: string, name: string) =>
    (await call(base, 'POST', '/api/auth/tokens', { token: jwt, body: { name, expires_in_days: 1 } })) as {
      id: number;
      token: string;
    };
  const user = async (email: string, role: string, siteIds: number[] | null) =>
    (await tokenOf((await newUser(base, admin, email, role, siteIds)).access, `${role} assistant`)).token;
  const revokedToken = await tokenOf(admin, 'revoked');
  await call(base, 'DELETE', `/api/auth/tokens/${revokedToken.id}`, { token: admin });
  return {
    admin: (await tokenOf(admin, 'admin assistant')).token,
    viewer: await user('viewer@proof.example', 'viewer', null),
    limited: await user('limited@proof.example', 'operator', [t.ctx.siteA.id]),
    revoked: revokedToken.token,
  };
}

/** The client MCP server (the API's /mcp) as the bad-input suite attacks it: an admin, a viewer and an operator limited to site A. */
export async function clientMcpTarget(t: SecurityTarget): Promise<McpTarget> {
  const ctx = t.ctx;
  const tokens = await clientMcpCallers(t);
  const siteBName = (await t.client.db('sites').where({ id: ctx.siteB.id }).first<{ name: string }>('name'))!.name;
  const now = Math.floor(Date.now() / 1000);
  const alertRules = async () => {
    const r = (await t.client.db.raw(
      `SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r.id), '')) AS h FROM alert_rules r`,
    )) as { rows: Array<{ h: string }> };
    return String(r.rows[0]?.h);
  };
  const countOf = async (table: string) =>
    Number((await t.client.db(table).count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
  return {
    name: 'client MCP',
    base: t.client.url,
    source: `${SECURITY_NET}.60`,
    callers: [
      { name: 'admin', token: tokens.admin },
      { name: 'viewer', token: tokens.viewer, rolesOnly: true },
      { name: 'operator limited to site A', token: tokens.limited, mustNotSee: [...ctx.siteB.meterIds, siteBName] },
    ],
    samples: {
      site_id: ctx.siteA.id,
      site_ids: [ctx.siteA.id],
      meter_id: ctx.siteA.meterIds[0],
      meter_ids: [ctx.siteA.meterIds[0]],
      data_point: 'total_kwh',
    },
    foreign: {
      site_id: ctx.siteB.id,
      site_ids: [ctx.siteB.id],
      meter_id: ctx.siteB.meterIds[0],
      meter_ids: [ctx.siteB.meterIds[0]],
      site_name: siteBName,
    },
    snapshot: async () =>
      new Map<string, number | string>([
        ['alert_rules', await alertRules()],
        ['notifications', await countOf('notifications')],
        ['mcp_tokens', await countOf('mcp_tokens')],
        ['users', await countOf('users')],
      ]),
    auditRows: () => countOf('mcp_audit'),
    // Arguments that get configure_alert_rules as far as the database, with one id that names nothing or one text holding NUL.
    extraCases: {
      configure_alert_rules: [
        {
          name: 'site_id: no such site',
          args: { kind: 'no_data', name: 'bad-input unknown site', scope: 'site', site_id: 999_999, threshold: 5 },
          expect: 'reject',
        },
        {
          name: 'site_id: no such site, scope implied',
          args: { kind: 'no_data', name: 'bad-input unknown site', site_id: 999_999, threshold: 5 },
          expect: 'reject',
        },
        {
          name: 'meter_id: no such meter',
          args: {
            kind: 'threshold',
            name: 'bad-input unknown meter',
            scope: 'meter',
            meter_id: 999_999,
            data_point: 'current_kw',
            condition: 'above',
            threshold: 1,
          },
          expect: 'reject',
        },
        { name: 'id: no such rule', args: { id: 999_999, enabled: false }, expect: 'reject' },
        {
          name: 'name: NUL on a rule that would be stored',
          args: { kind: 'no_data', name: 'nul\u0000inside', scope: 'site', site_id: ctx.siteA.id, threshold: 5 },
          expect: 'reject',
        },
        {
          name: 'data_point: NUL on a rule that would be stored',
          args: {
            kind: 'threshold',
            name: 'bad-input NUL point',
            scope: 'site',
            site_id: ctx.siteA.id,
            data_point: 'nul\u0000inside',
            condition: 'above',
            threshold: 1,
          },
          expect: 'reject',
        },
      ],
    },
    badTokens: [
      ['no token', ''],
      ['Bearer without token', 'Bearer '],
      ['forged MCP token', `Bearer mcp_${'A'.repeat(43)}`],
      ['revoked MCP token', `Bearer ${tokens.revoked}`],
      [
        'MCP token with one character changed',
        `Bearer ${tokens.admin.slice(0, -1)}${tokens.admin.endsWith('A') ? 'B' : 'A'}`,
      ],
      [
        'expired access token (right secret)',
        `Bearer ${signJwt({ sub: 1, role: 'admin', iat: now - 7200, exp: now - 3600 }, t.creds.jwtSecret)}`,
      ],
      [
        'access token signed with another secret',
        `Bearer ${signJwt({ sub: 1, role: 'admin', exp: now + 3600 }, 'another-secret-entirely-0123456789')}`,
      ],
      [
        'alg none',
        `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 1, role: 'admin', exp: now + 3600 })).toString('base64url')}.`,
      ],
      ["a site's API key", `Bearer ${ctx.siteA.key}`],
      ['Basic auth', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ],
  };
}

/** The site MCP server (the agent's /mcp): the operator (control token) and the viewer token. */
export function siteMcpTarget(t: SecurityTarget, s: SiteTarget): McpTarget {
  const ctx = t.ctx;
  const token = s.creds.controlToken!;
  // The client API's sites A and B are other sites to this agent.
  const others = [...ctx.siteA.meterIds, ...ctx.siteB.meterIds];
  return {
    name: 'site MCP',
    base: s.agent.localApiUrl,
    source: `${SECURITY_NET}.61`,
    callers: [
      { name: 'operator', token, mustNotSee: others },
      { name: 'viewer', token: s.viewerToken, mustNotSee: others, rolesOnly: true },
    ],
    // A short discovery sent to this suite's own meters only (never a broadcast to other suites' simulators).
    samples: {
      meter: s.ctx.siteA.meterIds[0],
      ids: s.ctx.deadLetterIds,
      timeout_ms: 200,
      addresses: [`${SECURITY_NET}.11`],
    },
    foreign: { meter: ctx.siteB.meterIds[0] },
    snapshot: () => s.snapshot(),
    auditRows: async () => Number((await s.agent.db('mcp_audit').count<{ n: number }[]>('* as n'))[0]?.n ?? 0),
    badTokens: [
      ['no token', ''],
      ['Bearer without token', 'Bearer '],
      ['forged token', `Bearer ${'f'.repeat(40)}`],
      ['control token with one character changed', `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
      ['a logged-out dashboard session', `Bearer ${s.creds.endedSession}`],
      ["the site's API key", `Bearer ${s.ctx.siteA.key}`],
      ['viewer token with a suffix', `Bearer ${s.viewerToken}x`],
      ['control token as Basic auth', `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`],
    ],
  };
}
