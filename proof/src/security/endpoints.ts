/**
 * Every endpoint the bad-input suite attacks. A new endpoint is one entry in sync-endpoints.ts,
 * its area's file in operator-endpoints/ or LOCAL_ENDPOINTS here: the suite finds out whether it exists in the running
 * build (an endpoint answering 404 "no route" is reported as not present and skipped), then sends it
 * every hostile variant of its valid request.
 */
import { hoursAgo, type EndpointSpec } from './endpoint-spec.js';
import { OPERATOR_ENDPOINTS } from './operator-endpoints.js';
import { SYNC_ENDPOINTS } from './sync-endpoints.js';

/** Every endpoint of the client API, in the order the suite attacks them. */
export const ENDPOINTS: EndpointSpec[] = [...SYNC_ENDPOINTS, ...OPERATOR_ENDPOINTS];

/**
 * Routes of the client API that are not in ENDPOINTS, each with where it is attacked instead. The coverage
 * check in test/security.test.ts fails for any other route missing from ENDPOINTS.
 */
export const NOT_IN_ENDPOINTS: Record<string, string> = {
  // JSON-RPC over Streamable HTTP: every tool is attacked with hostile arguments by each kind of caller, and /mcp itself with raw requests.
  'ALL /mcp': 'mcp.ts (runMcpSecurity with clientMcpTarget)',
};

/**
 * Every route of the site agent's local API (sync/agent/src/local-api): health, the read-only views
 * with their query parameters, the dashboard login, the control actions (LOCAL_API_TOKEN) and the
 * dashboard's static files. site A is the agent's own site.
 */
export const LOCAL_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/health', auth: 'none' },
  { method: 'GET', path: '/ready', auth: 'none' },
  { method: 'GET', path: '/metrics', auth: 'none' },
  { method: 'GET', path: '/api/status', auth: 'none', returnsData: true },
  { method: 'GET', path: '/api/meters', auth: 'none', returnsData: true },
  {
    method: 'GET',
    path: '/api/readings',
    auth: 'none',
    query: (ctx) =>
      `meter=${encodeURIComponent(ctx.siteA.meterIds[0]!)}&point=total_kwh&from=${hoursAgo(1)}&to=${encodeURIComponent(ctx.now())}&limit=10`,
    freeQuery: ['meter', 'point'],
    returnsData: true,
  },
  {
    method: 'GET',
    path: '/api/readings/series',
    auth: 'none',
    query: (ctx) =>
      `meter=${encodeURIComponent(ctx.siteA.meterIds[0]!)}&point=total_kwh&from=${hoursAgo(1)}&to=${encodeURIComponent(ctx.now())}&buckets=10`,
    freeQuery: ['meter', 'point'],
    requiredQuery: ['meter'],
    returnsData: true,
  },
  { method: 'GET', path: '/api/sync-log', auth: 'none', query: () => 'limit=5&failures_only=false', returnsData: true },
  { method: 'GET', path: '/api/dead-letters', auth: 'none', query: () => 'limit=5', returnsData: true },
  { method: 'GET', path: '/api/session', auth: 'none' },
  // A wrong token is refused (401); its mutations are all wrong tokens.
  {
    method: 'POST',
    path: '/api/session',
    auth: 'none',
    body: (ctx) => ({ token: ctx.controlToken ?? 'no-control-token-on-this-agent' }),
  },
  { method: 'DELETE', path: '/api/session', auth: 'none', ignoresBody: true },
  {
    method: 'POST',
    path: '/api/control/collection/stop',
    auth: 'control',
    body: () => ({ reason: 'bad-input suite' }),
    freeText: ['reason'],
    optional: ['reason'],
  },
  {
    method: 'POST',
    path: '/api/control/collection/start',
    auth: 'control',
    body: () => ({ reason: 'bad-input suite' }),
    freeText: ['reason'],
    optional: ['reason'],
  },
  { method: 'POST', path: '/api/control/sync', auth: 'control', body: () => ({}), ignoresBody: true },
  {
    method: 'POST',
    path: '/api/control/dead-letters/retry',
    auth: 'control',
    body: (ctx) => ({ ids: [ctx.deadLetterIds?.[0] ?? 1] }),
    optional: ['ids'],
  },
  { method: 'GET', path: '/', auth: 'none', staticFiles: true },
  { method: 'GET', path: '/api/backlog/history', auth: 'none', query: () => 'hours=24', returnsData: true },
  {
    method: 'POST',
    path: '/api/control/discover',
    auth: 'control',
    body: () => ({ timeout_ms: 200 }),
    optional: ['timeout_ms'],
    returnsData: true,
  },
  {
    method: 'POST',
    path: '/api/control/read-point',
    auth: 'control',
    body: (ctx) => ({
      meter: ctx.siteA.meterIds[0]!,
      object_type: 'analogInput',
      instance: 0,
      property: 'presentValue',
    }),
    optional: ['property'],
    freeText: ['meter'],
    returnsData: true,
  },
];

/** Routes of the agent's local API attacked elsewhere than in LOCAL_ENDPOINTS, and where. */
export const NOT_IN_LOCAL_ENDPOINTS: Record<string, string> = {
  'ALL /mcp': 'mcp.ts (runMcpSecurity with siteMcpTarget)',
};
