import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

// The stdio ⇄ Streamable HTTP bridge both MCP servers ship (sync/mcp and client/mcp dist/stdio.js).
// A subpath of its own (@meterit/shared/mcp-bridge), so nothing else that imports @meterit/shared/node loads the SDK.

export interface BridgeLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** How a bridge names its far end and the fixes it suggests, for `describeBridgeFailure`. */
export interface BridgeFailureWords {
  /** The far end as a sentence starts: 'The site agent', 'The client system'. */
  farEnd: string;
  /** Follows "refused the token (HTTP 401)": which token to set, starting with its punctuation. */
  unauthorized: string;
  /** Follows "has no MCP endpoint (HTTP 404).": which setting to check. */
  noEndpoint: string;
  /** Starts the sentence saying it is not running: 'The site agent', 'The client system API'. */
  notRunning: string;
  /** How to start it: 'Start the agent (it serves MCP on its local API port)'. */
  start: string;
}

const NOT_RUNNING_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Why a message could not be delivered, in words an assistant can pass on to a person. */
export function describeBridgeFailure(url: string, err: unknown, w: BridgeFailureWords): string {
  if (err instanceof StreamableHTTPError) {
    const status = err.code ?? 0;
    const said = err.message.replace(/^Streamable HTTP error: /, '');
    if (status === 401) return `${w.farEnd} at ${url} refused the token (HTTP 401)${w.unauthorized}`;
    if (status === 403) return `${w.farEnd} at ${url} refused the call (HTTP 403): ${said}`;
    if (status === 404) return `${url} has no MCP endpoint (HTTP 404). ${w.noEndpoint}`;
    return `${w.farEnd} at ${url} answered HTTP ${status}: ${said}`;
  }
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? (e as { code?: string }).code;
  if (code !== undefined && NOT_RUNNING_CODES.has(code)) {
    return `${w.notRunning} is not running or not reachable at ${url} (${code}). ${w.start}; this bridge forwards again as soon as it answers.`;
  }
  return `${w.farEnd} at ${url} could not be reached: ${e.cause?.message ?? e.message}`;
}

/** Where a package's bridge forwards to and what it talks over (its stdio.ts reads these from the env). */
export interface StdioBridgeEndpoint {
  /** The running server's MCP endpoint, e.g. http://127.0.0.1:3002/mcp. */
  url: string;
  token: string | undefined;
  logger: BridgeLogger;
  stdin?: Readable;
  stdout?: Writable;
  /** The stand-in's server version. */
  version?: string;
}

export interface McpStdioBridgeOptions {
  /** The running server's MCP endpoint, e.g. http://127.0.0.1:3002/mcp. */
  url: string;
  token: string | undefined;
  logger: BridgeLogger;
  /** What is at the far end, for logs: 'site agent', 'client system'. */
  target: string;
  /** Why a message could not be delivered, in words an assistant can pass on. */
  describeFailure(url: string, err: unknown): string;
  /** A local server with the same tools, each failing with `why()`: it answers while the far end cannot be reached. */
  createStandIn(why: () => string): { server: McpServer; close(): Promise<void> };
  stdin?: Readable;
  stdout?: Writable;
}

/**
 * stdio ⇄ the running server's /mcp: every JSON-RPC message from the assistant is POSTed to it, every
 * answer goes back on stdout. Nothing runs here, so tools always act on the running system. While it
 * cannot be reached, the stand-in answers instead: `initialize` and `tools/list` work (the assistant
 * starts and knows the tools), and each tool call is a tool error saying why. The next message is
 * forwarded again, so the bridge recovers by itself.
 */
export async function startMcpStdioBridge(o: McpStdioBridgeOptions): Promise<{ close: () => Promise<void> }> {
  const stdio = new StdioServerTransport(o.stdin, o.stdout);
  const headers: Record<string, string> = { 'x-meterit-mcp-via': 'stdio-bridge' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const http = new StreamableHTTPClientTransport(new URL(o.url), { requestInit: { headers } });

  let lastFailure = `The ${o.target} at ${o.url} has not been reached yet.`;
  const standIn = o.createStandIn(() => lastFailure);
  const [toStandIn, standInSide] = InMemoryTransport.createLinkedPair();
  await standIn.server.connect(standInSide);

  const reply = (m: JSONRPCMessage) =>
    stdio.send(m).catch((err: Error) => o.logger.warn('could not write to stdout', { error: err.message }));
  toStandIn.onmessage = (m) => void reply(m);
  await toStandIn.start();

  const initializeIds = new Set<string | number>();
  http.onmessage = (m) => {
    // The server chose the protocol version: send it with every later request, as the SDK's client does.
    if (isJSONRPCResultResponse(m) && initializeIds.delete(m.id)) {
      const v = (m.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof v === 'string') http.setProtocolVersion(v);
    }
    void reply(m);
  };
  http.onerror = (err) => o.logger.debug(`${o.target} transport error`, { error: err.message });
  await http.start();

  let reachable: boolean | null = null;
  stdio.onmessage = (m) => {
    void (async () => {
      if (isJSONRPCRequest(m) && m.method === 'initialize') initializeIds.add(m.id);
      try {
        await http.send(m);
        if (reachable !== true) o.logger.info(`forwarding to the ${o.target}`, { url: o.url });
        reachable = true;
      } catch (err) {
        lastFailure = o.describeFailure(o.url, err);
        if (reachable !== false)
          o.logger.warn(`the ${o.target} cannot be reached; answering with a clear error until it can`, {
            url: o.url,
            why: lastFailure,
          });
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
  o.logger.info(`${o.target} MCP stdio bridge ready`, { url: o.url });
  return { close };
}
