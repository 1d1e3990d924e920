// One hostile request and what it must get, the credentials the suite holds, and the set of cases being built for one
// endpoint.
import { createHmac } from 'node:crypto';
import type { Ctx, EndpointSpec } from './endpoint-spec.js';

/** One hostile request and what it must get. */
export interface HostileCase {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** 'reject': must be a 4xx. 'survive': may succeed (valid if odd data), must not be a 5xx. */
  expect: 'reject' | 'survive';
  /** The error code a rejection must carry (a 409 for a name already taken is no proof that a bad value was refused). */
  code?: string;
  /** Use site B's key while naming site A's things: nothing of A may come back, nothing may be stored. */
  crossSite?: boolean;
  /** The server may rightly wait for more bytes (a body shorter than its Content-Length): no answer within this many ms is fine. */
  mayWaitMs?: number;
}

export interface Creds {
  siteKey: (which: 'A' | 'B') => string;
  /** A valid operator token, when the build has operator login. */
  bearer?: string;
  jwtSecret: string;
  /** The site agent's control token (LOCAL_API_TOKEN), when it has one. */
  controlToken?: string;
  /** A dashboard session that was logged out: it must no longer work. */
  endedSession?: string;
  /**
   * Access tokens of the client API's other users: a viewer and an operator of every site, an operator
   * limited to site B, and a throwaway user for the routes that change the caller's own account.
   */
  bearers?: { viewer: string; operator: string; limitedToB: string; throwaway: string };
}

/** The credential headers of the valid request. */
export function authHeaders(ep: EndpointSpec, creds: Creds): Record<string, string> {
  if (ep.auth === 'site') return { 'x-api-key': creds.siteKey('A') };
  if (ep.auth === 'operator') {
    const token = ep.asThrowaway ? creds.bearers?.throwaway : creds.bearer;
    return token ? { authorization: `Bearer ${token}` } : {};
  }
  if (ep.auth === 'control' && creds.controlToken) return { authorization: `Bearer ${creds.controlToken}` };
  return {};
}

export const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** What the server under attack promises besides the endpoint's own rules. */
export interface HostileOptions {
  /** It answers only to its own host names (the site agent's guard against DNS rebinding). */
  ownHostOnly?: boolean;
}

/** The cases of one endpoint being built, with its valid request in every form the phases need. */
export interface CaseSet {
  ep: EndpointSpec;
  ctx: Ctx;
  creds: Creds;
  opts: HostileOptions;
  params: Record<string, string>;
  /** The path with these path parameters (the rest valid), without the query. */
  fill: (p: Record<string, string>) => string;
  /** The valid query string with its '?', or ''. */
  query: string;
  /** The valid path and query. */
  path: string;
  /** The credential headers of the valid request. */
  auth: () => Record<string, string>;
  json: { 'content-type': string };
  base: { method: string; path: string };
  cases: HostileCase[];
  /** Add a case: the valid request's method, path and headers unless it says otherwise. */
  add: (c: Omit<HostileCase, 'method' | 'path' | 'headers'> & Partial<HostileCase>) => void;
  validBody: unknown;
  /** What a bad body must get: an endpoint that ignores its body need not reject a bad one, only not be hurt by it. */
  reject: HostileCase['expect'];
  bodyText: string | undefined;
}

export function caseSet(ep: EndpointSpec, ctx: Ctx, creds: Creds, opts: HostileOptions): CaseSet {
  const params = ep.params?.(ctx) ?? {};
  const fill = (p: Record<string, string>) => ep.path.replace(/:(\w+)/g, (_m, k: string) => p[k] ?? '1');
  const query = ep.query ? `?${ep.query(ctx)}` : '';
  const path = fill(params) + query;
  const auth = () => authHeaders(ep, creds);
  const json = { 'content-type': 'application/json' };
  const base = { method: ep.method, path };
  const cases: HostileCase[] = [];
  const add = (c: Omit<HostileCase, 'method' | 'path' | 'headers'> & Partial<HostileCase>): void => {
    cases.push({ method: ep.method, path, headers: { ...auth(), ...(ep.body ? json : {}) }, ...c } as HostileCase);
  };
  const validBody = ep.body?.(ctx);
  // An endpoint that ignores its body need not reject a bad one; it must only not be hurt by it.
  const reject: HostileCase['expect'] = ep.ignoresBody ? 'survive' : 'reject';
  const bodyText = validBody === undefined ? undefined : JSON.stringify(validBody);
  return { ep, ctx, creds, opts, params, fill, query, path, auth, json, base, cases, add, validBody, reject, bodyText };
}
