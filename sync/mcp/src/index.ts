// The site MCP server: tools acting on the running agent, the Streamable HTTP handler the agent
// mounts at /mcp, and the stdio bridge (dist/stdio.js) desktop assistants start.
export { createSiteMcpServer, SERVER_NAME, auditArguments } from './server.js';
export { createMcpHttpHandler } from './http.js';
export type { McpHttpHandlerOptions } from './http.js';
export { startStdioBridge, describeFailure } from './bridge.js';
export type { StdioBridgeOptions, BridgeLogger } from './bridge.js';
export { offlineOperations } from './offline-operations.js';
export { CHANGING_TOOLS, READ_ONLY_TOOLS } from './tools/index.js';
export type { SiteMcpContext, SiteRole, ToolCallRecord, ToolOutcome } from './context.js';
export type {
  DiscoveredDevice,
  DiscoverOptions,
  RawReadResult,
  ReadingsQuery,
  ReadPropertyRequest,
  SiteFacts,
  SiteOperations,
} from './operations.js';
