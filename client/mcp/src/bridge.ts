import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpStdioBridge, type BridgeLogger } from '@meterit/shared/mcp-bridge';
import { offlineOperations } from './offline-operations.js';
import { createClientMcpServer } from './server.js';

export type { BridgeLogger } from '@meterit/shared/mcp-bridge';

/** Only used by the stand-in while the API is unreachable: every tool call there fails anyway. */
const STAND_IN_USER = { id: 0, email: 'stdio-bridge', role: 'operator' as const, siteIds: [] as number[] };

export interface StdioBridgeOptions {
  /** The running client API's MCP endpoint, e.g. http://127.0.0.1:3001/mcp. */
  url: string;
  token: string | undefined;
  logger: BridgeLogger;
  stdin?: Readable;
  stdout?: Writable;
  version?: string;
}

/** Why a message could not be delivered, in words an assistant can pass on to a technician. */
export function describeFailure(url: string, err: unknown): string {
  if (err instanceof StreamableHTTPError) {
    const status = err.code ?? 0;
    if (status === 401)
      return `The client system at ${url} refused the token (HTTP 401): it is missing, wrong, expired or revoked. Create a personal MCP token in the web app (or POST /api/auth/tokens) and set it as MCP_TOKEN in this MCP server's env.`;
    if (status === 403)
      return `The client system at ${url} refused the call (HTTP 403): ${err.message.replace(/^Streamable HTTP error: /, '')}`;
    if (status === 404)
      return `${url} has no MCP endpoint (HTTP 404). Is CLIENT_MCP_URL right (it ends in /mcp), and is MCP_ENABLED on?`;
    return `The client system at ${url} answered HTTP ${status}: ${err.message.replace(/^Streamable HTTP error: /, '')}`;
  }
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? (e as { code?: string }).code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'UND_ERR_SOCKET'
  ) {
    return `The client system API is not running or not reachable at ${url} (${code}). Start it (it serves MCP on its own port); this bridge forwards again as soon as it answers.`;
  }
  return `The client system at ${url} could not be reached: ${e.cause?.message ?? e.message}`;
}

/**
 * stdio ⇄ the running client API's /mcp (the shared bridge in @meterit/shared/mcp-bridge). While the
 * API cannot be reached or refuses the token, a stand-in with the same tools answers: each tool call says why.
 */
export function startStdioBridge(o: StdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  return startMcpStdioBridge({
    url: o.url,
    token: o.token,
    logger: o.logger,
    target: 'client system',
    describeFailure,
    createStandIn: (why) =>
      createClientMcpServer(offlineOperations(why), {
        user: STAND_IN_USER,
        principal: 'stdio-bridge',
        version: o.version,
      }),
    ...(o.stdin ? { stdin: o.stdin } : {}),
    ...(o.stdout ? { stdout: o.stdout } : {}),
  });
}
