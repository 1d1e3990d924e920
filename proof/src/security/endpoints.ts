/**
 * Every endpoint of the client API the bad-input suite attacks. A new endpoint is one entry here:
 * the suite finds out whether it exists in the running build (an endpoint answering 404 "no route"
 * is reported as not present and skipped), then sends it every hostile variant of its valid request.
 */
export type Auth = 'none' | 'site' | 'operator' | 'control';

export interface Ctx {
  /** The attacker's own site (its key is valid). `name` and `marks` are more of its data a leak would show. */
  siteA: { id: number; key: string; meterIds: string[]; name?: string; marks?: string[] };
  /** Another site, whose data must never leak to site A's key. */
  siteB: { id: number; key: string; meterIds: string[]; name?: string };
  now: () => string;
  /** An ordinary operator login, when the build has one. */
  login?: { email: string; password: string };
  /** The site agent's control token (LOCAL_API_TOKEN), when it has one. */
  controlToken?: string;
  /** Dead letters on the site agent (ids), for the retry action. */
  deadLetterIds?: number[];
  /** The client API's operator side, when the build has a login. */
  ops?: OperatorIds;
}

/**
 * Database ids of site A's things for the operator routes, and disposable targets: a route that edits,
 * rotates, revokes or ends something works on one of these, so every other case keeps valid credentials
 * and data.
 */
export interface OperatorIds {
  /** Site A's meters by database id, in the order of `siteA.meterIds`. */
  meterDbIdsA: number[];
  /** A meter of site A that only PATCH /api/meters/:id changes. */
  spareMeter: { id: number; externalId: string };
  /** A site that only the routes renaming a site or rotating/revoking its keys touch. */
  spareSite: { id: number; keyPrefix: string };
  /** An operator of site A that only PATCH /api/users/:id changes. */
  userId: number;
  /** An alert of site A (firing; its rule was disabled once it fired, so nothing changes it in the background). */
  alertId: number;
  /** A built-in rule (it covers every site): an operator limited to site B must not change or delete it. */
  allSiteRuleId: number;
  /** A disabled rule on site A's first meter that only DELETE /api/alert-rules/:id deletes. */
  deletableRuleId: number;
  /** A disabled threshold rule on site A's first meter that only PATCH /api/alert-rules/:id changes. */
  ruleId: number;
  /** A commissioning report of site A. */
  reportId: number;
  /** An MCP token of the admin that only DELETE /api/auth/tokens/:id revokes. */
  mcpTokenId: number;
  /** Refresh tokens of two logins of the throwaway user: one for /api/auth/refresh, one for /api/auth/logout. */
  refreshToken: string;
  logoutToken: string;
  /** The throwaway user's password: POST /api/auth/password sets it to itself. */
  throwawayPassword: string;
}

/** Strings that name site A's data: none may reach a caller that must not see site A. */
export function siteAMarks(ctx: Ctx): string[] {
  return [...ctx.siteA.meterIds, ...(ctx.siteA.name ? [ctx.siteA.name] : []), ...(ctx.siteA.marks ?? [])];
}

function opsOf(ctx: Ctx): OperatorIds {
  if (!ctx.ops)
    throw new Error('the operator routes need ctx.ops (startSecurityTarget sets it when the build has a login)');
  return ctx.ops;
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
  /** Text leaves for which '' is a valid value (but which must be present). */
  emptyOk?: string[];
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
  /** The least role the route needs (left out: any logged-in user). Each lower role must be refused, and change nothing. */
  role?: 'admin' | 'operator';
  /**
   * What an operator limited to site B gets for the valid request, which names site A's things: 'refused'
   * (a 4xx that changes nothing) or 'filtered' (it may answer, but with nothing of site A).
   */
  otherSite?: 'refused' | 'filtered';
  /** Called with the throwaway user's access token instead of the admin's: the route changes the caller's own account. */
  asThrowaway?: boolean;
  /** Creates, changes or deletes an alert rule: an operator limited to site B must be refused for a rule covering every site. */
  allSiteRule?: boolean;
}

const hoursAgo = (h: number) => encodeURIComponent(new Date(Date.now() - h * 3_600_000).toISOString());
const siteAParam = (ctx: Ctx) => ({ id: String(ctx.siteA.id) });

/** A meter as the web app creates (POST /api/sites/:id/meters) or edits (PATCH /api/meters/:id) it. */
const meterWrite = (externalId: string) => ({
  external_id: externalId,
  name: 'Meter of the bad-input suite',
  bacnet_device_id: 4242,
  bacnet_ip: '192.168.1.20',
  bacnet_port: 47808,
  is_active: true,
  data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' }],
});
const METER_WRITE_TEXT = [
  'external_id',
  'name',
  'data_points.0.object_type',
  'data_points.0.property',
  'data_points.0.name',
  'data_points.0.unit',
];

/**
 * A threshold rule on site A's first meter. Disabled, with a threshold no meter reaches: a rule that an
 * accepted variant creates or edits never fires while the suite counts rows (a variant without `enabled`
 * creates an enabled one, which still never fires).
 */
const alertRule = (ctx: Ctx) => ({
  kind: 'threshold',
  name: 'Rule of the bad-input suite',
  enabled: false,
  severity: 'warning',
  scope: 'meter',
  site_id: ctx.siteA.id,
  meter_id: opsOf(ctx).meterDbIdsA[0]!,
  data_point: 'total_kwh',
  condition: 'above',
  threshold: 1e12,
  threshold_high: null,
  for_seconds: 60,
  cooldown_seconds: 600,
  recipients: ['ops@example.com'],
  webhook_url: null,
});
const RULE_TEXT = ['name', 'data_point'];
// The scope follows from meter_id, site_id from the meter; the rest has defaults.
const RULE_OPTIONAL = [
  'enabled',
  'severity',
  'scope',
  'site_id',
  'threshold_high',
  'for_seconds',
  'cooldown_seconds',
  'recipients',
  'webhook_url',
];

/** The installer's commissioning report of site A, as setup-site uploads it (one line, one meter, one point). */
export const commissioningReport = (ctx: Ctx) => ({
  site: { id: ctx.siteA.id, name: 'Site A' },
  created_at: ctx.now(),
  agent_version: '0.1.0',
  passed: true,
  summary: { pass: 1, warn: 0, fail: 0 },
  lines: [{ check: 'Meter answers', status: 'pass', detail: 'answered in 12 ms', fix: 'nothing to do' }],
  meters: [
    {
      id: ctx.siteA.meterIds[0]!,
      name: 'Main incomer',
      device_id: 101,
      address: '192.168.1.10:47808',
      rpm_supported: true,
      points: [
        {
          name: 'total_kwh',
          answered: true,
          value: 1234.5,
          unit: 'kWh',
          quality: 'good',
          response_ms: 12,
          error: null,
        },
      ],
    },
  ],
});

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
          data_points: [
            { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
          ],
        },
      ],
    }),
    // Registering an existing meter changes nothing, so mutations of its free text may answer 200.
    freeText: [
      'meters.0.id',
      'meters.0.name',
      'meters.0.data_points.0.object_type',
      'meters.0.data_points.0.property',
      'meters.0.data_points.0.name',
      'meters.0.data_points.0.unit',
    ],
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
      local_database: { state: 'up', since: ctx.now(), restarts: 0, last_error: null, spilled_readings: 0 },
      // Still registered with the BBMD while the last renewal failed: every leaf set.
      foreign_device: {
        bbmd: '192.168.10.1:47808',
        registered: true,
        last_registered_at: ctx.now(),
        last_error: 'the BBMD at 192.168.10.1:47808 did not answer the foreign-device registration',
      },
      meter_states: [
        {
          external_id: ctx.siteA.meterIds[0] ?? 'meter-1',
          state: 'not_answering',
          since: ctx.now(),
          last_success_at: ctx.now(),
          error: 'no answer within 1000 ms',
          points_failing: 1,
          expected_device_id: 1001,
          found_device_id: 1001,
        },
      ],
    }),
    // A meter id the site does not have is ignored (the agent may know meters before the client system does).
    freeText: ['agent_version', 'foreign_device.last_error', 'meter_states.0.external_id', 'meter_states.0.error'],
    emptyOk: ['meter_states.0.error'],
    // A wrong agent clock is what the heartbeat exists to report: any well-formed time is accepted.
    optional: [
      'oldest_unsent_at',
      'uplink_down_since',
      'last_sync_at',
      // local_database is optional as a whole (older agents), each of its fields required when it is sent.
      'local_database',
      'foreign_device',
      'foreign_device.last_registered_at',
      'foreign_device.last_error',
      'meter_states',
      // Null when not known (since, last success, error); the device ids only for a wrong device.
      'meter_states.0.since',
      'meter_states.0.last_success_at',
      'meter_states.0.error',
      'meter_states.0.expected_device_id',
      'meter_states.0.found_device_id',
    ],
  },
  // Prometheus figures, unauthenticated like /health.
  { method: 'GET', path: '/metrics', auth: 'none' },
  // Operator endpoints (JWT). Present only in builds that have them.
  {
    method: 'POST',
    path: '/api/auth/login',
    auth: 'none',
    body: (ctx) => ({ email: ctx.login?.email ?? 'nobody@example.com', password: ctx.login?.password ?? 'x' }),
  },
  { method: 'GET', path: '/api/sites', auth: 'operator', returnsData: true, otherSite: 'filtered' },
  {
    method: 'GET',
    path: '/api/sites/:id',
    auth: 'operator',
    params: siteAParam,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/sites/:id/status',
    auth: 'operator',
    params: siteAParam,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/sites/:id/connectivity',
    auth: 'operator',
    params: siteAParam,
    query: (ctx) => `from=${hoursAgo(24)}&to=${encodeURIComponent(ctx.now())}&max_points=100`,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/sites',
    auth: 'operator',
    role: 'admin',
    body: () => ({ name: 'Site created by the bad-input suite', location: 'Plant room 2' }),
    freeText: ['name', 'location'],
    optional: ['location'],
  },
  {
    method: 'PATCH',
    path: '/api/sites/:id',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).spareSite.id) }),
    body: () => ({ name: 'Spare site, renamed', location: 'Roof', is_active: true }),
    freeText: ['name', 'location'],
    optional: ['name', 'location', 'is_active'],
  },
  { method: 'GET', path: '/api/sites/:id/keys', auth: 'operator', role: 'admin', params: siteAParam },
  // The spare site's key: revoking site A's would lock out every other case.
  {
    method: 'DELETE',
    path: '/api/sites/:id/keys/:prefix',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).spareSite.id), prefix: opsOf(ctx).spareSite.keyPrefix }),
  },
  // A rotation ends the other keys after grace_hours (0 at once): on the spare site only.
  {
    method: 'POST',
    path: '/api/sites/:id/keys',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).spareSite.id) }),
    body: () => ({ grace_hours: 1 }),
    optional: ['grace_hours'],
  },
  {
    method: 'POST',
    path: '/api/sites/:id/meters',
    auth: 'operator',
    role: 'operator',
    params: siteAParam,
    body: () => meterWrite('meter-added-by-the-bad-input-suite'),
    freeText: METER_WRITE_TEXT,
    optional: ['bacnet_port', 'is_active', 'data_points.0.property', 'data_points.0.unit'],
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/sites/:id/commissioning',
    auth: 'operator',
    params: siteAParam,
    query: () => 'limit=5',
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/sites/:id/commissioning/:reportId',
    auth: 'operator',
    params: (ctx) => ({ id: String(ctx.siteA.id), reportId: String(opsOf(ctx).reportId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  // After the two above: each stored report prunes the site's oldest beyond 100, the one they read among them.
  {
    method: 'POST',
    path: '/api/sync/commissioning',
    auth: 'site',
    body: commissioningReport,
    freeText: [
      'site.name',
      'agent_version',
      'lines.0.check',
      'lines.0.detail',
      'lines.0.fix',
      'meters.0.id',
      'meters.0.name',
      'meters.0.address',
      'meters.0.points.0.name',
      'meters.0.points.0.unit',
      'meters.0.points.0.quality',
    ],
    // A report names its site or leaves it null; most of a point's figures are null when the meter did not answer.
    optional: [
      'site.id',
      'site.name',
      'lines.0.fix',
      'meters.0.rpm_supported',
      'meters.0.points.0.value',
      'meters.0.points.0.unit',
      'meters.0.points.0.quality',
      'meters.0.points.0.error',
    ],
    // A line's detail is often an error's message, which can be empty; a meter's name comes from meters.json as it is.
    emptyOk: ['lines.0.detail', 'meters.0.name'],
  },
  {
    method: 'GET',
    path: '/api/meters',
    auth: 'operator',
    query: (ctx) => `site_id=${ctx.siteA.id}`,
    returnsData: true,
    otherSite: 'filtered',
  },
  {
    method: 'GET',
    path: '/api/meters/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).meterDbIdsA[0]) }),
    returnsData: true,
    otherSite: 'refused',
  },
  // The spare meter: renaming site A's first meter would break every case that names it.
  {
    method: 'PATCH',
    path: '/api/meters/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).spareMeter.id) }),
    body: (ctx) => meterWrite(opsOf(ctx).spareMeter.externalId),
    freeText: METER_WRITE_TEXT,
    optional: [
      'external_id',
      'name',
      'bacnet_device_id',
      'bacnet_ip',
      'bacnet_port',
      'is_active',
      'data_points',
      'data_points.0.property',
      'data_points.0.unit',
    ],
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/readings',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(ctx.now())}`,
    returnsData: true,
    otherSite: 'filtered',
  },
  {
    method: 'GET',
    path: '/api/consumption',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${hoursAgo(48)}&to=${encodeURIComponent(ctx.now())}&interval=1h&data_point=total_kwh&tz=UTC`,
    freeQuery: ['data_point'],
    returnsData: true,
    otherSite: 'filtered',
  },
  { method: 'GET', path: '/api/users', auth: 'operator', role: 'admin', returnsData: true },
  {
    method: 'POST',
    path: '/api/users',
    auth: 'operator',
    role: 'admin',
    body: (ctx) => ({
      email: 'created-by-the-suite@proof.example',
      role: 'viewer',
      name: 'User created by the bad-input suite',
      password: 'Pw-bad-input-suite-1',
      site_ids: [ctx.siteA.id],
    }),
    freeText: ['name', 'password'],
    optional: ['name', 'password', 'site_ids'],
  },
  {
    method: 'GET',
    path: '/api/users/:id',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).userId) }),
  },
  // A user of its own: on the admin, a variant could take away the role every other case needs.
  {
    method: 'PATCH',
    path: '/api/users/:id',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).userId) }),
    body: (ctx) => ({
      name: 'Renamed by the bad-input suite',
      role: 'operator',
      site_ids: [ctx.siteA.id],
      is_active: true,
      password: 'Pw-bad-input-suite-2',
    }),
    freeText: ['name', 'password'],
    optional: ['name', 'role', 'site_ids', 'is_active', 'password'],
  },
  {
    method: 'GET',
    path: '/api/alerts',
    auth: 'operator',
    query: (ctx) => `state=active&site_id=${ctx.siteA.id}&limit=50&include_pending=true`,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/alerts/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).alertId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/alerts/:id/acknowledge',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).alertId) }),
    body: () => ({ note: 'looked at by the bad-input suite' }),
    freeText: ['note'],
    optional: ['note'],
    otherSite: 'refused',
  },
  { method: 'GET', path: '/api/alert-rules', auth: 'operator', returnsData: true, otherSite: 'filtered' },
  {
    method: 'GET',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).ruleId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/alert-rules/preview',
    auth: 'operator',
    role: 'operator',
    body: alertRule,
    freeText: RULE_TEXT,
    optional: RULE_OPTIONAL,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/alert-rules',
    auth: 'operator',
    role: 'operator',
    body: alertRule,
    freeText: RULE_TEXT,
    optional: RULE_OPTIONAL,
    otherSite: 'refused',
    allSiteRule: true,
  },
  {
    method: 'PATCH',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).ruleId) }),
    body: alertRule,
    freeText: RULE_TEXT,
    // An edit sends only what changes.
    optional: ['kind', 'name', 'meter_id', 'data_point', 'condition', 'threshold', ...RULE_OPTIONAL],
    otherSite: 'refused',
    allSiteRule: true,
  },
  {
    method: 'DELETE',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).deletableRuleId) }),
    otherSite: 'refused',
    allSiteRule: true,
  },
  {
    method: 'GET',
    path: '/api/notifications',
    auth: 'operator',
    query: () => 'status=recorded&limit=20',
    returnsData: true,
    otherSite: 'filtered',
  },
  { method: 'GET', path: '/api/auth/me', auth: 'operator' },
  { method: 'GET', path: '/api/auth/tokens', auth: 'operator' },
  {
    method: 'POST',
    path: '/api/auth/tokens',
    auth: 'operator',
    body: () => ({ name: 'Assistant of the bad-input suite', expires_in_days: 7 }),
    freeText: ['name'],
    optional: ['expires_in_days'],
  },
  {
    method: 'DELETE',
    path: '/api/auth/tokens/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).mcpTokenId) }),
  },
  // Refresh tokens are single use (a replayed one ends its whole login): these are the throwaway user's, never the admin's.
  {
    method: 'POST',
    path: '/api/auth/refresh',
    auth: 'none',
    body: (ctx) => ({ refresh_token: opsOf(ctx).refreshToken }),
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    auth: 'none',
    body: (ctx) => ({ refresh_token: opsOf(ctx).logoutToken }),
  },
  // The throwaway user changes its own password (to itself, so the valid request stays valid until a variant changes it).
  {
    method: 'POST',
    path: '/api/auth/password',
    auth: 'operator',
    asThrowaway: true,
    body: (ctx) => ({ current_password: opsOf(ctx).throwawayPassword, new_password: opsOf(ctx).throwawayPassword }),
    freeText: ['new_password'],
  },
];

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
];

/** Routes of the agent's local API attacked elsewhere than in LOCAL_ENDPOINTS, and where. */
export const NOT_IN_LOCAL_ENDPOINTS: Record<string, string> = {
  'ALL /mcp': 'mcp.ts (runMcpSecurity with siteMcpTarget)',
};
