import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../context.js';
import {
  CONFIGURE_ALERT_RULES,
  LIST_ACTIVE_ALERTS,
  registerConfigureAlertRulesTool,
  registerListActiveAlertsTool,
  registerSendAlertEmailTool,
  SEND_ALERT_EMAIL,
} from './alerts.js';
import { GENERATE_REPORT, registerGenerateReportTool } from './generate-report.js';
import { GET_CONSUMPTION, registerGetConsumptionTool } from './get-consumption.js';
import { GET_COST_BREAKDOWN, registerGetCostBreakdownTool } from './get-cost-breakdown.js';
import { GET_SITE_STATUS, registerGetSiteStatusTool } from './get-site-status.js';
import { QUERY_METERS, registerQueryMetersTool } from './query-meters.js';
import { QUERY_READINGS, registerQueryReadingsTool } from './query-readings.js';

/** Every tool of the client server, in the order tools/list shows them. */
const REGISTRATIONS: Array<(server: McpServer, deps: ToolDeps) => void> = [
  registerGetSiteStatusTool,
  registerQueryMetersTool,
  registerQueryReadingsTool,
  registerGetConsumptionTool,
  registerGetCostBreakdownTool,
  registerGenerateReportTool,
  registerListActiveAlertsTool,
  registerConfigureAlertRulesTool,
  registerSendAlertEmailTool,
];

export function registerClientTools(server: McpServer, deps: ToolDeps): void {
  for (const register of REGISTRATIONS) register(server, deps);
}

/** Tools that change things: only operators and admins may call them. */
export const CHANGING_TOOLS: readonly string[] = [CONFIGURE_ALERT_RULES, SEND_ALERT_EMAIL];
export const READ_ONLY_TOOLS: readonly string[] = [
  GET_SITE_STATUS,
  QUERY_METERS,
  QUERY_READINGS,
  GET_CONSUMPTION,
  GET_COST_BREAKDOWN,
  GENERATE_REPORT,
  LIST_ACTIVE_ALERTS,
];
