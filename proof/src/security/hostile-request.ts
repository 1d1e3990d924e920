// Hostile requests about the request line and headers: path parameters, traversal, query strings, static files,
// forged addresses and undecodable encodings.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { CaseSet } from './hostile-case.js';
import { SQLISH, TRAVERSAL } from './hostile-values.js';

/** Each path parameter traversing, or naming another site. */
export function pathParamCases(set: CaseSet): void {
  const { ctx, params, fill, query, add } = set;
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
    // With the valid body: refused for the parameter, not for a missing body.
    for (const v of set.ep.refusedParams?.[name] ?? [])
      add({
        name: `path param ${name} = ${v} (refused)`,
        path: fill({ ...params, [name]: encodeURIComponent(v) }) + query,
        ...(set.bodyText === undefined ? {} : { body: set.bodyText }),
        expect: 'reject',
        code: 'VALIDATION_FAILED',
      });
  }
}

/** Path traversal around the route itself (sent unnormalised). */
export function routeTraversalCases(set: CaseSet): void {
  const { ep, add } = set;
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
}

/** Query strings: SQL-looking, repeated, and far too many parameters. */
export function queryStringCases(set: CaseSet): void {
  const { ep, params, fill, add } = set;
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
}

/** Each query parameter, wrong. */
export function queryParamCases(set: CaseSet): void {
  const { ep, ctx, params, fill, add } = set;
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
}

/** Static files: nothing outside the dashboard's folder. */
export function staticFileCases(set: CaseSet): void {
  const { ep, add } = set;
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
}

/** Forged client addresses: the LAN check uses the socket's peer, never a header. */
export function forgedAddressCases(set: CaseSet): void {
  const { ep, auth, add } = set;
  // --- forged client addresses: the LAN check uses the socket's peer, never a header ---
  if (ep.method === 'GET') {
    add({
      name: 'forged X-Forwarded-For / Forwarded / X-Real-IP headers',
      headers: { ...auth(), 'x-forwarded-for': '8.8.8.8, 127.0.0.1', forwarded: 'for=8.8.8.8', 'x-real-ip': '8.8.8.8' },
      expect: 'survive',
    });
  }
}

/** Bodies their Content-Encoding cannot decode, on every route (a broken Brotli body was a 500, on the login too). */
export function undecodableBodyCases(set: CaseSet): void {
  const { ep, auth, json, add, bodyText } = set;
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
}
