import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSpec } from '../src/security/endpoint-spec.js';
import { ENDPOINTS, LOCAL_ENDPOINTS, NOT_IN_ENDPOINTS, NOT_IN_LOCAL_ENDPOINTS } from '../src/security/endpoints.js';
import { rawRequest } from '../src/security/http.js';
import { formatMcpReport, runMcpSecurity } from '../src/security/mcp.js';
import type { McpReport } from '../src/security/mcp-types.js';
import { formatSecurityReport, runSecurity, type Finding, type SecurityReport } from '../src/security/run.js';
import { clientMcpTarget, siteMcpTarget } from '../src/security/mcp-targets.js';
import {
  SECURITY_NET,
  startSecurityTarget,
  startSiteTarget,
  type SecurityTarget,
  type SiteTarget,
} from '../src/security/setup.js';
import { alive } from '../src/harness/processes.js';
import { agentLocalApiRoutes, clientApiRoutes, type Route } from '../src/security/routes.js';
import { sprayLogins, startSprayTarget } from '../src/security/spraying.js';

const describeFinding = (f: Finding) => `${f.endpoint} — ${f.case}: ${f.problem} [${f.status}] ${f.body.slice(0, 120)}`;
/** Source addresses in this suite's loopback block: failed-credential rate limits count per address. */
const sources = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${SECURITY_NET}.${from + i}`);

let target: SecurityTarget;
let site: SiteTarget | undefined;
let report: SecurityReport;

afterAll(async () => {
  await site?.close();
  await target?.close();
});

/** Routes served but attacked nowhere, entries that are no route, and exclusions that name no route. */
function coverage(routes: Route[], endpoints: EndpointSpec[], elsewhere: Record<string, string>) {
  const served = routes.map((r) => `${r.method} ${r.path}`);
  // The dashboard's static files are middleware, not a route: their entry attacks the paths around them.
  const listed = endpoints.filter((e) => !e.staticFiles).map((e) => `${e.method} ${e.path}`);
  return {
    unattacked: served.filter((r) => !listed.includes(r) && !(r in elsewhere)),
    notServed: listed.filter((e) => !served.includes(e)),
    staleExclusions: Object.keys(elsewhere).filter((e) => !served.includes(e)),
  };
}

describe('the bad-input suite attacks every route of both APIs', () => {
  it('when the client API serves a route, then ENDPOINTS attacks it (or says where it is attacked instead), and every entry of ENDPOINTS is a route it serves', async () => {
    expect(coverage(await clientApiRoutes(), ENDPOINTS, NOT_IN_ENDPOINTS)).toEqual({
      unattacked: [],
      notServed: [],
      staleExclusions: [],
    });
  });

  it("when the site agent's local API serves a route, then LOCAL_ENDPOINTS attacks it (or says where), and every entry is a route it serves", async () => {
    const routes = await agentLocalApiRoutes();
    expect(routes.length).toBeGreaterThan(10);
    expect(coverage(routes, LOCAL_ENDPOINTS, NOT_IN_LOCAL_ENDPOINTS)).toEqual({
      unattacked: [],
      notServed: [],
      staleExclusions: [],
    });
  });
});

describe('bad input against every endpoint of the client API', () => {
  beforeAll(async () => {
    target = await startSecurityTarget();
    // The client API alone first: with no agent uploading, any row a rejected request adds is visible.
    report = await runSecurity({
      base: target.client.url,
      db: target.client.db,
      ctx: target.ctx,
      creds: target.creds,
      alive: target.alive,
    });
    process.stdout.write(`${formatSecurityReport(report)}\n`);
  }, 300_000);

  it('when hostile requests hit every endpoint, then each of ENDPOINTS was attacked with every case, none with credential cases only', () => {
    const attacked = report.endpoints.filter((e) => e.present && e.note === undefined).map((e) => e.endpoint);
    expect(attacked).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.path}`));
    expect(report.requests).toBeGreaterThan(3000);
  });

  it('then no request got a 5xx or no answer, every rejection has a clear message, nothing was stored partially, no other site data leaked, and the server kept serving', () => {
    expect(report.findings.map(describeFinding)).toEqual([]);
    expect(target.alive()).toBe(true);
  });
});

describe('password spraying against the client API login (its shipped limits: 10 failed logins per address and e-mail, 30 per address)', () => {
  it('when one address tries one password on 40 different e-mails, then from the 31st it gets 429 (even for a right password), and another address still logs in', async () => {
    const spray = await startSprayTarget(target);
    try {
      const r = await sprayLogins(spray.client.url, spray.account, 40);
      expect(r.statuses.slice(0, 30)).toEqual(Array(30).fill(401));
      expect(r.limitedAt).toBe(31);
      expect(r.statuses.slice(30)).toEqual(Array(10).fill(429));
      expect(r.message).toMatch(/too many failed logins from your address/);
      expect(r.sprayerRightPassword).toBe(429);
      expect([r.bystanderWrong, r.bystanderRight]).toEqual([401, 200]);
    } finally {
      await spray.close();
    }
  }, 120_000);
});

describe("bad input against every route of the site agent's local API", () => {
  let local: SecurityReport;
  let bare: SecurityReport;
  let s: SiteTarget;
  beforeAll(async () => {
    s = site = await startSiteTarget(target);
    local = await runSecurity({
      base: s.agent.localApiUrl,
      snapshot: () => s.snapshot(),
      sources: sources(20, 20),
      ctx: s.ctx,
      creds: s.creds,
      endpoints: LOCAL_ENDPOINTS,
      alive: () => alive(s.agent.proc),
      promises: { ownHostOnly: true },
    });
    process.stdout.write(`${formatSecurityReport(local)}\n`);
    // The same control routes on an agent installed without LOCAL_API_TOKEN: switched off, whoever asks.
    const { controlToken: _c, endedSession: _e, ...noToken } = s.creds;
    bare = await runSecurity({
      base: s.bare.localApiUrl,
      sources: sources(40, 10),
      ctx: { ...s.ctx, controlToken: undefined },
      creds: noToken,
      endpoints: LOCAL_ENDPOINTS.filter(
        (e) => e.method === 'POST' && (e.path.startsWith('/api/control') || e.path === '/api/session'),
      ),
      alive: () => alive(s.bare.proc),
    });
    process.stdout.write(`${formatSecurityReport(bare)}\n`);
  }, 300_000);

  it('when hostile requests hit every route (views with their query parameters, login, control actions, static files), then all were attacked', () => {
    const present = local.endpoints.filter((e) => e.present).map((e) => e.endpoint);
    expect(present).toEqual(LOCAL_ENDPOINTS.map((e) => `${e.method} ${e.path}`));
    expect(local.requests).toBeGreaterThan(500);
  });

  it('then no 5xx, every rejection is clear, no file outside the dashboard came back, a refused control action changed nothing, and the agent kept serving', () => {
    expect(local.findings.map(describeFinding)).toEqual([]);
    expect(alive(s.agent.proc)).toBe(true);
  });

  it('when a request names a foreign host (DNS rebinding), then every route of the agent answered 421, with valid credentials or not', () => {
    expect(local.byStatus['421']).toBe(LOCAL_ENDPOINTS.length * 4);
  });

  it('when the agent has no LOCAL_API_TOKEN, then every control action and login is refused with a clear message, with or without a token', async () => {
    expect(bare.findings.map(describeFinding)).toEqual([]);
    expect(Object.keys(bare.byStatus).filter((status) => status.startsWith('2'))).toEqual([]);
    const r = await rawRequest(s.bare.localApiUrl, {
      method: 'POST',
      path: '/api/control/collection/stop',
      headers: { authorization: `Bearer ${s.creds.controlToken}` },
    });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/LOCAL_API_TOKEN is not set/);
  });
});

describe('bad input against every MCP tool of both MCP servers', () => {
  let clientMcp: McpReport;
  let siteMcp: McpReport;
  let s: SiteTarget;
  beforeAll(async () => {
    s = site!;
    clientMcp = await runMcpSecurity(await clientMcpTarget(target), (l) => process.stdout.write(`${l}\n`));
    process.stdout.write(`${formatMcpReport(clientMcp)}\n`);
    siteMcp = await runMcpSecurity(siteMcpTarget(target, s), (l) => process.stdout.write(`${l}\n`));
    process.stdout.write(`${formatMcpReport(siteMcp)}\n`);
  }, 600_000);

  it('when every tool of the client MCP server gets hostile arguments from each kind of user, then each is refused clearly, a site-limited user sees nothing of another site, and nothing changed', () => {
    expect(clientMcp.tools.length).toBeGreaterThanOrEqual(3 * 8);
    expect(clientMcp.findings.map(describeFinding)).toEqual([]);
    expect(alive(target.client.proc)).toBe(true);
  });

  it('when every tool of the site MCP server gets hostile arguments, then each is refused clearly, a refused start/stop/retry changed nothing, and the agent kept serving', () => {
    expect(siteMcp.tools.length).toBeGreaterThanOrEqual(2 * 10);
    expect(siteMcp.findings.map(describeFinding)).toEqual([]);
    expect(alive(s.agent.proc)).toBe(true);
  });

  it('when the agent has no LOCAL_API_TOKEN nor viewer token, then /mcp is refused with a clear message', async () => {
    const r = await rawRequest(s.bare.localApiUrl, {
      method: 'POST',
      path: '/mcp',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.creds.controlToken}` },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/MCP is off on this agent/);
  });
});
