import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../context.js';
import {
  registerStartCollectionTool,
  registerStopCollectionTool,
  START_COLLECTION,
  STOP_COLLECTION,
} from './collection.js';
import {
  LIST_DEAD_LETTERS,
  registerListDeadLettersTool,
  registerRetryDeadLettersTool,
  RETRY_DEAD_LETTERS,
} from './dead-letters.js';
import { DISCOVER_DEVICES, registerDiscoverDevicesTool } from './discover-devices.js';
import { GET_METER_STATUS, registerGetMeterStatusTool } from './get-meter-status.js';
import { GET_SYNC_STATUS, registerGetSyncStatusTool } from './get-sync-status.js';
import { QUERY_METER_READINGS, registerQueryMeterReadingsTool } from './query-meter-readings.js';
import { READ_POINT, registerReadPointTool } from './read-point.js';
import { registerTriggerSyncTool, TRIGGER_SYNC } from './trigger-sync.js';

/** Every tool of the site server, in the order tools/list shows them. */
const REGISTRATIONS: Array<(server: McpServer, deps: ToolDeps) => void> = [
  registerGetSyncStatusTool,
  registerGetMeterStatusTool,
  registerQueryMeterReadingsTool,
  registerListDeadLettersTool,
  registerDiscoverDevicesTool,
  registerReadPointTool,
  registerStartCollectionTool,
  registerStopCollectionTool,
  registerTriggerSyncTool,
  registerRetryDeadLettersTool,
];

export function registerSiteTools(server: McpServer, deps: ToolDeps): void {
  for (const register of REGISTRATIONS) register(server, deps);
}

/** Tools that change the running agent: only the operator role may call them. */
export const CHANGING_TOOLS: readonly string[] = [START_COLLECTION, STOP_COLLECTION, TRIGGER_SYNC, RETRY_DEAD_LETTERS];
export const READ_ONLY_TOOLS: readonly string[] = [
  GET_SYNC_STATUS,
  GET_METER_STATUS,
  QUERY_METER_READINGS,
  LIST_DEAD_LETTERS,
  DISCOVER_DEVICES,
  READ_POINT,
];
