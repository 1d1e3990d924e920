import { createHmac, randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
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

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const SQLISH = [
  "'; DROP TABLE meter_readings; --",
  "1' OR '1'='1",
  '1; SELECT pg_sleep(5)--',
  '$$; TRUNCATE sites; $$',
  '\\x00\\\\',
];
const UNICODE = [
  '\u0000',
  'nul\u0000inside',
  '😀⚡️电表',
  '\u202eevil\u202c',
  '\ud800',
  'A\u0301\u0301\u0301',
  'ﬀ'.repeat(60),
];
const TRAVERSAL = [
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '1%00',
  '1;DROP',
  '-1',
  '0',
  '99999999999999999999',
  '1e3',
  '0x10',
  'null',
  '%ff%fe',
];
const BAD_TIMESTAMPS = [
  '',
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00.1234567Z',
  '2026-01-01T00:00:00+99:00',
  "2026-01-01T00:00:00Z'; DROP TABLE meter_readings; --",
];
/** Well-formed, but no meter reading can carry them. */
const IMPLAUSIBLE_READING_TIMES = ['1999-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'];
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T/;

type Leaf = { path: Array<string | number>; value: unknown };
function leaves(v: unknown, path: Array<string | number> = []): Leaf[] {
  if (Array.isArray(v)) return [{ path, value: v }, ...v.flatMap((x, i) => leaves(x, [...path, i]))];
  if (v !== null && typeof v === 'object')
    return [
      ...(path.length ? [{ path, value: v }] : []),
      ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k])),
    ];
  return [{ path, value: v }];
}
const DELETE = Symbol('delete');
function withLeaf(root: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return copy;
}

/** Replacements for one leaf: [value, must the request be rejected?]. `RAW:` values are spliced into the JSON text as written. */
function mutationsFor(
  value: unknown,
  freeText: boolean,
  optional: boolean,
  readingTime: boolean,
  emptyOk: boolean,
): Array<[unknown, boolean, string]> {
  const out: Array<[unknown, boolean, string]> = [
    [DELETE, !optional, 'missing'],
    [null, value !== null && !optional, 'null'],
  ];
  if (typeof value === 'string') {
    const ts = ISO_LIKE.test(value);
    out.push(
      [123, true, 'number'],
      [true, true, 'boolean'],
      [[value], true, 'array'],
      [{ v: value }, true, 'object'],
      ['x'.repeat(100_000), true, '100k chars'],
    );
    if (ts) {
      for (const t of BAD_TIMESTAMPS) out.push([t, true, `timestamp ${JSON.stringify(t).slice(0, 40)}`]);
      for (const t of IMPLAUSIBLE_READING_TIMES) out.push([t, readingTime, `timestamp ${t}`]);
    } else {
      out.push(['', !optional && !emptyOk, 'empty']);
      for (const s of SQLISH) out.push([s, !freeText, `SQL-looking ${JSON.stringify(s)}`]);
      // NUL cannot be stored in PostgreSQL text: it must be rejected with a 4xx, never reach SQL.
      for (const s of UNICODE)
        out.push([
          s,
          !freeText || s.includes('\u0000') || s.includes('\ud800'),
          `unicode ${JSON.stringify(s).slice(0, 30)}`,
        ]);
      for (const s of TRAVERSAL.slice(0, 3)) out.push([s, !freeText, `traversal ${s}`]);
    }
  } else if (typeof value === 'number') {
    out.push(
      ['1', true, 'numeric string'],
      [true, true, 'boolean'],
      [[value], true, 'array'],
      ['RAW:1e400', true, '1e400 (Infinity)'],
      ['RAW:-1e400', true, '-1e400'],
    );
    out.push(
      [-1, false, 'negative'],
      [1.5, false, 'fraction'],
      [2 ** 53 + 2, false, '2^53+2'],
      [1e308, false, '1e308'],
      ['RAW:-0', false, '-0'],
    );
  } else if (typeof value === 'boolean') {
    out.push(['true', true, 'string'], [1, true, 'number']);
  } else if (Array.isArray(value)) {
    out.push(
      [{}, true, 'object instead of array'],
      ['x', true, 'string instead of array'],
      [[1, 'x', null, [], {}], true, 'array of junk'],
    );
  } else if (value !== null && typeof value === 'object') {
    out.push([[], true, 'array instead of object'], ['x', true, 'string instead of object']);
  }
  return out;
}

function jsonWithRaw(v: unknown): string {
  // Splice RAW: markers (numbers JSON.stringify cannot write, such as 1e400) into the text.
  return JSON.stringify(v).replace(/"RAW:([^"]*)"/g, '$1');
}

let bomb: Buffer | undefined;
/** Compressed once per run: compressing 64 MB takes a noticeable part of a second, and every endpoint with a body gets it. */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(64 * 1024 * 1024, 0x30), Buffer.from('"}')]));
  return bomb;
}

function deep(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** What the server under attack promises besides the endpoint's own rules. */
export interface HostileOptions {
  /** It answers only to its own host names (the site agent's guard against DNS rebinding). */
  ownHostOnly?: boolean;
}

export function hostileCases(ep: EndpointSpec, ctx: Ctx, creds: Creds, opts: HostileOptions = {}): HostileCase[] {
  const params = ep.params?.(ctx) ?? {};
  const fill = (p: Record<string, string>) => ep.path.replace(/:(\w+)/g, (_m, k: string) => p[k] ?? '1');
  const query = ep.query ? `?${ep.query(ctx)}` : '';
  const path = fill(params) + query;
  const auth = () => authHeaders(ep, creds);
  const json = { 'content-type': 'application/json' };
  const base = { method: ep.method, path };
  const cases: HostileCase[] = [];
  const add = (c: Omit<HostileCase, 'method' | 'path' | 'headers'> & Partial<HostileCase>) =>
    cases.push({ method: ep.method, path, headers: { ...auth(), ...(ep.body ? json : {}) }, ...c } as HostileCase);
  const validBody = ep.body?.(ctx);
  // An endpoint that ignores its body need not reject a bad one; it must only not be hurt by it.
  const reject: HostileCase['expect'] = ep.ignoresBody ? 'survive' : 'reject';
  const bodyText = validBody === undefined ? undefined : JSON.stringify(validBody);

  // --- credentials ---
  if (ep.auth === 'site') {
    const k = creds.siteKey('A');
    const variants: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['empty key', { 'x-api-key': '' }],
      ['forged key', { 'x-api-key': randomBytes(32).toString('base64url') }],
      ['key with one character changed', { 'x-api-key': k.slice(0, -1) + (k.endsWith('A') ? 'B' : 'A') }],
      ['SQL-looking key', { 'x-api-key': "' OR '1'='1" }],
      ['key of 8 kB', { 'x-api-key': 'k'.repeat(8000) }],
      ['latin-1 bytes in key', { 'x-api-key': 'Ã©Ã¨\u00ff' }],
      ['site key as a bearer token', { authorization: `Bearer ${k}` }],
      ['operator-looking JWT as key', { 'x-api-key': signJwt({ sub: 1, role: 'admin' }, creds.jwtSecret) }],
    ];
    for (const [name, headers] of variants)
      cases.push({
        ...base,
        name: `auth: ${name}`,
        headers: { ...headers, ...(ep.body ? json : {}) },
        body: bodyText,
        expect: 'reject',
      });
  }
  if (ep.auth === 'operator') {
    const now = Math.floor(Date.now() / 1000);
    const variants: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['Bearer without token', { authorization: 'Bearer ' }],
      ['garbage token', { authorization: 'Bearer abc.def.ghi' }],
      [
        'token signed with another secret',
        {
          authorization: `Bearer ${signJwt({ sub: 1, role: 'admin', exp: now + 3600 }, 'not-the-secret-' + randomBytes(8).toString('hex'))}`,
        },
      ],
      [
        'alg none',
        {
          authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 1, role: 'admin', exp: now + 3600 })}.`,
        },
      ],
      [
        'expired token (right secret)',
        {
          authorization: `Bearer ${signJwt({ sub: 1, role: 'admin', iat: now - 7200, exp: now - 3600 }, creds.jwtSecret)}`,
        },
      ],
      ['site API key as bearer', { authorization: `Bearer ${creds.siteKey('A')}` }],
      ['site API key header only', { 'x-api-key': creds.siteKey('A') }],
      ['Basic auth', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
    ];
    for (const [name, headers] of variants)
      cases.push({
        ...base,
        name: `auth: ${name}`,
        headers: { ...headers, ...(ep.body ? json : {}) },
        body: bodyText,
        expect: 'reject',
      });
  }

  // --- other users: a lower role, and an operator limited to site B asking for site A's things ---
  if (ep.auth === 'operator' && creds.bearers) {
    const lower: Array<[string, string]> =
      ep.role === 'admin'
        ? [
            ['an operator', creds.bearers.operator],
            ['a viewer', creds.bearers.viewer],
          ]
        : ep.role === 'operator'
          ? [['a viewer', creds.bearers.viewer]]
          : [];
    for (const [who, token] of lower) {
      cases.push({
        ...base,
        name: `role: ${who}'s token on a route for ${ep.role}s`,
        headers: { authorization: `Bearer ${token}`, ...(ep.body ? json : {}) },
        body: bodyText,
        expect: 'reject',
      });
    }
    if (ep.otherSite) {
      cases.push({
        ...base,
        name: "an operator limited to site B, naming site A's things",
        headers: { authorization: `Bearer ${creds.bearers.limitedToB}`, ...(ep.body ? json : {}) },
        body: bodyText,
        expect: ep.otherSite === 'refused' ? 'reject' : 'survive',
        crossSite: true,
      });
    }
  }

  // --- an operator limited to site B on a rule that covers every site: it would silence alerts of sites they cannot see ---
  if (ep.auth === 'operator' && creds.bearers && ep.allSiteRule && ctx.ops) {
    const limited = { authorization: `Bearer ${creds.bearers.limitedToB}`, ...(ep.body ? json : {}) };
    const onRule = fill({ ...params, id: String(ctx.ops.allSiteRuleId) }) + query;
    const changes: Array<[string, unknown]> =
      ep.method === 'PATCH'
        ? [
            ['disabling', { enabled: false }],
            ['raising the threshold of', { threshold: 1e9 }],
            ['renaming', { name: 'Renamed by a site-B operator' }],
          ]
        : ep.method === 'POST'
          ? [
              [
                'creating',
                {
                  kind: 'no_data',
                  name: 'Every site, by a site-B operator',
                  scope: 'all',
                  threshold: 5,
                  enabled: false,
                },
              ],
            ]
          : [['deleting', undefined]];
    for (const [what, change] of changes) {
      cases.push({
        method: ep.method,
        path: ep.method === 'POST' ? path : onRule,
        name: `an operator limited to site B, ${what} a rule that covers every site`,
        headers: limited,
        ...(change === undefined ? {} : { body: JSON.stringify(change) }),
        expect: 'reject',
      });
    }
  }

  if (ep.auth === 'control') {
    const t = creds.controlToken ?? 'no-control-token-on-this-agent';
    const variants: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['Bearer without token', { authorization: 'Bearer ' }],
      ['forged token', { authorization: `Bearer ${randomBytes(32).toString('base64url')}` }],
      ['token with one character changed', { authorization: `Bearer ${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}` }],
      ['token with a suffix', { authorization: `Bearer ${t}x` }],
      ['token as x-api-key', { 'x-api-key': t }],
      ['token in Basic auth', { authorization: `Basic ${Buffer.from(`admin:${t}`).toString('base64')}` }],
      ['the site API key as bearer', { authorization: `Bearer ${creds.siteKey('A')}` }],
      ['SQL-looking token', { authorization: "Bearer '||'1'='1" }],
      ['token of 8 kB', { authorization: `Bearer ${'k'.repeat(8000)}` }],
      ['forwarded from loopback, no token', { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1' }],
      ...(creds.endedSession
        ? ([['a logged-out dashboard session', { authorization: `Bearer ${creds.endedSession}` }]] as Array<
            [string, Record<string, string>]
          >)
        : []),
    ];
    for (const [name, headers] of variants)
      cases.push({
        ...base,
        name: `auth: ${name}`,
        headers: { ...headers, ...(ep.body ? json : {}) },
        body: bodyText,
        expect: 'reject',
      });
  }

  // --- DNS rebinding: a page whose name was re-pointed at the server, with valid credentials and body ---
  if (opts.ownHostOnly) {
    for (const host of ['evil.example', 'evil.example:3002', 'localhost.evil.example', '127.0.0.1.evil.example']) {
      // crossSite: nothing of the site may come back to a foreign page.
      add({
        name: `host: a rebound DNS name (Host: ${host})`,
        headers: { ...auth(), ...(ep.body ? json : {}), host },
        body: bodyText,
        expect: 'reject',
        crossSite: true,
      });
    }
  }

  if (ep.auth === 'site') {
    cases.push({
      ...base,
      name: "site B's key on site A's request",
      headers: { 'x-api-key': creds.siteKey('B'), ...(ep.body ? json : {}) },
      body: bodyText,
      expect: 'survive',
      crossSite: true,
    });
  }

  // --- path parameters ---
  for (const name of Object.keys(params)) {
    for (const t of TRAVERSAL) {
      add({
        name: `path param ${name} = ${t}`,
        path: fill({ ...params, [name]: t.replace(/\//g, '%2F') }) + query,
        expect: 'reject',
      });
    }
    add({
      name: `path param ${name} = another site's id`,
      path: fill({ ...params, [name]: String(ctx.siteB.id) }) + query,
      expect: 'survive',
    });
  }
  // Path traversal around the route itself (sent unnormalised).
  // The web app's fallback may answer unknown GET paths with index.html; what must never come back is a file.
  for (const t of [
    '/../../../../etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%5c..%5c..%5cpackage.json',
    '/../../../../.env',
  ]) {
    add({ name: `path: ${t}`, path: `${ep.path.replace(/:(\w+)/g, '1')}${t}`, expect: 'survive' });
  }

  // --- query strings ---
  if (ep.method === 'GET') {
    add({
      name: 'query: SQL-looking and repeated parameters',
      path: `${fill(params)}?site_id=1%27%20OR%20%271%27%3D%271&site_id=2&from=yesterday&to[$gt]=x`,
      expect: 'survive',
    });
    add({
      name: 'query: 1,500 parameters',
      path: `${fill(params)}?${Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join('&')}`,
      expect: 'survive',
    });
  }

  // --- each query parameter, wrong ---
  if (ep.query) {
    const valid = new URLSearchParams(ep.query(ctx));
    const freeQ = new Set(ep.freeQuery ?? []);
    const required = new Set(ep.requiredQuery ?? []);
    const qs = (p: URLSearchParams) => `${fill(params)}?${p.toString()}`;
    for (const k of [...new Set(valid.keys())]) {
      const free = freeQ.has(k);
      const without = new URLSearchParams(valid);
      without.delete(k);
      add({ name: `query ${k}: missing`, path: qs(without), expect: required.has(k) ? 'reject' : 'survive' });
      // [value, must a free-text parameter refuse it too?]; a typed parameter (time, number, flag) must refuse them all.
      const values: Array<[string, boolean]> = [
        ['', true],
        ['x'.repeat(10_000), true],
        ['nul\u0000inside', true],
        ...SQLISH.slice(0, 3).map((v): [string, boolean] => [v, false]),
        ...TRAVERSAL.slice(0, 2).map((v): [string, boolean] => [v, false]),
        ['😀⚡', false],
        ['-1', false],
        ['1e400', false],
        ['99999999999999999999', false],
        ['yesterday', false],
        ['2026-02-30T00:00:00Z', false],
        ['0x10', false],
      ];
      for (const [v, freeMustReject] of values) {
        const p = new URLSearchParams(valid);
        p.set(k, v);
        add({
          name: `query ${k} = ${JSON.stringify(v).slice(0, 30)}`,
          path: qs(p),
          expect: !free || freeMustReject ? 'reject' : 'survive',
        });
      }
      const rawPath = `${fill(params)}?${ep.query(ctx)}`;
      add({
        name: `query ${k} repeated`,
        path: `${rawPath}&${k}=${encodeURIComponent(valid.get(k) ?? '')}`,
        expect: 'survive',
      });
      add({ name: `query ${k} as an array`, path: `${qs(without)}&${k}[]=1&${k}[]=2`, expect: 'survive' });
      add({ name: `query ${k} as an object`, path: `${qs(without)}&${k}[$gt]=1`, expect: 'survive' });
      add({ name: `query ${k} with bad percent-encoding`, path: `${qs(without)}&${k}=%ff%fe%`, expect: 'survive' });
    }
  }

  // --- static files: nothing outside the dashboard's folder ---
  if (ep.staticFiles) {
    for (const t of [
      '/../../../../../../etc/passwd',
      '/assets/../../../package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/assets/%252e%252e/%252e%252e/package.json',
      '/..%5c..%5c..%5c..%5cpackage.json',
      '//etc/passwd',
      '/index.html%00.js',
      '/assets/..%00/..%00/package.json',
      '/.env',
      '/../../.env',
      '/assets/../../src/main.tsx',
      '/..;/..;/package.json',
    ]) {
      add({ name: `static file: ${t}`, path: t, expect: 'survive' });
    }
  }

  // --- forged client addresses: the LAN check uses the socket's peer, never a header ---
  if (ep.method === 'GET') {
    add({
      name: 'forged X-Forwarded-For / Forwarded / X-Real-IP headers',
      headers: { ...auth(), 'x-forwarded-for': '8.8.8.8, 127.0.0.1', forwarded: 'for=8.8.8.8', 'x-real-ip': '8.8.8.8' },
      expect: 'survive',
    });
  }

  // --- bodies their Content-Encoding cannot decode, on every route (a broken Brotli body was a 500, on the login too) ---
  // A route that takes no body may ignore it; one that takes a body must refuse it with a 4xx.
  const plain = Buffer.from(bodyText ?? '{}');
  const br = brotliCompressSync(plain);
  const gz = gzipSync(plain);
  for (const [what, encoding, body] of [
    ['Brotli garbage', 'br', Buffer.from('this is not brotli, only text pretending')],
    ['truncated Brotli', 'br', br.subarray(0, Math.max(1, br.length - 3))],
    ['truncated gzip', 'gzip', gz.subarray(0, gz.length - 6)],
    ['deflate garbage', 'deflate', Buffer.from('nor is this deflate')],
  ] as const) {
    add({
      name: `undecodable body: ${what} (content-encoding ${encoding})`,
      headers: { ...auth(), ...json, 'content-encoding': encoding },
      body,
      expect: ep.body ? 'reject' : 'survive',
    });
  }

  if (!ep.body) return cases;

  // --- body syntax ---
  const malformed = ['{', '{"readings": [}', "{'a': 1}", '{"a": 1,}', '{"a": NaN}', 'undefined', '{"a": "\\x41"}'];
  for (const m of malformed) add({ name: `malformed JSON ${JSON.stringify(m).slice(0, 30)}`, body: m, expect: reject });
  // Odd but decodable: a BOM, a lone surrogate escape, bytes that are not UTF-8 (decoded as U+FFFD).
  for (const m of ['\ufeff{"a":1}', '{"a": "\\ud800"}'])
    add({ name: `odd JSON ${JSON.stringify(m).slice(0, 30)}`, body: m, expect: 'survive' });
  add({
    name: 'invalid UTF-8 bytes',
    body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    expect: 'survive',
  });
  add({ name: 'empty body', body: '', expect: 'survive' });
  for (const top of ['[]', '"x"', '123', 'null', 'true']) add({ name: `top-level ${top}`, body: top, expect: reject });
  add({
    name: 'JSON sent as text/plain',
    headers: { ...auth(), 'content-type': 'text/plain' },
    body: bodyText,
    expect: reject,
  });
  add({
    name: 'form-encoded body',
    headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'readings=1&meters=2',
    expect: reject,
  });
  add({
    name: 'charset=utf-7',
    headers: { ...auth(), 'content-type': 'application/json; charset=utf-7' },
    body: bodyText,
    expect: 'survive',
  });
  // The server rightly waits for the missing bytes (Node's requestTimeout is minutes). What would be wrong, an
  // answer made from the truncated body, comes at once: half a second tells as much as a longer wait, and this
  // case is sent to every endpoint with a body.
  add({
    name: 'content-length larger than the body',
    headers: { ...auth(), ...json, 'content-length': String((bodyText?.length ?? 0) + 50) },
    body: bodyText,
    expect: 'reject',
    mayWaitMs: 500,
  });

  // --- size and depth ---
  add({ name: 'body of 12 MB', body: `{"pad": "${'x'.repeat(12 * 1024 * 1024)}"}`, expect: 'reject' });
  add({
    name: 'gzip bomb (64 MB of zeros)',
    headers: { ...auth(), ...json, 'content-encoding': 'gzip' },
    body: gzipBomb(),
    expect: 'reject',
  });
  add({
    name: 'content-encoding gzip on a plain body',
    headers: { ...auth(), ...json, 'content-encoding': 'gzip' },
    body: bodyText,
    expect: 'reject',
  });
  add({
    name: 'unsupported content-encoding',
    headers: { ...auth(), ...json, 'content-encoding': 'compress' },
    body: bodyText,
    expect: 'reject',
  });
  add({ name: 'arrays nested 10,000 deep', body: deep(10_000, '[', ']'), expect: reject });
  add({ name: 'arrays nested 400,000 deep', body: deep(400_000, '[', ']'), expect: reject });
  add({ name: 'objects nested 100,000 deep', body: deep(100_000, '{"a":', '}'), expect: reject });
  const firstArray =
    validBody && typeof validBody === 'object'
      ? Object.entries(validBody).find(([, v]) => Array.isArray(v))
      : undefined;
  if (firstArray) {
    const [field] = firstArray;
    add({ name: `${field} nested 50,000 deep`, body: `{"${field}": ${deep(50_000, '[', ']')}}`, expect: 'reject' });
    // 20,000 is enough to show a quadratic validator (it would block the event loop for seconds); 200,000 would block it for half an hour.
    add({
      name: `${field} with 20,000 nulls`,
      body: `{"${field}": [${Array(20_000).fill('null').join(',')}]}`,
      expect: 'reject',
    });
  }
  add({
    name: 'prototype pollution keys',
    body: `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`,
    expect: reject,
  });

  // --- every leaf, every wrong shape ---
  const free = new Set(ep.freeText ?? []);
  const optional = new Set(ep.optional ?? []);
  const readingTimes = new Set(ep.readingTimes ?? []);
  const emptyOk = new Set(ep.emptyOk ?? []);
  for (const leaf of leaves(validBody)) {
    if (leaf.path.length === 0) continue;
    const key = leaf.path.join('.');
    for (const [value, mustReject, what] of mutationsFor(
      leaf.value,
      free.has(key),
      optional.has(key),
      readingTimes.has(key),
      emptyOk.has(key),
    )) {
      add({
        name: `${key}: ${what}`,
        body: jsonWithRaw(withLeaf(validBody, leaf.path, value)),
        expect: mustReject ? 'reject' : 'survive',
      });
    }
  }

  // --- endpoint-specific ---
  if (ep.path === '/api/sync/readings/batch' && validBody) {
    const r = (validBody as { readings: Array<Record<string, unknown>> }).readings[0]!;
    const many = (n: number): Array<Record<string, unknown>> =>
      Array.from({ length: n }, (_, i) => ({
        ...r,
        timestamp: new Date(Date.now() - 7_200_000 - i * 1000).toISOString(),
      }));
    add({ name: 'batch of 5,001 readings', body: JSON.stringify({ readings: many(5001) }), expect: 'reject' });
    add({ name: 'batch of 60,000 readings', body: JSON.stringify({ readings: many(60_000) }), expect: 'reject' });
    const mixed = many(4999);
    mixed.push({ ...r, value: 'NaN' });
    add({
      name: '4,999 good readings and one bad: nothing stored',
      body: JSON.stringify({ readings: mixed }),
      expect: 'reject',
    });
    add({
      name: 'unknown meter',
      body: JSON.stringify({ readings: [{ ...r, meter_external_id: 'no-such-meter' }] }),
      expect: 'reject',
    });
    add({
      name: "another site's meter with my key",
      body: JSON.stringify({ readings: [{ ...r, meter_external_id: ctx.siteB.meterIds[0] }] }),
      expect: 'reject',
    });
    cases.push({
      method: ep.method,
      path,
      name: "site B's key naming site A's meter",
      headers: { 'x-api-key': creds.siteKey('B'), ...json },
      body: JSON.stringify({ readings: [{ ...r }] }),
      expect: 'reject',
      crossSite: true,
    });
  }
  return cases;
}
