import type { Knex } from 'knex';
import { siteAMarks, type Ctx, type EndpointSpec } from './endpoint-spec.js';
import { ENDPOINTS } from './endpoints.js';
import { hostileCases } from './hostile.js';
import { authHeaders, type Creds, type HostileCase, type HostileOptions } from './hostile-case.js';
import { rawRequest, type RawResponse } from './http.js';

export interface Finding {
  endpoint: string;
  case: string;
  problem: string;
  status: number;
  body: string;
}

export interface SecurityReport {
  endpoints: Array<{ endpoint: string; present: boolean; cases: number; ms?: number; note?: string }>;
  requests: number;
  byStatus: Record<string, number>;
  findings: Finding[];
  durationMs: number;
}

/** A hostile request answered slower than this is a finding (the machine is shared and noisy, hence generous). */
const SLOW_MS = 5000;

// Tables a rejected request may legitimately write to (an audit trail of the rejection itself).
// sync_batches logs every batch answer, rejected ones included (so the site's history shows them).
const SIDE_EFFECT_TABLES = /audit|attempt|login_fail|^sync_batches$/i;
// Tables the API's energy rollup worker writes on its own timer, whatever the request: the queue of what ingest stored
// (applied and emptied in the background) and the rollups derived from the readings. A partial store would show in
// meter_readings itself, which is counted.
const BACKGROUND_TABLES =
  /^(rollup_changes|rollup_state|energy_quarter_hours|power_quarter_hours|energy_rollups|site_energy_rollups|energy_counter_events)$/;
const FILE_LEAK =
  /root:x:0:0|"devDependencies"|PRIVATE KEY-----|\[extensions\]|DATABASE_URL=|JWT_SECRET=|POSTGRES_PASSWORD|LOCAL_API_TOKEN=|"name": "@meterit\/|^import /m;
export const STACK_OR_SQL =
  /\n\s+at .+:\d+:\d+|node_modules|syntax error at or near|violates .* constraint|relation "|invalid input syntax|QueryFailedError|TypeError|ReferenceError/;

export type Snapshot = Map<string, number | string>;

export async function tableCounts(db: Knex): Promise<Snapshot> {
  // One round trip for every table (query_to_xml runs the count of each): this runs twice per hostile request.
  const r = (await db.raw(
    `SELECT tablename AS t, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', tablename), false, true, '')))[1]::text AS n
       FROM pg_tables WHERE schemaname = 'public'`,
  )) as { rows: Array<{ t: string; n: string }> };
  const out: Snapshot = new Map();
  for (const { t, n } of r.rows) {
    if (t.startsWith('knex_') || SIDE_EFFECT_TABLES.test(t) || BACKGROUND_TABLES.test(t)) continue;
    out.set(t, Number(n));
  }
  return out;
}

function diff(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const [t, n] of b) if (a.get(t) !== n) out.push(`${t}: ${a.get(t) ?? 0} → ${n}`);
  return out;
}

async function present(
  base: string,
  ep: EndpointSpec,
  ctx: Ctx,
  creds: Creds,
  from?: string,
): Promise<{ present: boolean; note?: string }> {
  if (ep.auth === 'operator' && !creds.bearer) {
    // Without a login we can still tell whether the route exists: an unauthenticated call answers 401, not 404.
    const r = await rawRequest(
      base,
      { method: ep.method, path: ep.path.replace(/:(\w+)/g, String(ctx.siteA.id)) },
      30_000,
      from,
    );
    if (r.status === 404) return { present: false, note: 'not in this build' };
    return { present: true, note: 'no operator login available: credential cases only' };
  }
  const headers = authHeaders(ep, creds);
  const body = ep.body?.(ctx);
  const path =
    ep.path.replace(/:(\w+)/g, (_m, k: string) => ep.params?.(ctx)[k] ?? '1') + (ep.query ? `?${ep.query(ctx)}` : '');
  const r = await rawRequest(
    base,
    {
      method: ep.method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    30_000,
    from,
  );
  const noRoute = r.status === 404 && /no route/i.test(r.text);
  return noRoute ? { present: false, note: 'not in this build' } : { present: true };
}

function checkAnswer(c: HostileCase, r: RawResponse, ctx: Ctx, creds: Creds): string[] {
  const problems: string[] = [];
  if (r.status === 0) problems.push(`no HTTP answer (${r.text})`);
  else if (r.status >= 500) problems.push(`answered ${r.status}`);
  else if (c.expect === 'reject' && (r.status < 400 || r.status >= 500))
    problems.push(`accepted (${r.status}) instead of a 4xx`);
  if (r.status >= 400 && r.status < 500) {
    const err = (r.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    // Node's own HTTP parser answers header overflows (431) and broken requests (400) before the app, without a body.
    const transportLevel = (r.status === 431 || r.status === 400) && r.text === '';
    if (
      !transportLevel &&
      (typeof err?.code !== 'string' || typeof err.message !== 'string' || err.message.length < 10)
    ) {
      problems.push(`a ${r.status} without a clear {error:{code,message}} body`);
    }
    if (c.code !== undefined && err?.code !== c.code) problems.push(`refused with ${String(err?.code)}, not ${c.code}`);
  }
  if (FILE_LEAK.test(r.text)) problems.push('the answer contains a file from the server (path traversal)');
  if (STACK_OR_SQL.test(r.text)) problems.push('the answer shows a stack trace, SQL error or internal error name');
  if (r.text.includes(creds.siteKey('A')) || r.text.includes(creds.siteKey('B')))
    problems.push('the answer contains an API key');
  if (creds.controlToken && r.text.includes(creds.controlToken)) problems.push('the answer contains the control token');
  if (c.crossSite) {
    const sent = typeof c.body === 'string' ? c.body : (c.body?.toString('utf8') ?? '');
    const leaked = siteAMarks(ctx).filter((id) => r.text.includes(id) && !sent.includes(id));
    if (leaked.length > 0) problems.push(`a caller of site B got site A's ${leaked.join(', ')}`);
  }
  return problems;
}

/** Send every hostile case to every endpoint present; after each endpoint's burst the server must still answer /health. */
export async function runSecurity(opts: {
  base: string;
  /** What a rejected request must not change: by default the row count of every table of `db`. */
  db?: Knex;
  snapshot?: () => Promise<Snapshot>;
  /** Loopback addresses to send from, one per endpoint in turn (rate limits on failed credentials count per address). */
  sources?: string[];
  ctx: Ctx;
  creds: Creds;
  endpoints?: EndpointSpec[];
  alive: () => boolean;
  log?: (line: string) => void;
  /** What the server promises besides each endpoint's rules (e.g. the agent's Host guard). */
  promises?: HostileOptions;
}): Promise<SecurityReport> {
  const started = Date.now();
  const report: SecurityReport = { endpoints: [], requests: 0, byStatus: {}, findings: [], durationMs: 0 };
  const db = opts.db;
  const snapshot = opts.snapshot ?? (db ? () => tableCounts(db) : async (): Promise<Snapshot> => new Map());
  let n = 0;
  for (const ep of opts.endpoints ?? ENDPOINTS) {
    const name = `${ep.method} ${ep.path}`;
    const from = opts.sources?.[n++ % opts.sources.length];
    const p = await present(opts.base, ep, opts.ctx, opts.creds, from);
    if (!p.present) {
      report.endpoints.push({ endpoint: name, present: false, cases: 0, ...(p.note ? { note: p.note } : {}) });
      continue;
    }
    const epStarted = Date.now();
    let cases = hostileCases(ep, opts.ctx, opts.creds, opts.promises);
    if (p.note) cases = cases.filter((c) => c.name.startsWith('auth:'));
    for (const c of cases) {
      const t0 = Date.now();
      const before = await snapshot();
      const r = await rawRequest(opts.base, c, c.mayWaitMs ?? 30_000, from);
      const tookMs = Date.now() - t0;
      report.requests += 1;
      report.byStatus[String(r.status)] = (report.byStatus[String(r.status)] ?? 0) + 1;
      const problems = c.mayWaitMs !== undefined && r.status === 0 ? [] : checkAnswer(c, r, opts.ctx, opts.creds);
      // One request must not hold the server: a single-threaded API blocked for seconds is down for every site.
      if (tookMs > SLOW_MS && c.mayWaitMs === undefined)
        problems.push(`took ${(tookMs / 1000).toFixed(1)} s to answer`);
      if (r.status >= 400 || c.crossSite) {
        const changed = diff(before, await snapshot());
        // A cross-site registration legitimately creates site B's own meter; anything else must leave no trace.
        const allowed = c.crossSite && r.status < 400 && ep.path === '/api/sync/meters';
        if (changed.length > 0 && !allowed && r.status >= 400)
          problems.push(`rejected, yet rows changed: ${changed.join(', ')}`);
      }
      if (tookMs > SLOW_MS) opts.log?.(`security: ${name}: ${c.name} took ${tookMs} ms`);
      for (const problem of problems)
        report.findings.push({ endpoint: name, case: c.name, problem, status: r.status, body: r.text.slice(0, 300) });
    }
    const health = await rawRequest(opts.base, { method: 'GET', path: '/health' }, 30_000, from);
    if (health.status !== 200 || !opts.alive()) {
      report.findings.push({
        endpoint: name,
        case: '(after the burst)',
        problem: 'the server stopped answering /health',
        status: health.status,
        body: health.text.slice(0, 300),
      });
    }
    report.endpoints.push({
      endpoint: name,
      present: true,
      cases: cases.length,
      ms: Date.now() - epStarted,
      ...(p.note ? { note: p.note } : {}),
    });
    opts.log?.(`security: ${name}: ${cases.length} hostile requests`);
  }
  report.durationMs = Date.now() - started;
  return report;
}

export function formatSecurityReport(r: SecurityReport, limit = 40): string {
  const lines = [
    `bad-input report (${(r.durationMs / 1000).toFixed(0)} s): ${r.requests} hostile requests, answers ${JSON.stringify(r.byStatus)}`,
    ...r.endpoints.map(
      (e) =>
        `  ${e.present ? '✓' : '-'} ${e.endpoint.padEnd(44)} ${e.present ? `${e.cases} cases` : ''}${e.ms === undefined ? '' : ` in ${(e.ms / 1000).toFixed(1)} s`}${e.note ? ` (${e.note})` : ''}`,
    ),
    `  findings: ${r.findings.length}`,
    ...r.findings
      .slice(0, limit)
      .map(
        (f) => `    ${f.endpoint} — ${f.case}: ${f.problem} [${f.status}] ${f.body.replace(/\s+/g, ' ').slice(0, 160)}`,
      ),
  ];
  return lines.join('\n');
}
