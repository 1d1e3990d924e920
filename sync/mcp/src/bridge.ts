import {
  describeBridgeFailure,
  startMcpStdioBridge,
  type BridgeFailureWords,
  type StdioBridgeEndpoint,
} from '@meterit/shared/mcp-bridge';
import type { SiteRole } from './context.js';
import { offlineOperations } from './offline-operations.js';
import { createSiteMcpServer } from './server.js';

export type { BridgeLogger } from '@meterit/shared/mcp-bridge';

const FAILURE_WORDS: BridgeFailureWords = {
  farEnd: 'The site agent',
  unauthorized:
    ". Set LOCAL_API_TOKEN (operator) or LOCAL_API_VIEWER_TOKEN (viewer) in this MCP server's env to the agent's token.",
  noEndpoint: 'Is AGENT_MCP_URL right (it ends in /mcp), and is the agent recent enough?',
  notRunning: 'The site agent',
  start: 'Start the agent (it serves MCP on its local API port)',
};

export interface StdioBridgeOptions extends StdioBridgeEndpoint {
  /** Which token was given; only used for answers while the agent is unreachable. */
  role: SiteRole;
}

/** Why a message could not be delivered, in words an assistant can pass on. */
export function describeFailure(url: string, err: unknown): string {
  return describeBridgeFailure(url, err, FAILURE_WORDS);
}

/**
 * stdio ⇄ the running agent's /mcp (the shared bridge in @meterit/shared/mcp-bridge). While the agent
 * cannot be reached, a stand-in with the site's tools answers: each tool call says why.
 */
export function startStdioBridge({
  role,
  version,
  ...endpoint
}: StdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  return startMcpStdioBridge({
    ...endpoint,
    target: 'site agent',
    describeFailure,
    createStandIn: (why) => createSiteMcpServer(offlineOperations(why), { role, principal: 'stdio-bridge', version }),
  });
}
