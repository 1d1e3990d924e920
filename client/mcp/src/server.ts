import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, type CallToolRequest, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ClientMcpContext, ToolCallRecord, ToolOutcome } from './context.js';
import type { ClientOperations } from './operations.js';
import { registerClientTools } from './tools/index.js';

export const SERVER_NAME = 'meterit-client';

const INSTRUCTIONS =
  'Tools of the MeterIT client system: every site\'s energy meters, readings, consumption and alerts in one place. ' +
  'Start with get_site_status for "is site X healthy, and if not why"; get_consumption for "how much energy did each site use last week"; ' +
  'query_meters and query_readings for single meters and values; generate_report for a multi-site report to forward. ' +
  'configure_alert_rules and send_alert_email change things and need the operator or admin role. You only see the sites your user may see.';

const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|credential/i;
const MAX_ARGUMENT_CHARS = 4000;

/** Arguments as the audit log keeps them: secrets redacted, size bounded. */
export function auditArguments(args: unknown): Record<string, unknown> {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return {};
  const redact = (v: unknown, depth: number): unknown => {
    if (depth > 4) return '…';
    if (Array.isArray(v)) return v.slice(0, 100).map((x) => redact(x, depth + 1));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(x, depth + 1)]));
    }
    return typeof v === 'string' && v.length > 500 ? `${v.slice(0, 500)}…` : v;
  };
  const out = redact(args, 0) as Record<string, unknown>;
  const text = JSON.stringify(out);
  return text.length > MAX_ARGUMENT_CHARS ? { truncated: text.slice(0, MAX_ARGUMENT_CHARS) } : out;
}

const errorText = (r: CallToolResult): string | null => {
  const first = r.content?.[0];
  return first && first.type === 'text' ? first.text : null;
};

/**
 * The client system's MCP server for one caller (user) on one transport. Its tools act on the
 * running API through `ops`. Every tools/call — including unknown tools and arguments that fail
 * validation, which the SDK answers before any tool code runs — reaches `ctx.onToolCall` once.
 */
export function createClientMcpServer(ops: ClientOperations, ctx: ClientMcpContext): { server: McpServer; close: () => Promise<void> } {
  const server = new McpServer({ name: SERVER_NAME, title: 'MeterIT client system', version: ctx.version ?? '0.1.0' }, { instructions: INSTRUCTIONS });
  const forbidden = new Set<string | number>();

  // The SDK installs its tools/call handler when the first tool is registered, through this method.
  // Wrapping it here (before registering) is the one place that sees every call and its final answer.
  const low = server.server;
  const install = low.setRequestHandler.bind(low) as (schema: unknown, handler: (request: unknown, extra: unknown) => unknown) => void;
  (low as unknown as { setRequestHandler: typeof install }).setRequestHandler = (schema, handler) => {
    if (schema !== CallToolRequestSchema) {
      install(schema, handler);
      return;
    }
    install(schema, async (request: unknown, extra: unknown) => {
      const req = request as CallToolRequest;
      const started = Date.now();
      const requestId = (extra as { requestId: string | number }).requestId;
      let result: CallToolResult | undefined;
      try {
        result = (await handler(request, extra)) as CallToolResult;
        return result;
      } finally {
        const text = result ? errorText(result) : 'the call failed before it answered';
        const outcome: ToolOutcome = !result
          ? 'error'
          : !result.isError
            ? 'ok'
            : forbidden.has(requestId)
              ? 'forbidden'
              : text && /Input validation error|Invalid arguments for tool/.test(text)
                ? 'invalid'
                : 'error';
        forbidden.delete(requestId);
        const record: ToolCallRecord = {
          at: new Date(started),
          tool: req.params.name,
          userId: ctx.user.id,
          email: ctx.user.email,
          role: ctx.user.role,
          principal: ctx.principal,
          arguments: auditArguments(req.params.arguments),
          durationMs: Date.now() - started,
          outcome,
          error: outcome === 'ok' ? null : text,
        };
        try {
          await ctx.onToolCall?.(record);
        } catch {
          // The caller of createClientMcpServer logs its own audit failures; the tool's answer stands.
        }
      }
    });
  };

  registerClientTools(server, {
    ops,
    user: ctx.user,
    now: ctx.now ?? Date.now,
    markForbidden: (id) => forbidden.add(id),
  });

  return { server, close: () => server.close() };
}
