import type { ToolOutcome } from '@meterit/shared/mcp-server';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { UserRole } from '@meterit/shared';
import type { ClientOperations, McpUser } from './operations.js';

/** How a call ended: ok, a tool error, refused for the caller's role, or arguments that did not validate. */
export type { ToolOutcome };

/** One tool call, as the audit log and the metrics see it. */
export interface ToolCallRecord {
  at: Date;
  tool: string;
  userId: number;
  email: string;
  role: UserRole;
  /** What proved who the caller is: 'access_token' or 'mcp_token:<id>'. Never the secret itself. */
  principal: string;
  /** The arguments with anything that looks like a secret replaced by '[redacted]'. */
  arguments: Record<string, unknown>;
  durationMs: number;
  outcome: ToolOutcome;
  /** The tool error's text when outcome is not 'ok'. */
  error: string | null;
}

export interface ClientMcpContext {
  user: McpUser;
  principal: string;
  /** Called once per tools/call, after it answered (audit log, metrics). Its failures are the caller's to log. */
  onToolCall?: (call: ToolCallRecord) => void | Promise<void>;
  /** Server version reported in initialize. */
  version?: string;
  /** Clock for default time ranges (tests). */
  now?: () => number;
  /** An operation failed for a reason that is not the caller's (a database error, a bug): log it; the caller only hears that it failed. */
  onInternalError?: (tool: string, err: unknown) => void;
}

/** What every tool registration gets. */
export interface ToolDeps {
  ops: ClientOperations;
  user: McpUser;
  now: () => number;
  /** Marks the call in flight as refused for the role (for the audit outcome). */
  markForbidden: (requestId: string | number) => void;
  onInternalError?: (tool: string, err: unknown) => void;
}

export function answer(text: string, structured: object): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
}

export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Changing tools call this first: only operators and admins may change things, as in the web app. */
export function refuseViewer(deps: ToolDeps, tool: string, requestId: string | number): CallToolResult | null {
  if (deps.user.role === 'admin' || deps.user.role === 'operator') return null;
  deps.markForbidden(requestId);
  return toolError(
    `${tool} changes the client system, and the role "${deps.user.role}" may not do that; ask an admin for the operator role. Read-only tools work with this token.`,
  );
}

/** An error whose message is written for the caller (e.g. why the client system cannot be reached). */
export function callerError(message: string): Error {
  return Object.assign(new Error(message), { expose: true });
}

/**
 * The message of an error written for the caller, or null for an internal one: the API's own 4xx
 * errors ("no meter with id 7") and callerError say what to change; a database error or a bug says
 * nothing a caller can act on and may show SQL, so it is never passed on.
 */
function callerMessage(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { status?: unknown; expose?: unknown };
  if (e.expose === true) return e.message;
  return typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.message : null;
}

/** Runs a tool body; an operation that throws becomes a tool error, never a crash, and never shows what went wrong inside. */
export async function guarded(
  deps: Pick<ToolDeps, 'onInternalError'>,
  tool: string,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    const message = callerMessage(err);
    if (message !== null) return toolError(`${tool} failed: ${message}`);
    deps.onInternalError?.(tool, err);
    return toolError(
      `${tool} failed inside the client system (an internal error; its log has the details). Try again; if it keeps failing, tell the client system's administrator.`,
    );
  }
}

/** The sites the caller may see, narrowed to `requested` (null = every site). */
export function visibleSites(user: McpUser, requested?: number[]): number[] | null {
  if (user.siteIds === null) return requested ?? null;
  if (requested === undefined) return user.siteIds;
  return requested.filter((id) => user.siteIds?.includes(id));
}

/** An ISO time without milliseconds, for text summaries. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : 'never';
}

export const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** The annotations of a tool that only reads the client system. */
export const READ_ONLY_TOOL = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
