// Raw hostile bodies and credentials sent to /mcp, beside the SDK client.
import { rawRequest } from './http.js';
import type { McpReport, McpTarget } from './mcp-types.js';
import { STACK_OR_SQL } from './run.js';

const rpc = (method: string, params: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });
const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

/** Raw hostile bodies and credentials to POST /mcp: never a 5xx, a 4xx or a JSON-RPC error with a message. */
export async function rawMcpCases(t: McpTarget, report: McpReport): Promise<void> {
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
