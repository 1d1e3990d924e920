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
}

/** What every tool registration gets. */
export interface ToolDeps {
  ops: ClientOperations;
  user: McpUser;
  now: () => number;
  /** Marks the call in flight as refused for the role (for the audit outcome). */
  markForbidden: (requestId: string | number) => void;
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
  return toolError(`${tool} changes the client system, and the role "${deps.user.role}" may not do that; ask an admin for the operator role. Read-only tools work with this token.`);
}

/** Runs a tool body; an operation that throws becomes a tool error with its message, never a crash. */
export async function guarded(tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return toolError(`${tool} failed: ${message}`);
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
