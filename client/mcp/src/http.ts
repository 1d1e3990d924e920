// The stateless Streamable HTTP handler, shared with the other MCP server; this one names the client API in its errors.
import { createMcpHttpHandler as sharedHandler, type McpHttpHandlerOptions } from '@meterit/shared/mcp-server';

export type { McpHttpHandlerOptions };

export const createMcpHttpHandler = (o: McpHttpHandlerOptions) =>
  sharedHandler({ serviceName: 'the client API', ...o });
