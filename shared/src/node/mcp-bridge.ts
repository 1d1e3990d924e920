import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

// The stdio ⇄ Streamable HTTP bridge both MCP servers ship (sync/mcp and client/mcp dist/stdio.js).
// A subpath of its own (@meterit/shared/mcp-bridge), so nothing else that imports @meterit/shared/node loads the SDK.

export interface BridgeLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
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
