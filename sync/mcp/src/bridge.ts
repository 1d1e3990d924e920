import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpStdioBridge, type BridgeLogger } from '@meterit/shared/mcp-bridge';
import type { SiteRole } from './context.js';
import { offlineOperations } from './offline-operations.js';
import { createSiteMcpServer } from './server.js';

export type { BridgeLogger } from '@meterit/shared/mcp-bridge';

export interface StdioBridgeOptions {
  /** The running agent's MCP endpoint, e.g. http://127.0.0.1:3002/mcp. */
  url: string;
  token: string | undefined;
  /** Which token was given; only used for answers while the agent is unreachable. */
  role: SiteRole;
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
      return `The site agent at ${url} refused the token (HTTP 401). Set LOCAL_API_TOKEN (operator) or LOCAL_API_VIEWER_TOKEN (viewer) in this MCP server's env to the agent's token.`;
    if (status === 403)
      return `The site agent at ${url} refused the call (HTTP 403): ${err.message.replace(/^Streamable HTTP error: /, '')}`;
    if (status === 404)
      return `${url} has no MCP endpoint (HTTP 404). Is AGENT_MCP_URL right (it ends in /mcp), and is the agent recent enough?`;
    return `The site agent at ${url} answered HTTP ${status}: ${err.message.replace(/^Streamable HTTP error: /, '')}`;
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
    return `The site agent is not running or not reachable at ${url} (${code}). Start the agent (it serves MCP on its local API port); this bridge forwards again as soon as it answers.`;
  }
  return `The site agent at ${url} could not be reached: ${e.cause?.message ?? e.message}`;
}

/**
 * stdio ⇄ the running agent's /mcp (the shared bridge in @meterit/shared/mcp-bridge). While the agent
 * cannot be reached, a stand-in with the site's tools answers: each tool call says why.
 */
export function startStdioBridge(o: StdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  return startMcpStdioBridge({
    url: o.url,
    token: o.token,
    logger: o.logger,
    target: 'site agent',
    describeFailure,
    createStandIn: (why) =>
      createSiteMcpServer(offlineOperations(why), { role: o.role, principal: 'stdio-bridge', version: o.version }),
    ...(o.stdin ? { stdin: o.stdin } : {}),
    ...(o.stdout ? { stdout: o.stdout } : {}),
  });
}
