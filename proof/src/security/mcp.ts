/**
 * The bad-input suite for an MCP server: every tool it lists, called through the SDK's own client
 * with arguments generated from the tool's input schema, and raw hostile JSON-RPC bodies to /mcp.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { rawRequest } from './http.js';
import { rawMcpCases } from './mcp-raw.js';
import { toolCases, type ToolCase } from './mcp-tool-cases.js';
import type { McpCaller, McpReport, McpTarget } from './mcp-types.js';
import { STACK_OR_SQL } from './run.js';

/** Internal text a tool answer must never show: PostgreSQL's own messages and SQL (beyond STACK_OR_SQL). */
const INTERNAL_TEXT =
  /invalid byte sequence|duplicate key value|insert into|delete from|update "\w+" set|\bselect\b[^\n]{0,200}\bfrom "|unterminated|PostgreSQL|\bpg_\w+/i;

/** The SDK client's own refusal of an answer that breaks the tool's outputSchema (it is an McpError, not a refusal of the call). */
const BROKEN_OUTPUT =
  /Structured content does not match the tool's output schema|has an output schema but did not return structured content|Failed to validate structured content/;

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

type Finder = (tool: string, c: string, problem: string, body?: string) => void;

/** The cases a caller gets for one tool: all of them, or only those about who may do what. */
function casesFor(t: McpTarget, caller: McpCaller, tool: Tool): ToolCase[] {
  const all: ToolCase[] = [...toolCases(tool, t.samples, t.foreign), ...(t.extraCases?.[tool.name] ?? [])];
  return caller.rolesOnly
    ? all.filter(
        (c) =>
          c.foreign ||
          c.name === 'no arguments' ||
          c.name.endsWith(': missing') ||
          c.name.startsWith('an unknown extra argument') ||
          c.name.startsWith('an extra argument'),
      )
    : all;
}

/** One hostile call and its checks: refused when it must be, one audit row, nothing internal or foreign in the answer, nothing changed by a refusal. */
async function runToolCase(
  client: Client,
  t: McpTarget,
  caller: McpCaller,
  tool: Tool,
  c: ToolCase,
  report: McpReport,
  finding: Finder,
): Promise<void> {
  const count = (k: string) => (report.outcomes[k] = (report.outcomes[k] ?? 0) + 1);
  const what = `${caller.name}: ${c.name}`;
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
    if (refused && textOf(r).trim().length < 10) finding(tool.name, what, 'a tool error without a clear message', text);
  } catch (err) {
    text = err instanceof Error ? err.message : String(err);
    if (BROKEN_OUTPUT.test(text)) {
      count('answer breaks its outputSchema');
      finding(
        tool.name,
        what,
        `the answer breaks the tool's own outputSchema, so a client that listed the tools rejects it: ${text.slice(0, 200)}`,
        text,
      );
      return;
    }
    if (err instanceof McpError && err.code === -32602) {
      refused = true;
      count('invalid params');
    } else {
      count(`failed: ${err instanceof McpError ? err.code : 'transport'}`);
      finding(tool.name, what, `the call failed instead of a tool error: ${text.slice(0, 200)}`, text);
      return;
    }
  } finally {
    report.calls += 1;
    if (auditBefore !== undefined) {
      const added = (await t.auditRows!()) - auditBefore;
      if (added !== 1) finding(tool.name, what, `the call left ${added} audit rows instead of exactly one`);
    }
  }
  if (c.expect === 'reject' && !refused) finding(tool.name, what, 'accepted instead of refused', text);
  if (STACK_OR_SQL.test(text) || INTERNAL_TEXT.test(text) || /Internal server error|internal error/i.test(text))
    finding(tool.name, what, 'the answer shows a stack trace, SQL error or internal error', text);
  // An id the caller sent may be named back ("no such meter"); anything else of the other site is a leak.
  const sent = JSON.stringify(c.args);
  for (const s of caller.mustNotSee ?? [])
    if (text.includes(s) && !sent.includes(s)) finding(tool.name, what, `another site's data came back (${s})`, text);
  if (refused) {
    const after = await t.snapshot();
    const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k}: ${before.get(k)} → ${v}`);
    if (changed.length > 0) finding(tool.name, what, `refused, yet it changed ${changed.join(', ')}`, text);
  }
}

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
  const finding: Finder = (tool, c, problem, body = '') =>
    report.findings.push({ endpoint: `${t.name} ${tool}`, case: c, problem, status: 0, body: body.slice(0, 300) });

  for (const caller of t.callers) {
    const client = await connect(t.base, caller.token);
    try {
      const { tools } = await client.listTools();
      for (const tool of tools) {
        const cases = casesFor(t, caller, tool);
        for (const c of cases) await runToolCase(client, t, caller, tool, c, report, finding);
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
