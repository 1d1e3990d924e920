// Hostile requests about credentials: missing, forged or borrowed keys and tokens, other users and other sites.
import { randomBytes } from 'node:crypto';
import { b64, signJwt, type CaseSet } from './hostile-case.js';

/** A site key missing, forged, altered or in the wrong place. */
export function siteKeyCases(set: CaseSet): void {
  const { ep, creds } = set;
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
    refuseEach(set, variants);
  }
}

/** Operator tokens missing, forged, unsigned, expired, or a site key instead. */
export function operatorTokenCases(set: CaseSet): void {
  const { ep, creds } = set;
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
    refuseEach(set, variants);
  }
}

/** Other users: a lower role, and an operator limited to site B asking for site A's things. */
export function otherUserCases(set: CaseSet): void {
  const { ep, creds, json, base, cases, bodyText } = set;
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
}

/** An operator limited to site B on a rule that covers every site: it would silence alerts of sites they cannot see. */
export function allSiteRuleCases(set: CaseSet): void {
  const { ep, ctx, creds, params, fill, query, path, json, cases } = set;
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
}

/** The site agent's control token missing, forged, altered or in the wrong place. */
export function controlTokenCases(set: CaseSet): void {
  const { ep, creds } = set;
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
    refuseEach(set, variants);
  }
}

/** DNS rebinding: a page whose name was re-pointed at the server, with valid credentials and body. */
export function rebindingCases(set: CaseSet): void {
  const { ep, opts, auth, json, add, bodyText } = set;
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
}

/** Site B's key on site A's request. */
export function otherSiteKeyCases(set: CaseSet): void {
  const { ep, creds, json, base, cases, bodyText } = set;
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
}

/** Each credential variant on the valid request: every one must be refused. */
function refuseEach(set: CaseSet, variants: Array<[string, Record<string, string>]>): void {
  const { ep, json, base, cases, bodyText } = set;
  for (const [name, headers] of variants)
    cases.push({
      ...base,
      name: `auth: ${name}`,
      headers: { ...headers, ...(ep.body ? json : {}) },
      body: bodyText,
      expect: 'reject',
    });
}
