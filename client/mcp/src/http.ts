import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface McpHttpHandlerOptions {
  /** A server for this one request; the caller has been authenticated, so its role is known. */
  createServer: (req: IncomingMessage) => { server: McpServer; close: () => Promise<void> };
  /** Largest POST body read, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  onError?: (err: Error) => void;
}

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Streamable HTTP in the SDK's stateless mode: a fresh server and transport per POST, JSON answers
 * (no SSE). The tools are request/response and the API (with its database) holds the state, so
 * no MCP session is needed: several API processes behind a load balancer serve one assistant. GET (server-sent events)
 * and DELETE (session end) have nothing to do here and answer 405, as the SDK's stateless example does.
 */
export function createMcpHttpHandler(o: McpHttpHandlerOptions): (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void> {
  return async (req, res, parsedBody) => {
    if (req.method !== 'POST') {
      jsonRpcError(res, 405, 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC with POST', { allow: 'POST' });
      return;
    }
    const { server, close } = o.createServer(req);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: o.maxBodyBytes ?? 1024 * 1024 });
    res.on('close', () => {
      void transport.close().catch(() => undefined);
      void close().catch(() => undefined);
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, parsedBody);
    } catch (err) {
      o.onError?.(err as Error);
      jsonRpcError(res, 500, 'Internal server error: the client API could not answer this MCP request; its log says why');
    }
  };
}
