// What an endpoint of the bad-input suite is (its valid request and its rules), and what the suite knows of the
// two sites it attacks with.
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
  /** Tariffs, versions, calendars and assignments the tariff routes work on (tariff-fixtures.ts). */
  tariffs: TariffIds;
}

export interface TariffIds {
  /** Bills site A since 2020; PATCH renames it (to its own name), POST /versions appends to it. */
  tariffId: number;
  /** Its version from 2098-01-01, which PUT changes. */
  futureVersionId: number;
  /** Its version from 2098-06-01, which only DELETE withdraws. */
  deletableVersionId: number;
  /** A tariff nothing is billed on, which only DELETE removes. */
  deletableTariffId: number;
  /** The tariff's holiday calendar, which PATCH changes (only coming dates). */
  calendarId: number;
  /** A calendar no tariff uses, which only DELETE removes. */
  deletableCalendarId: number;
  /** Site A's first meter back on the site's tariff from 2098, which only DELETE withdraws. */
  deletableAssignmentId: number;
}

/** Strings that name site A's data: none may reach a caller that must not see site A. */
export function siteAMarks(ctx: Ctx): string[] {
  return [...ctx.siteA.meterIds, ...(ctx.siteA.name ? [ctx.siteA.name] : []), ...(ctx.siteA.marks ?? [])];
}

export function opsOf(ctx: Ctx): OperatorIds {
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
  /**
   * Values of the right type that a body leaf must still refuse (a made-up time zone, a negative area): each replaces
   * the leaf in the valid body and must get a 400 VALIDATION_FAILED that changes nothing. Paths like `meters.0.name`.
   */
  refusedValues?: Record<string, unknown[]>;
  /** Values a path parameter must refuse (400 VALIDATION_FAILED) besides the generic ones (a 13th month), by name. */
  refusedParams?: Record<string, string[]>;
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

/** A time that many hours ago, ready for a query string. */
export const hoursAgo = (h: number) => encodeURIComponent(new Date(Date.now() - h * 3_600_000).toISOString());
export const siteAParam = (ctx: Ctx) => ({ id: String(ctx.siteA.id) });
