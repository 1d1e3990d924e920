// The two MCP servers as the bad-input suite attacks them: who calls, with what samples, and which tokens must fail.
import { call, newUser } from './api-calls.js';
import { signJwt } from './hostile-case.js';
import type { McpTarget } from './mcp-types.js';
import { SECURITY_NET, type SecurityTarget, type SiteTarget } from './setup.js';

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
