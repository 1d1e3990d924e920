import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createAuditedMcpServer } from '@meterit/shared/mcp-server';
import type { ClientMcpContext } from './context.js';
import type { ClientOperations } from './operations.js';
import { registerClientTools } from './tools/index.js';

export const SERVER_NAME = 'meterit-client';

const INSTRUCTIONS =
  "Tools of the MeterIT client system: every site's energy meters, readings, consumption and alerts in one place. " +
  'Start with get_site_status for "is site X healthy, and if not why"; get_consumption for "how much energy did each site use last week"; ' +
  'query_meters and query_readings for single meters and values; generate_report for a multi-site report to forward. ' +
  'configure_alert_rules and send_alert_email change things and need the operator or admin role. You only see the sites your user may see.';

/**
 * The client system's MCP server for one caller (user) on one transport. Its tools act on the
 * running API through `ops`. Every tools/call — including unknown tools and arguments that fail
 * validation, which the SDK answers before any tool code runs — reaches `ctx.onToolCall` once.
 */
export function createClientMcpServer(
  ops: ClientOperations,
  ctx: ClientMcpContext,
): { server: McpServer; close: () => Promise<void> } {
  const { server, markForbidden } = createAuditedMcpServer(
    { name: SERVER_NAME, title: 'MeterIT client system', version: ctx.version ?? '0.1.0', instructions: INSTRUCTIONS },
    (call) =>
      ctx.onToolCall?.({
        ...call,
        userId: ctx.user.id,
        email: ctx.user.email,
        role: ctx.user.role,
        principal: ctx.principal,
      }),
  );

  registerClientTools(server, {
    ops,
    user: ctx.user,
    now: ctx.now ?? Date.now,
    markForbidden,
    ...(ctx.onInternalError ? { onInternalError: ctx.onInternalError } : {}),
  });

  return { server, close: () => server.close() };
}

export { auditArguments } from '@meterit/shared/mcp-server';
