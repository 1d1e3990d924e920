import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { rawRequest } from './http.js';
import { STACK_OR_SQL, type Finding, type Snapshot } from './run.js';

/**
 * The bad-input suite for an MCP server: every tool it lists, called through the SDK's own client
 * with arguments generated from the tool's input schema, and raw hostile JSON-RPC bodies to /mcp.
 */
export interface McpCaller {
  name: string;
  token: string;
  /** Strings that must never appear in an answer to this caller (another site's meter ids and name). */
  mustNotSee?: string[];
  /** Only the cases about who may do what (missing arguments, another site's ids), not every wrong value again. */
  rolesOnly?: boolean;
}

export interface McpTarget {
  name: string;
  /** Base URL of the service; /mcp is under it and /health answers. */
  base: string;
  callers: McpCaller[];
  /** Valid values by argument name (a meter id, a site id), so that one bad argument at a time is tried. */
  samples: Record<string, unknown>;
  /** Values of another site by argument name: a site-limited caller must get an error or nothing of it. */
  foreign: Record<string, unknown>;
  /** What a refused call must not change. */
  snapshot: () => Promise<Snapshot>;
  /** Bearer values that must be refused. */
  badTokens: Array<[string, string]>;
  /** Loopback address to send from. */
  source?: string;
  /** Rows in the server's MCP audit log: every tools/call, whatever its outcome, must add exactly one. */
  auditRows?: () => Promise<number>;
  /** Cases the schema cannot generate (e.g. ids that name nothing, with the arguments that get a tool that far), by tool. */
  extraCases?: Record<string, Array<{ name: string; args: Record<string, unknown>; expect: 'reject' | 'survive' }>>;
}

export interface McpReport {
  target: string;
  durationMs: number;
  tools: Array<{ tool: string; cases: number }>;
  calls: number;
  rawRequests: number;
  outcomes: Record<string, number>;
  findings: Finding[];
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  const?: unknown;
};

/** 'reject': must be a tool error or an invalid-params error. 'survive': may answer, must not fail inside. */
interface ToolCase {
  name: string;
  args: unknown;
  expect: 'reject' | 'survive';
  /** Uses another site's ids: nothing of that site may come back. */
  foreign?: boolean;
}

/** Internal text a tool answer must never show: PostgreSQL's own messages and SQL (beyond STACK_OR_SQL). */
const INTERNAL_TEXT =
  /invalid byte sequence|duplicate key value|insert into|delete from|update "\w+" set|\bselect\b[^\n]{0,200}\bfrom "|unterminated|PostgreSQL|\bpg_\w+/i;

/** The SDK client's own refusal of an answer that breaks the tool's outputSchema (it is an McpError, not a refusal of the call). */
const BROKEN_OUTPUT =
  /Structured content does not match the tool's output schema|has an output schema but did not return structured content|Failed to validate structured content/;

const SQLISH = ["'; DROP TABLE meter_readings; --", "1' OR '1'='1", '$$; TRUNCATE sites; $$'];
const ODD_STRINGS: Array<[string, string]> = [
  ['empty', ''],
  ['100k chars', 'x'.repeat(100_000)],
  ['NUL', 'nul\u0000inside'],
  ['lone surrogate', 'a\ud800b'],
  ['right-to-left override', '\u202eevil\u202c'],
  ['emoji', '😀⚡️电表'],
  ...SQLISH.map((s): [string, string] => [`SQL-looking ${s.slice(0, 12)}`, s]),
  ['traversal ../', '../../../../etc/passwd'],
  ['traversal encoded', '..%2f..%2f..%2fetc%2fpasswd'],
  ['traversal windows', '..\\..\\windows\\win.ini'],
];
const BAD_DATES = [
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00Z; DROP TABLE x',
  '0',
  '',
];

const typeOf = (s: Schema): string | undefined => {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  const alt = s.anyOf ?? s.oneOf;
  return alt ? typeOf(alt.find((a) => a.type !== 'null') ?? {}) : undefined;
};
const nullable = (s: Schema) =>
  (Array.isArray(s.type) && s.type.includes('null')) || (s.anyOf ?? s.oneOf ?? []).some((a) => a.type === 'null');
const isDate = (name: string, s: Schema) =>
  s.format === 'date-time' ||
  s.format === 'date' ||
  /^(from|to|since|until|start|end|at|day|date)$|_(at|from|to|date)$/.test(name);

function sampleFor(name: string, s: Schema, samples: Record<string, unknown>): unknown {
  if (name in samples) return samples[name];
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  switch (typeOf(s)) {
    case 'string':
      return isDate(name, s)
        ? new Date(Date.now() - 3_600_000).toISOString()
        : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () =>
        sampleFor(name.replace(/s$/, ''), s.items ?? {}, samples),
      );
    case 'object':
      return validArgs(s, samples);
    default:
      return 'x';
  }
}

/** The required arguments, and the optional ones the target gives a sample for (e.g. a short discovery timeout). */
function validArgs(schema: Schema, samples: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties ?? {})) {
    if ((schema.required ?? []).includes(name) || name in samples)
      out[name] = sampleFor(name, schema.properties?.[name] ?? {}, samples);
  }
  return out;
}

/** Wrong values for one argument: [what, value, must it be refused?]. */
function wrongValues(name: string, s: Schema): Array<[string, unknown, boolean]> {
  const t = typeOf(s);
  const out: Array<[string, unknown, boolean]> = [['null', null, !nullable(s)]];
  const notString = t !== 'string';
  out.push(
    ['a number', 12345, t !== 'number' && t !== 'integer'],
    ['a boolean', true, t !== 'boolean'],
    ['an object', { $gt: '' }, t !== 'object'],
    ['a nested array', [[[]]], true],
  );
  if (t !== 'array') out.push(['an array', ['x'], true]);
  if (t === 'string') {
    const limited = s.enum !== undefined || s.pattern !== undefined || s.format !== undefined;
    for (const [what, v] of ODD_STRINGS) {
      const tooLong = s.maxLength !== undefined && v.length > s.maxLength;
      const tooShort = v.length < (s.minLength ?? 0);
      out.push([what, v, tooLong || tooShort || (limited && !(s.enum ?? []).includes(v))]);
    }
    if (isDate(name, s)) for (const d of BAD_DATES) out.push([`date ${JSON.stringify(d)}`, d, true]);
  }
  if (t === 'number' || t === 'integer') {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1e-9 : -Infinity);
    const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1e-9 : Infinity);
    for (const v of [-1, 0, 1.5, 2 ** 53 + 2, 1e308, -1e308])
      out.push([`number ${v}`, v, v < lo || v > hi || (t === 'integer' && !Number.isInteger(v))]);
    out.push(['a numeric string', '1', notString]);
  }
  if (t === 'array') {
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    out.push(['an empty array', [], (s.minItems ?? 0) > 0], ['10,000 elements', big, true], ['a string', 'x', true]);
    if (s.items)
      for (const [what, v, bad] of wrongValues(name, s.items).slice(0, 8)) out.push([`element ${what}`, [v], bad]);
  }
  return out;
}

export function toolCases(tool: Tool, samples: Record<string, unknown>, foreign: Record<string, unknown>): ToolCase[] {
  const schema = tool.inputSchema as Schema;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const valid = validArgs(schema, samples);
  const cases: ToolCase[] = [];
  if (required.size > 0) cases.push({ name: 'no arguments', args: {}, expect: 'reject' });
  for (const name of required) {
    const { [name]: _gone, ...rest } = valid;
    cases.push({ name: `${name}: missing`, args: rest, expect: 'reject' });
  }
  cases.push({
    name: 'an unknown extra argument',
    args: { ...valid, __proto__injected: 'x', constructor: { prototype: { polluted: true } } },
    expect: 'survive',
  });
  // Ignored by the tool, yet kept by the audit log, which must still write its row.
  cases.push({ name: 'an extra argument holding NUL', args: { ...valid, note: 'nul\u0000inside' }, expect: 'survive' });
  cases.push({
    name: 'an extra argument whose name holds NUL',
    args: { ...valid, 'no\u0000te': 1 },
    expect: 'survive',
  });
  cases.push({
    name: 'an extra argument holding an unpaired surrogate',
    args: { ...valid, note: 'a\ud800b' },
    expect: 'survive',
  });
  cases.push({ name: 'arguments as an array', args: [valid], expect: 'reject' });
  for (const [name, s] of Object.entries(props)) {
    for (const [what, v, bad] of wrongValues(name, s)) {
      cases.push({ name: `${name}: ${what}`, args: { ...valid, [name]: v }, expect: bad ? 'reject' : 'survive' });
    }
  }
  // Another site's ids, wherever the tool takes one.
  for (const [name, v] of Object.entries(foreign)) {
    if (name in props)
      cases.push({ name: `${name}: another site's`, args: { ...valid, [name]: v }, expect: 'survive', foreign: true });
  }
  return cases;
}

async function connect(base: string, token: string): Promise<Client> {
  const c = new Client({ name: 'meterit-bad-input', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return c;
}

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

export async function runMcpSecurity(t: McpTarget, log?: (line: string) => void): Promise<McpReport> {
  const started = Date.now();
  const report: McpReport = {
    target: t.name,
    durationMs: 0,
    tools: [],
    calls: 0,
    rawRequests: 0,
    outcomes: {},
    findings: [],
  };
  const finding = (tool: string, c: string, problem: string, body = '') =>
    report.findings.push({ endpoint: `${t.name} ${tool}`, case: c, problem, status: 0, body: body.slice(0, 300) });
  const count = (k: string) => (report.outcomes[k] = (report.outcomes[k] ?? 0) + 1);

  for (const caller of t.callers) {
    const client = await connect(t.base, caller.token);
    try {
      const { tools } = await client.listTools();
      for (const tool of tools) {
        const all: ToolCase[] = [...toolCases(tool, t.samples, t.foreign), ...(t.extraCases?.[tool.name] ?? [])];
        const cases = caller.rolesOnly
          ? all.filter(
              (c) =>
                c.foreign ||
                c.name === 'no arguments' ||
                c.name.endsWith(': missing') ||
                c.name.startsWith('an unknown extra argument') ||
                c.name.startsWith('an extra argument'),
            )
          : all;
        for (const c of cases) {
          const before = await t.snapshot();
          const auditBefore = await t.auditRows?.();
          let refused = false;
          let text = '';
          try {
            const r = (await client.callTool({
              name: tool.name,
              arguments: c.args as Record<string, unknown>,
            })) as CallToolResult;
            text = textOf(r) + JSON.stringify(r.structuredContent ?? '');
            refused = r.isError === true;
            count(refused ? 'tool error' : 'answered');
            if (refused && textOf(r).trim().length < 10)
              finding(tool.name, `${caller.name}: ${c.name}`, 'a tool error without a clear message', text);
          } catch (err) {
            text = err instanceof Error ? err.message : String(err);
            if (BROKEN_OUTPUT.test(text)) {
              count('answer breaks its outputSchema');
              finding(
                tool.name,
                `${caller.name}: ${c.name}`,
                `the answer breaks the tool's own outputSchema, so a client that listed the tools rejects it: ${text.slice(0, 200)}`,
                text,
              );
              continue;
            }
            if (err instanceof McpError && err.code === -32602) {
              refused = true;
              count('invalid params');
            } else {
              count(`failed: ${err instanceof McpError ? err.code : 'transport'}`);
              finding(
                tool.name,
                `${caller.name}: ${c.name}`,
                `the call failed instead of a tool error: ${text.slice(0, 200)}`,
                text,
              );
              continue;
            }
          } finally {
            report.calls += 1;
            if (auditBefore !== undefined) {
              const added = (await t.auditRows!()) - auditBefore;
              if (added !== 1)
                finding(
                  tool.name,
                  `${caller.name}: ${c.name}`,
                  `the call left ${added} audit rows instead of exactly one`,
                );
            }
          }
          if (c.expect === 'reject' && !refused)
            finding(tool.name, `${caller.name}: ${c.name}`, 'accepted instead of refused', text);
          if (STACK_OR_SQL.test(text) || INTERNAL_TEXT.test(text) || /Internal server error|internal error/i.test(text))
            finding(
              tool.name,
              `${caller.name}: ${c.name}`,
              'the answer shows a stack trace, SQL error or internal error',
              text,
            );
          // An id the caller sent may be named back ("no such meter"); anything else of the other site is a leak.
          const sent = JSON.stringify(c.args);
          for (const s of caller.mustNotSee ?? [])
            if (text.includes(s) && !sent.includes(s))
              finding(tool.name, `${caller.name}: ${c.name}`, `another site's data came back (${s})`, text);
          if (refused) {
            const after = await t.snapshot();
            const changed = [...after]
              .filter(([k, v]) => before.get(k) !== v)
              .map(([k, v]) => `${k}: ${before.get(k)} → ${v}`);
            if (changed.length > 0)
              finding(tool.name, `${caller.name}: ${c.name}`, `refused, yet it changed ${changed.join(', ')}`, text);
          }
        }
        // The server keeps serving after each tool's burst.
        const again = await client.listTools().catch((err: Error) => err);
        if (again instanceof Error)
          finding(tool.name, '(after the burst)', `the server stopped answering: ${again.message}`);
        report.tools.push({ tool: `${tool.name} (${caller.name})`, cases: cases.length });
      }
      log?.(`security: ${t.name} as ${caller.name}: ${tools.length} tools`);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  await rawMcpCases(t, report);
  const health = await rawRequest(t.base, { method: 'GET', path: '/health' }, 30_000, t.source);
  if (health.status !== 200)
    finding('/health', '(after everything)', 'the service stopped answering /health', health.text);
  report.durationMs = Date.now() - started;
  return report;
}

const rpc = (method: string, params: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });
const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

/** Raw hostile bodies and credentials to POST /mcp: never a 5xx, a 4xx or a JSON-RPC error with a message. */
async function rawMcpCases(t: McpTarget, report: McpReport): Promise<void> {
  const token = t.callers[0]!.token;
  const std = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const authed = { ...std, authorization: `Bearer ${token}` };
  const list = rpc('tools/list', {});
  const cases: Array<{
    name: string;
    method?: string;
    headers: Record<string, string>;
    body?: string;
    expect: 'reject' | 'survive';
  }> = [
    // An empty batch holds no request: the SDK acknowledges it (202) and does nothing.
    { name: 'an empty batch []', headers: authed, body: '[]', expect: 'survive' },
    ...[
      '{',
      '{"jsonrpc":"2.0",',
      "{'a':1}",
      'null',
      '"x"',
      '123',
      '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}}',
    ].map((b) => ({
      name: `malformed JSON-RPC ${b.slice(0, 20)}`,
      headers: authed,
      body: b,
      expect: 'reject' as const,
    })),
    {
      name: 'a batch of two requests',
      headers: authed,
      body: `[${list},${rpc('tools/list', {}, 2)}]`,
      expect: 'survive',
    },
    {
      name: 'a batch of 5,000 requests',
      headers: authed,
      body: `[${Array.from({ length: 5000 }, (_, i) => rpc('tools/list', {}, i)).join(',')}]`,
      expect: 'survive',
    },
    {
      name: 'a 2 MB body',
      headers: authed,
      body: rpc('tools/call', { name: 'x', arguments: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
      expect: 'reject',
    },
    {
      name: 'arrays nested 100,000 deep',
      headers: authed,
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deep(100_000)}}`,
      expect: 'reject',
    },
    { name: 'an unknown method', headers: authed, body: rpc('admin/shutdown', {}), expect: 'reject' },
    {
      name: 'an unknown tool',
      headers: authed,
      body: rpc('tools/call', { name: '../../etc/passwd', arguments: {} }),
      expect: 'reject',
    },
    { name: 'tools/call with params a string', headers: authed, body: rpc('tools/call', 'x'), expect: 'reject' },
    {
      name: 'tools/call with arguments a string',
      headers: authed,
      body: rpc('tools/call', { name: 'get_site_status', arguments: "'; DROP TABLE x; --" }),
      expect: 'reject',
    },
    {
      name: 'an id that is an object',
      headers: authed,
      body: JSON.stringify({ jsonrpc: '2.0', id: { $gt: 1 }, method: 'tools/list' }),
      expect: 'reject',
    },
    {
      name: 'jsonrpc 1.0',
      headers: authed,
      body: JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'tools/list' }),
      expect: 'reject',
    },
    { name: 'text/plain', headers: { ...authed, 'content-type': 'text/plain' }, body: list, expect: 'reject' },
    {
      name: 'no Accept header',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: list,
      expect: 'reject',
    },
    { name: 'GET (event stream)', method: 'GET', headers: authed, expect: 'reject' },
    { name: 'DELETE (end session)', method: 'DELETE', headers: authed, expect: 'reject' },
    { name: 'PUT', method: 'PUT', headers: authed, body: list, expect: 'reject' },
    { name: 'a foreign Origin', headers: { ...authed, origin: 'http://evil.example' }, body: list, expect: 'reject' },
    ...t.badTokens.map(([name, bearer]) => ({
      name: `auth: ${name}`,
      headers: bearer === '' ? std : { ...std, authorization: bearer },
      body: list,
      expect: 'reject' as const,
    })),
  ];
  for (const c of cases) {
    const r = await rawRequest(
      t.base,
      {
        method: c.method ?? 'POST',
        path: '/mcp',
        headers: c.headers,
        ...(c.body === undefined ? {} : { body: c.body }),
      },
      30_000,
      t.source,
    );
    report.rawRequests += 1;
    const key = `raw ${r.status}`;
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
    const add = (problem: string) =>
      report.findings.push({
        endpoint: `${t.name} /mcp`,
        case: c.name,
        problem,
        status: r.status,
        body: r.text.slice(0, 300),
      });
    if (r.status === 0 || r.status >= 500) {
      add(r.status === 0 ? `no HTTP answer (${r.text})` : `answered ${r.status}`);
      continue;
    }
    type Answer = { error?: { message?: unknown }; result?: { isError?: boolean; content?: Array<{ text?: string }> } };
    const body = r.json as Answer | Answer[] | undefined;
    // A JSON-RPC error, or a tool error result (an unknown tool is answered as one), refuses the request.
    const errors = (Array.isArray(body) ? body : [body])
      .map((b) => b?.error ?? (b?.result?.isError ? { message: b.result.content?.[0]?.text } : undefined))
      .filter((e) => e !== undefined);
    const transportLevel = (r.status === 431 || r.status === 400) && r.text === '';
    if (
      r.status >= 400 &&
      !transportLevel &&
      !errors.some((e) => typeof e.message === 'string' && e.message.length >= 10)
    )
      add(`a ${r.status} without a clear error message`);
    if (c.expect === 'reject' && r.status < 400 && errors.length === 0)
      add(`accepted (${r.status}) instead of refused`);
    if (STACK_OR_SQL.test(r.text)) add('the answer shows a stack trace, SQL error or internal error name');
  }
}

export function formatMcpReport(r: McpReport, limit = 40): string {
  return [
    `bad-input report, ${r.target} (${(r.durationMs / 1000).toFixed(0)} s): ${r.calls} hostile tool calls over ${r.tools.length} tool×caller pairs, ${r.rawRequests} raw /mcp requests, outcomes ${JSON.stringify(r.outcomes)}`,
    `  findings: ${r.findings.length}`,
    ...r.findings
      .slice(0, limit)
      .map(
        (f) => `    ${f.endpoint} — ${f.case}: ${f.problem} [${f.status}] ${f.body.replace(/\s+/g, ' ').slice(0, 160)}`,
      ),
  ].join('\n');
}
