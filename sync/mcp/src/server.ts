import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createAuditedMcpServer } from '@meterit/shared/mcp-server';
import type { SiteMcpContext } from './context.js';
import type { SiteOperations } from './operations.js';
import { registerSiteTools } from './tools/index.js';

export const SERVER_NAME = 'meterit-site';

const INSTRUCTIONS =
  'Tools of one MeterIT site agent (BACnet energy meters → local queue → client system). ' +
  'Start with get_sync_status for "is this site healthy, and if not why"; get_meter_status for single meters; ' +
  'query_meter_readings for what is stored locally (history lives in the client system). ' +
  'start_collection / stop_collection / trigger_sync / retry_dead_letters change the running agent and need the operator role.';

/**
 * The site's MCP server for one caller (role) on one transport. Its tools act on the running agent
 * through `ops`. Every tools/call — including unknown tools and arguments that fail validation,
 * which the SDK answers before any tool code runs — reaches `ctx.onToolCall` once.
 */
export function createSiteMcpServer(
  ops: SiteOperations,
  ctx: SiteMcpContext,
): { server: McpServer; close: () => Promise<void> } {
  const { server, markForbidden } = createAuditedMcpServer(
    {
      name: SERVER_NAME,
      title: 'MeterIT site agent',
      version: ctx.version ?? '0.1.0',
      instructions: INSTRUCTIONS,
      maxToolInputElements: 20_000,
    },
    (call) => ctx.onToolCall?.({ ...call, role: ctx.role, principal: ctx.principal }),
  );

  registerSiteTools(server, {
    ops,
    role: ctx.role,
    now: ctx.now ?? Date.now,
    markForbidden,
  });

  return { server, close: () => server.close() };
}

export { auditArguments } from '@meterit/shared/mcp-server';
