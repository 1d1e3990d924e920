// How both services mount their MCP server on their own HTTP port: which web origins may call it,
// where a call came from, and what happens to each tools/call once it answered (metrics, log line,
// audit row). Typed by shape, not by Express, so shared needs no web framework; re-exported by
// @meterit/shared/mcp-server.
import type { Logger } from './logger.js';

/** One row of an mcp_audit table as both services write it (the client API adds who the user is). */
export interface McpAuditEntry {
  calledAt: Date;
  role: string;
  /** What proved who called: e.g. 'token', 'viewer_token', 'mcp_token:<id>'. Never the secret. */
  principal: string;
  /** 'http' for a direct Streamable HTTP client, 'stdio-bridge' through a package's dist/stdio.js. */
  via: string;
  ip: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  durationMs: number;
  /** ok | error | forbidden | invalid */
  outcome: string;
  error: string | null;
}

/** The columns both mcp_audit tables share, as written (arguments as JSON text). */
export interface McpAuditColumns {
  called_at: Date;
  role: string;
  principal: string;
  via: string;
  ip: string | null;
  tool: string;
  arguments: string;
  duration_ms: number;
  outcome: string;
  success: boolean;
  error: string | null;
}

/** The columns both mcp_audit tables share, each value cut to its column's size. */
export function mcpAuditColumns(e: McpAuditEntry): McpAuditColumns {
  return {
    called_at: e.calledAt,
    role: e.role,
    principal: e.principal.slice(0, 64),
    via: e.via.slice(0, 32),
    ip: e.ip?.slice(0, 64) ?? null,
    tool: e.tool.slice(0, 100),
    arguments: JSON.stringify(e.arguments),
    duration_ms: Math.max(0, Math.round(e.durationMs)),
    outcome: e.outcome,
    success: e.outcome === 'ok',
    error: e.error ? e.error.slice(0, 2000) : null,
  };
}

/** What the MCP mount reads of an HTTP request (an Express request has it). */
export interface McpHttpRequest {
  get(name: string): string | undefined;
  protocol: string;
  socket: { remoteAddress?: string | undefined };
}

/**
 * Browsers send Origin; assistants and the stdio bridge do not. A page on another origin must not
 * drive the service through a user's browser (DNS rebinding, CSRF), so only the service's own
 * origin and MCP_ALLOWED_ORIGINS pass. `refuse` makes the service's own 403 error.
 */
export function checkMcpOrigin<Req extends McpHttpRequest>(
  allowed: string[],
  refuse: (message: string) => Error,
): (req: Req, res: unknown, next: (err?: unknown) => void) => void {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || origin === `${req.protocol}://${req.get('host') ?? ''}` || allowed.includes(origin)) {
      next();
      return;
    }
    next(refuse(`requests from the web origin ${origin} are refused; add it to MCP_ALLOWED_ORIGINS if it is trusted`));
  };
}

/** Where an MCP request came from, as the audit log and the log lines name it. */
export function mcpRequestSource(req: McpHttpRequest): { via: 'stdio-bridge' | 'http'; ip: string | null } {
  return {
    via: req.get('x-meterit-mcp-via') === 'stdio-bridge' ? 'stdio-bridge' : 'http',
    ip: req.socket.remoteAddress ?? null,
  };
}

/** One answered tools/call as a server's onToolCall hands it over. */
export interface RecordedToolCall {
  at: Date;
  tool: string;
  role: string;
  principal: string;
  arguments: Record<string, unknown>;
  durationMs: number;
  outcome: string;
  error: string | null;
}

export interface ToolCallRecorderDeps<C extends RecordedToolCall, E extends McpAuditEntry> {
  countToolCall(call: C): void;
  audit: { record(entry: E): Promise<void> };
  log: Logger;
  /** What this service adds to the log line and the audit row (the client API: the user). */
  who?: (call: C) => { log: Record<string, unknown>; audit: Omit<E, keyof McpAuditEntry> };
}

/**
 * What each tools/call leaves behind: counted, one log line, one audit row. A failed audit write
 * is logged and the tool's answer stands.
 */
export function createToolCallRecorder<C extends RecordedToolCall, E extends McpAuditEntry>(
  d: ToolCallRecorderDeps<C, E>,
): (call: C, source: { via: string; ip: string | null }) => Promise<void> {
  return async (call, { via, ip }) => {
    d.countToolCall(call);
    const who = d.who?.(call);
    d.log.info('MCP tool call', {
      tool: call.tool,
      ...who?.log,
      role: call.role,
      by: call.principal,
      via,
      ip,
      outcome: call.outcome,
      duration_ms: call.durationMs,
    });
    try {
      await d.audit.record({
        calledAt: call.at,
        ...who?.audit,
        role: call.role,
        principal: call.principal,
        via,
        ip,
        tool: call.tool,
        arguments: call.arguments,
        durationMs: call.durationMs,
        outcome: call.outcome,
        error: call.error,
      } as E);
    } catch (err) {
      d.log.error('could not write the MCP audit log', { tool: call.tool, error: (err as Error).message });
    }
  };
}
