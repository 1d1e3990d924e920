// The client system's MCP server: tools acting on the running client API, the Streamable HTTP
// handler the API mounts at /mcp, and the stdio bridge (dist/stdio.js) desktop assistants start.
export { createClientMcpServer, SERVER_NAME, auditArguments } from './server.js';
export { createMcpHttpHandler } from './http.js';
export type { McpHttpHandlerOptions } from './http.js';
export { startStdioBridge, describeFailure } from './bridge.js';
export type { StdioBridgeOptions, BridgeLogger } from './bridge.js';
export { offlineOperations } from './offline-operations.js';
export { CHANGING_TOOLS, READ_ONLY_TOOLS } from './tools/index.js';
export { ALERTING_UNAVAILABLE } from './tools/alerts.js';
export { REPORT_CSV_HEADER } from './tools/generate-report.js';
export type { ClientMcpContext, ToolCallRecord, ToolOutcome } from './context.js';
export type {
  AlertOperations,
  ClientOperations,
  ConsumptionQuery,
  CostQuery,
  McpUser,
  MeterQuery,
  ReadingCount,
  ReadingsQuery,
} from './operations.js';
