/**
 * Every endpoint of the client API the bad-input suite attacks. A new endpoint is one entry here:
 * the suite finds out whether it exists in the running build (an endpoint answering 404 "no route"
 * is reported as not present and skipped), then sends it every hostile variant of its valid request.
 */
export type Auth = 'none' | 'site' | 'operator';

export interface Ctx {
  /** The attacker's own site (its key is valid). */
  siteA: { id: number; key: string; meterIds: string[] };
  /** Another site, whose data must never leak to site A's key. */
  siteB: { id: number; key: string; meterIds: string[] };
  now: () => string;
  /** An ordinary operator login, when the build has one. */
  login?: { email: string; password: string };
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
