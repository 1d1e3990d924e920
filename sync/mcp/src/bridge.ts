import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SiteRole } from './context.js';
import { offlineOperations } from './offline-operations.js';
import { createSiteMcpServer } from './server.js';

export interface BridgeLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

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
    if (status === 401) return `The site agent at ${url} refused the token (HTTP 401). Set LOCAL_API_TOKEN (operator) or LOCAL_API_VIEWER_TOKEN (viewer) in this MCP server's env to the agent's token.`;
    if (status === 403) return `The site agent at ${url} refused the call (HTTP 403): ${err.message.replace(/^Streamable HTTP error: /, '')}`;
    if (status === 404) return `${url} has no MCP endpoint (HTTP 404). Is AGENT_MCP_URL right (it ends in /mcp), and is the agent recent enough?`;
    return `The site agent at ${url} answered HTTP ${status}: ${err.message.replace(/^Streamable HTTP error: /, '')}`;
  }
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? (e as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'UND_ERR_SOCKET') {
    return `The site agent is not running or not reachable at ${url} (${code}). Start the agent (it serves MCP on its local API port); this bridge forwards again as soon as it answers.`;
  }
  return `The site agent at ${url} could not be reached: ${e.cause?.message ?? e.message}`;
}

/**
 * stdio ⇄ the running agent's /mcp: every JSON-RPC message from the assistant is POSTed to the
 * agent, every answer goes back on stdout. Nothing runs here, so tools always act on the running
 * agent. While the agent cannot be reached, a local stand-in answers instead: `initialize` and
 * `tools/list` work (the assistant starts and knows the tools), and each tool call is a tool error
 * saying why the agent cannot be reached.
 */
export async function startStdioBridge(o: StdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  const stdio = new StdioServerTransport(o.stdin, o.stdout);
  const headers: Record<string, string> = { 'x-meterit-mcp-via': 'stdio-bridge' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const http = new StreamableHTTPClientTransport(new URL(o.url), { requestInit: { headers } });

  let lastFailure = `The site agent at ${o.url} has not been reached yet.`;
  const standIn = createSiteMcpServer(offlineOperations(() => lastFailure), { role: o.role, principal: 'stdio-bridge', version: o.version });
  const [toStandIn, standInSide] = InMemoryTransport.createLinkedPair();
  await standIn.server.connect(standInSide);

  const reply = (m: JSONRPCMessage) =>
    stdio.send(m).catch((err: Error) => o.logger.warn('could not write to stdout', { error: err.message }));
  toStandIn.onmessage = (m) => void reply(m);
  await toStandIn.start();

  const initializeIds = new Set<string | number>();
  http.onmessage = (m) => {
    // The agent chose the protocol version: send it with every later request, as the SDK's client does.
    if (isJSONRPCResultResponse(m) && initializeIds.delete(m.id)) {
      const v = (m.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof v === 'string') http.setProtocolVersion(v);
    }
    void reply(m);
  };
  http.onerror = (err) => o.logger.debug('agent transport error', { error: err.message });
  await http.start();

  let reachable: boolean | null = null;
  stdio.onmessage = (m) => {
    void (async () => {
      if (isJSONRPCRequest(m) && m.method === 'initialize') initializeIds.add(m.id);
      try {
        await http.send(m);
        if (reachable !== true) o.logger.info('forwarding to the site agent', { url: o.url });
        reachable = true;
      } catch (err) {
        lastFailure = describeFailure(o.url, err);
        if (reachable !== false) o.logger.warn('the site agent cannot be reached; answering with a clear error until it can', { url: o.url, why: lastFailure });
        reachable = false;
        if (isJSONRPCRequest(m)) {
          if (m.method === 'initialize') initializeIds.delete(m.id);
          await toStandIn.send(m);
        }
      }
    })();
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.allSettled([http.close(), standIn.close(), toStandIn.close(), stdio.close()]);
  };
  stdio.onclose = () => void close();
  await stdio.start();
  o.logger.info('site MCP stdio bridge ready', { url: o.url, role: o.role });
  return { close };
}
