import type { Finding, Snapshot } from './run.js';

// What the MCP part of the bad-input suite attacks (a server, its callers, its samples) and what it reports.
export interface McpCaller {
  name: string;
  token: string;
  /** Strings that must never appear in an answer to this caller (another site's meter ids and name). */
  mustNotSee?: string[];
  /** Only the cases about who may do what (missing arguments, another site's ids), not every wrong value again. */
  rolesOnly?: boolean;
}

export interface McpTarget {
  name: string;
  /** Base URL of the service; /mcp is under it and /health answers. */
  base: string;
  callers: McpCaller[];
  /** Valid values by argument name (a meter id, a site id), so that one bad argument at a time is tried. */
  samples: Record<string, unknown>;
  /** Values of another site by argument name: a site-limited caller must get an error or nothing of it. */
  foreign: Record<string, unknown>;
  /** What a refused call must not change. */
  snapshot: () => Promise<Snapshot>;
  /** Bearer values that must be refused. */
  badTokens: Array<[string, string]>;
  /** Loopback address to send from. */
  source?: string;
  /** Rows in the server's MCP audit log: every tools/call, whatever its outcome, must add exactly one. */
  auditRows?: () => Promise<number>;
  /** Cases the schema cannot generate (e.g. ids that name nothing, with the arguments that get a tool that far), by tool. */
  extraCases?: Record<string, Array<{ name: string; args: Record<string, unknown>; expect: 'reject' | 'survive' }>>;
}

export interface McpReport {
  target: string;
  durationMs: number;
  tools: Array<{ tool: string; cases: number }>;
  calls: number;
  rawRequests: number;
  outcomes: Record<string, number>;
  findings: Finding[];
}
