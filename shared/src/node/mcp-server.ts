// Plumbing both MCP servers share: the audit hook that sees every tools/call, and the stateless
// Streamable HTTP handler. Its own subpath (@meterit/shared/mcp-server) so only MCP code loads the SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { UNSTORABLE_TEXT } from '../constants.js';

export type ToolOutcome = 'ok' | 'error' | 'forbidden' | 'invalid';

/** One tools/call as the audit log and the metrics see it (who called is added by each server). */
export interface ToolCall {
  at: Date;
  tool: string;
  /** Secrets redacted, size bounded. */
  arguments: Record<string, unknown>;
  durationMs: number;
  outcome: ToolOutcome;
  error: string | null;
}

const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|credential/i;
const MAX_ARGUMENT_CHARS = 4000;

/** A text argument both databases can store: PostgreSQL's text and jsonb hold neither NUL nor an unpaired surrogate. */
export const isStorableText = (s: string): boolean => !UNSTORABLE_TEXT.test(s);
/** What a tool's input check says about a text argument that is not storable. */
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters (\\u0000) or unpaired surrogates';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as the audit log can keep it, whatever the caller sent: NUL written out as the six characters
 * \u0000, an unpaired surrogate (also one cut in half by a length limit) as U+FFFD. Otherwise the
 * INSERT fails and the call leaves no audit row.
 */
export function storableText(s: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
  return s.replace(/\u0000/g, '\\u0000').replace(UNPAIRED_SURROGATE, '\uFFFD');
}

/** Arguments as the audit log keeps them: secrets redacted, size bounded, every string storable. */
export function auditArguments(args: unknown): Record<string, unknown> {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return {};
  const redact = (v: unknown, depth: number): unknown => {
    if (depth > 4) return '…';
    if (Array.isArray(v)) return v.slice(0, 100).map((x) => redact(x, depth + 1));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [
          storableText(k),
          SECRET_KEY.test(k) ? '[redacted]' : redact(x, depth + 1),
        ]),
      );
    }
    return typeof v === 'string' ? storableText(v.length > 500 ? `${v.slice(0, 500)}…` : v) : v;
  };
  const out = redact(args, 0) as Record<string, unknown>;
  const text = JSON.stringify(out);
  return text.length > MAX_ARGUMENT_CHARS ? { truncated: storableText(text.slice(0, MAX_ARGUMENT_CHARS)) } : out;
}

const firstText = (r: CallToolResult): string | null => {
  const first = r.content?.[0];
  return first && first.type === 'text' ? first.text : null;
};

type RequestHandlers = Map<string, (request: unknown, extra: unknown) => Promise<unknown>>;

/**
 * The SDK checks a request's shape (e.g. tools/call with `arguments` an array) before any handler
 * runs and answers a failed check as -32603 Internal error with the validator's raw dump. A
 * malformed request is the caller's fault: answer it as -32602 Invalid params, naming each field.
 */
function badShapeIsInvalidParams(
  handlers: RequestHandlers,
  method: string,
  onRefused?: (request: unknown, err: unknown, message: string) => Promise<void>,
): void {
  const handle = handlers.get(method);
  if (!handle) return;
  handlers.set(method, async (request, extra) => {
    try {
      return await handle(request, extra);
    } catch (err) {
      const issues = (err as { issues?: unknown }).issues;
      if (err instanceof McpError || !Array.isArray(issues)) throw err;
      const fields = (issues as Array<{ path?: Array<string | number>; message?: string }>).map(
        (i) => `${(i.path ?? []).join('.') || '(request)'}: ${i.message ?? 'invalid'}`,
      );
      const message = `Invalid params for ${method}: ${fields.join('; ')}`;
      await onRefused?.(request, err, message);
      throw new McpError(ErrorCode.InvalidParams, message);
    }
  });
}

type OutputSchema = { safeParse?: (v: unknown) => { success: boolean; data?: unknown } };

/**
 * structuredContent as the tool's outputSchema has it. zod accepts keys its object schemas do not
 * name (and the SDK server checks with zod), but the JSON Schema a client validates against says
 * additionalProperties: false; so a field the contract gained would make every client reject the
 * answer. Unknown keys are left out here; a value of the wrong type is still the SDK's to refuse.
 */
function conformToOutputSchema(server: McpServer, tool: string, result: CallToolResult): CallToolResult {
  if (result.isError || !result.structuredContent) return result;
  const registered = (
    server as unknown as { _registeredTools: Record<string, { outputSchema?: OutputSchema } | undefined> }
  )._registeredTools[tool];
  const parsed = registered?.outputSchema?.safeParse?.(result.structuredContent);
  return parsed?.success ? { ...result, structuredContent: parsed.data as Record<string, unknown> } : result;
}

export interface AuditedMcpServer {
  server: McpServer;
  /** A tool refused the caller's role for this request: its error is audited as 'forbidden'. */
  markForbidden(requestId: string | number): void;
}

/**
 * An McpServer whose every tools/call — including unknown tools and arguments that fail
 * validation, which the SDK answers before any tool code runs — reaches `onCall` once, after it
 * answered. Register the tools after this returns.
 */
export function createAuditedMcpServer(
  info: { name: string; title: string; version: string; instructions: string; maxToolInputElements?: number },
  onCall: (call: ToolCall) => Promise<void> | void,
): AuditedMcpServer {
  const { instructions, maxToolInputElements, ...impl } = info;
  const server = new McpServer(impl, { instructions, ...(maxToolInputElements ? { maxToolInputElements } : {}) });
  const forbidden = new Set<string | number>();
  const audit = async (call: ToolCall): Promise<void> => {
    try {
      await onCall({
        ...call,
        tool: storableText(call.tool),
        error: call.error === null ? null : storableText(call.error),
      });
    } catch {
      // Whoever passed onCall logs its own audit failures; the tool's answer stands.
    }
  };
  // Errors thrown out of the audited handler: that call is audited already, whatever the wrapper outside makes of them.
  const audited = new WeakSet<object>();
  // A tools/call refused for its shape (e.g. arguments an array) never reaches the tool handler: audit it here.
  const auditRefused = async (request: unknown, err: unknown, message: string): Promise<void> => {
    if (typeof err === 'object' && err !== null && audited.has(err)) return;
    const params = (request as { params?: { name?: unknown; arguments?: unknown } } | undefined)?.params;
    const tool = typeof params?.name === 'string' ? params.name : '(no tool name)';
    await audit({
      at: new Date(),
      tool,
      arguments: auditArguments(params?.arguments),
      durationMs: 0,
      outcome: 'invalid',
      error: message,
    });
  };
  // The SDK installs its tools/call handler when the first tool is registered, through this method.
  // Wrapping it here (before registering) is the one place that sees every call and its final answer.
  const low = server.server;
  const handlers = (low as unknown as { _requestHandlers: RequestHandlers })._requestHandlers;
  for (const method of [...handlers.keys()]) badShapeIsInvalidParams(handlers, method);
  const installBare = low.setRequestHandler.bind(low) as (
    schema: unknown,
    handler: (request: unknown, extra: unknown) => unknown,
  ) => void;
  const install: typeof installBare = (schema, handler) => {
    const before = new Map(handlers);
    installBare(schema, handler);
    for (const [method, h] of handlers)
      if (before.get(method) !== h)
        badShapeIsInvalidParams(handlers, method, method === 'tools/call' ? auditRefused : undefined);
  };
  (low as unknown as { setRequestHandler: typeof install }).setRequestHandler = (schema, handler) => {
    if (schema !== CallToolRequestSchema) {
      install(schema, handler);
      return;
    }
    install(schema, async (request: unknown, extra: unknown) => {
      const req = request as CallToolRequest;
      const started = Date.now();
      const requestId = (extra as { requestId: string | number }).requestId;
      let result: CallToolResult | undefined;
      try {
        result = conformToOutputSchema(server, req.params.name, (await handler(request, extra)) as CallToolResult);
        return result;
      } catch (err) {
        if (typeof err === 'object' && err !== null) audited.add(err);
        throw err;
      } finally {
        const text = result ? firstText(result) : 'the call failed before it answered';
        const outcome: ToolOutcome = !result
          ? 'error'
          : !result.isError
            ? 'ok'
            : forbidden.has(requestId)
              ? 'forbidden'
              : text && /Input validation error|Invalid arguments for tool/.test(text)
                ? 'invalid'
                : 'error';
        forbidden.delete(requestId);
        await audit({
          at: new Date(started),
          tool: req.params.name,
          arguments: auditArguments(req.params.arguments),
          durationMs: Date.now() - started,
          outcome,
          error: outcome === 'ok' ? null : text,
        });
      }
    });
  };
  return { server, markForbidden: (id) => forbidden.add(id) };
}

export interface McpHttpHandlerOptions {
  /** A server for this one request; the caller has been authenticated, so who it is is known. */
  createServer: (req: IncomingMessage) => { server: McpServer; close: () => Promise<void> };
  /** Largest POST body read, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  onError?: (err: Error) => void;
  /** Named in the 500 answer: 'the agent', 'the client API'. */
  serviceName?: string;
}

function jsonRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Streamable HTTP in the SDK's stateless mode: a fresh server and transport per POST, JSON answers
 * (no SSE). The tools are request/response and the service holds the state, so no MCP session is
 * needed: a restart, or several API processes behind a load balancer, cost an assistant nothing.
 * GET (server-sent events) and DELETE (session end) answer 405, as the SDK's stateless example does.
 */
export function createMcpHttpHandler(
  o: McpHttpHandlerOptions,
): (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void> {
  return async (req, res, parsedBody) => {
    if (req.method !== 'POST') {
      jsonRpcError(res, 405, 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC with POST', {
        allow: 'POST',
      });
      return;
    }
    const { server, close } = o.createServer(req);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: o.maxBodyBytes ?? 1024 * 1024,
    });
    res.on('close', () => {
      void transport.close().catch(() => undefined);
      void close().catch(() => undefined);
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, parsedBody);
    } catch (err) {
      o.onError?.(err as Error);
      jsonRpcError(
        res,
        500,
        `Internal server error: ${o.serviceName ?? 'the service'} could not answer this MCP request; its log says why`,
      );
    }
  };
}

export { checkMcpOrigin, createToolCallRecorder, mcpAuditColumns, mcpRequestSource } from './mcp-mount.js';
export type {
  McpAuditColumns,
  McpAuditEntry,
  McpHttpRequest,
  RecordedToolCall,
  ToolCallRecorderDeps,
} from './mcp-mount.js';
