import type { ToolOutcome } from '@meterit/shared/mcp-server';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SiteOperations } from './operations.js';

/** operator: may change things (LOCAL_API_TOKEN). viewer: read-only tools only (LOCAL_API_VIEWER_TOKEN). */
export type SiteRole = 'operator' | 'viewer';

/** How a call ended: ok, a tool error, refused for the caller's role, or arguments that did not validate. */
export type { ToolOutcome };

/** One tool call, as the audit log and the metrics see it. */
export interface ToolCallRecord {
  at: Date;
  tool: string;
  role: SiteRole;
  /** What proved the role: e.g. 'token', 'session', 'viewer_token'. Never the secret itself. */
  principal: string;
  /** The arguments with anything that looks like a secret replaced by '[redacted]'. */
  arguments: Record<string, unknown>;
  durationMs: number;
  outcome: ToolOutcome;
  /** The tool error's text when outcome is not 'ok'. */
  error: string | null;
}

export interface SiteMcpContext {
  role: SiteRole;
  principal: string;
  /** Called once per tools/call, after it answered (audit log, metrics). Its failures are logged by whoever passed it, never shown to the caller. */
  onToolCall?: (call: ToolCallRecord) => void | Promise<void>;
  /** Server version reported in initialize. */
  version?: string;
  /** Clock for time ranges (tests). */
  now?: () => number;
}

/** What every tool registration gets. */
export interface ToolDeps {
  ops: SiteOperations;
  role: SiteRole;
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

/** Changing tools call this first; a viewer gets a tool error that says why. */
export function refuseViewer(deps: ToolDeps, tool: string, requestId: string | number): CallToolResult | null {
  if (deps.role === 'operator') return null;
  deps.markForbidden(requestId);
  return toolError(
    `${tool} changes the running agent, and the role "${deps.role}" may not do that. Connect with the operator token (LOCAL_API_TOKEN) to use it; read-only tools work with this token.`,
  );
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

/** An ISO time or null, shortened for text summaries. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : 'never';
}
