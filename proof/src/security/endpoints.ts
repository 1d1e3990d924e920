/**
 * Every endpoint of the client API the bad-input suite attacks. A new endpoint is one entry here:
 * the suite finds out whether it exists in the running build (an endpoint answering 404 "no route"
 * is reported as not present and skipped), then sends it every hostile variant of its valid request.
 */
export type Auth = 'none' | 'site' | 'operator' | 'control';

export interface Ctx {
  /** The attacker's own site (its key is valid). */
  siteA: { id: number; key: string; meterIds: string[] };
  /** Another site, whose data must never leak to site A's key. */
  siteB: { id: number; key: string; meterIds: string[] };
  now: () => string;
  /** An ordinary operator login, when the build has one. */
  login?: { email: string; password: string };
  /** The site agent's control token (LOCAL_API_TOKEN), when it has one. */
  controlToken?: string;
  /** Dead letters on the site agent (ids), for the retry action. */
  deadLetterIds?: number[];
}

export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With `:name` path parameters. */
  path: string;
  auth: Auth;
  /** A valid value for each path parameter (from the attacker's own site). */
  params?: (ctx: Ctx) => Record<string, string>;
  /** A valid query string, without '?'. */
  query?: (ctx: Ctx) => string;
  /** A valid body; its leaves are mutated one by one. */
  body?: (ctx: Ctx) => unknown;
  /** Leaves whose mutation may legitimately succeed (free-form text). Paths like `meters.0.name`. */
  freeText?: string[];
  /** Answers that carry data: they must never name site B's meters. */
  returnsData?: boolean;
  /** Leaves that may be left out (or null) in a valid request. */
  optional?: string[];
  /** The endpoint reads nothing from its body: body attacks must simply not hurt. */
  ignoresBody?: boolean;
  /** Timestamps of readings: besides a valid format they must be in a plausible range (not before 2000, not far ahead). */
  readingTimes?: string[];
  /** Query parameters that are free text (a meter id): odd values may answer an empty result. The others must be refused when wrong. */
  freeQuery?: string[];
  /** Query parameters that must be present. */
  requiredQuery?: string[];
  /** Serves the site dashboard's static files: try path traversal around them. */
  staticFiles?: boolean;
}

const reading = (ctx: Ctx, i = 0) => ({
  meter_external_id: ctx.siteA.meterIds[0]!,
  data_point: 'total_kwh',
  timestamp: new Date(Date.now() - 3_600_000 - i * 1000).toISOString(),
  value: 1234.5,
  unit: 'kWh',
  quality: 'good',
});

export const ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/health', auth: 'none' },
  { method: 'GET', path: '/ready', auth: 'none' },
  { method: 'POST', path: '/api/sync/auth', auth: 'site', body: () => ({}), returnsData: true, ignoresBody: true },
  {
    method: 'POST',
    path: '/api/sync/readings/batch',
    auth: 'site',
    body: (ctx) => ({ batch_id: 'hostile-1', readings: [reading(ctx)] }),
    freeText: ['batch_id', 'readings.0.data_point', 'readings.0.quality', 'readings.0.unit'],
    optional: ['batch_id', 'readings.0.unit'],
    readingTimes: ['readings.0.timestamp'],
  },
  { method: 'GET', path: '/api/sync/config', auth: 'site', returnsData: true },
  {
    method: 'POST',
    path: '/api/sync/meters',
    auth: 'site',
    body: (ctx) => ({
      meters: [
        {
          id: ctx.siteA.meterIds[0]!,
          name: 'Main incomer',
          bacnet_device_id: 101,
          bacnet_ip: '192.168.1.10',
          bacnet_port: 47808,
          data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' }],
        },
      ],
    }),
    // Registering an existing meter changes nothing, so mutations of its free text may answer 200.
    freeText: ['meters.0.id', 'meters.0.name', 'meters.0.data_points.0.object_type', 'meters.0.data_points.0.property', 'meters.0.data_points.0.name', 'meters.0.data_points.0.unit'],
    optional: ['meters.0.bacnet_port', 'meters.0.data_points.0.property', 'meters.0.data_points.0.unit'],
    returnsData: true,
  },
  {
    method: 'POST',
    path: '/api/sync/heartbeat',
    auth: 'site',
    body: (ctx) => ({
      agent_version: '0.1.0',
      agent_time: ctx.now(),
      collecting: true,
      queue_depth: 0,
      oldest_unsent_at: null,
      dead_letters: 0,
      uplink_down_since: null,
      last_sync_at: ctx.now(),
      meters: { configured: 1, ok: 1, failing: 0, never_answered: 0 },
    }),
    freeText: ['agent_version'],
    // A wrong agent clock is what the heartbeat exists to report: any well-formed time is accepted.
    optional: ['oldest_unsent_at', 'uplink_down_since', 'last_sync_at'],
  },
  // Operator endpoints (JWT). Present only in builds that have them.
  { method: 'POST', path: '/api/auth/login', auth: 'none', body: (ctx) => ({ email: ctx.login?.email ?? 'nobody@example.com', password: ctx.login?.password ?? 'x' }) },
  { method: 'GET', path: '/api/sites', auth: 'operator', returnsData: true },
  { method: 'GET', path: '/api/sites/:id', auth: 'operator', params: (ctx) => ({ id: String(ctx.siteA.id) }), returnsData: true },
  { method: 'GET', path: '/api/sites/:id/status', auth: 'operator', params: (ctx) => ({ id: String(ctx.siteA.id) }), returnsData: true },
  { method: 'GET', path: '/api/meters', auth: 'operator', query: (ctx) => `site_id=${ctx.siteA.id}`, returnsData: true },
  {
    method: 'GET',
    path: '/api/readings',
    auth: 'operator',
    query: (ctx) => `site_id=${ctx.siteA.id}&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(ctx.now())}`,
    returnsData: true,
  },
];

const hoursAgo = (h: number) => encodeURIComponent(new Date(Date.now() - h * 3_600_000).toISOString());

/**
 * Every route of the site agent's local API (sync/agent/src/local-api): health, the read-only views
 * with their query parameters, the dashboard login, the control actions (LOCAL_API_TOKEN) and the
 * dashboard's static files. site A is the agent's own site.
 */
export const LOCAL_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/health', auth: 'none' },
  { method: 'GET', path: '/ready', auth: 'none' },
  { method: 'GET', path: '/api/status', auth: 'none', returnsData: true },
  { method: 'GET', path: '/api/meters', auth: 'none', returnsData: true },
  {
    method: 'GET',
    path: '/api/readings',
    auth: 'none',
    query: (ctx) => `meter=${encodeURIComponent(ctx.siteA.meterIds[0]!)}&point=total_kwh&from=${hoursAgo(1)}&to=${encodeURIComponent(ctx.now())}&limit=10`,
    freeQuery: ['meter', 'point'],
    returnsData: true,
  },
  {
    method: 'GET',
    path: '/api/readings/series',
    auth: 'none',
    query: (ctx) => `meter=${encodeURIComponent(ctx.siteA.meterIds[0]!)}&point=total_kwh&from=${hoursAgo(1)}&to=${encodeURIComponent(ctx.now())}&buckets=10`,
    freeQuery: ['meter', 'point'],
    requiredQuery: ['meter'],
    returnsData: true,
  },
  { method: 'GET', path: '/api/sync-log', auth: 'none', query: () => 'limit=5&failures_only=false', returnsData: true },
  { method: 'GET', path: '/api/dead-letters', auth: 'none', query: () => 'limit=5', returnsData: true },
  { method: 'GET', path: '/api/session', auth: 'none' },
  // A wrong token is refused (401); its mutations are all wrong tokens.
  { method: 'POST', path: '/api/session', auth: 'none', body: (ctx) => ({ token: ctx.controlToken ?? 'no-control-token-on-this-agent' }) },
  { method: 'DELETE', path: '/api/session', auth: 'none', ignoresBody: true },
  { method: 'POST', path: '/api/control/collection/stop', auth: 'control', body: () => ({ reason: 'bad-input suite' }), freeText: ['reason'], optional: ['reason'] },
  { method: 'POST', path: '/api/control/collection/start', auth: 'control', body: () => ({ reason: 'bad-input suite' }), freeText: ['reason'], optional: ['reason'] },
  { method: 'POST', path: '/api/control/sync', auth: 'control', body: () => ({}), ignoresBody: true },
  {
    method: 'POST',
    path: '/api/control/dead-letters/retry',
    auth: 'control',
    body: (ctx) => ({ ids: [ctx.deadLetterIds?.[0] ?? 1] }),
    optional: ['ids'],
  },
  { method: 'GET', path: '/', auth: 'none', staticFiles: true },
];
