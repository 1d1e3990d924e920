import {
  describeBridgeFailure,
  startMcpStdioBridge,
  type BridgeFailureWords,
  type StdioBridgeEndpoint,
} from '@meterit/shared/mcp-bridge';
import { offlineOperations } from './offline-operations.js';
import { createClientMcpServer } from './server.js';

export type { BridgeLogger } from '@meterit/shared/mcp-bridge';

/** Only used by the stand-in while the API is unreachable: every tool call there fails anyway. */
const STAND_IN_USER = { id: 0, email: 'stdio-bridge', role: 'operator' as const, siteIds: [] as number[] };

const FAILURE_WORDS: BridgeFailureWords = {
  farEnd: 'The client system',
  unauthorized:
    ": it is missing, wrong, expired or revoked. Create a personal MCP token in the web app (or POST /api/auth/tokens) and set it as MCP_TOKEN in this MCP server's env.",
  noEndpoint: 'Is CLIENT_MCP_URL right (it ends in /mcp), and is MCP_ENABLED on?',
  notRunning: 'The client system API',
  start: 'Start it (it serves MCP on its own port)',
};

/** The running client API's MCP endpoint is e.g. http://127.0.0.1:3001/mcp. */
export type StdioBridgeOptions = StdioBridgeEndpoint;

/** Why a message could not be delivered, in words an assistant can pass on. */
export function describeFailure(url: string, err: unknown): string {
  return describeBridgeFailure(url, err, FAILURE_WORDS);
}

/**
 * stdio ⇄ the running client API's /mcp (the shared bridge in @meterit/shared/mcp-bridge). While the
 * API cannot be reached or refuses the token, a stand-in with the same tools answers: each tool call says why.
 */
export function startStdioBridge({
  version,
  ...endpoint
}: StdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  return startMcpStdioBridge({
    ...endpoint,
    target: 'client system',
    describeFailure,
    createStandIn: (why) =>
      createClientMcpServer(offlineOperations(why), { user: STAND_IN_USER, principal: 'stdio-bridge', version }),
  });
}
