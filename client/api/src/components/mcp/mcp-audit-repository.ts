import type { Knex } from 'knex';

export interface McpAuditEntry {
  calledAt: Date;
  userId: number;
  email: string;
  role: string;
  /** access_token | mcp_token:<id> */
  principal: string;
  /** 'http' for a direct Streamable HTTP client, 'stdio-bridge' through client/mcp/dist/stdio.js. */
  via: string;
  ip: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  durationMs: number;
  /** ok | error | forbidden | invalid */
  outcome: string;
  error: string | null;
}

/** The MCP audit log (table mcp_audit): all its SQL. */
export class McpAuditRepository {
  constructor(private readonly knex: Knex) {}

  async record(e: McpAuditEntry): Promise<void> {
    await this.knex.raw(
      `INSERT INTO mcp_audit (called_at, user_id, user_email, role, principal, via, ip, tool, arguments, duration_ms, outcome, success, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)`,
      [
        e.calledAt,
        e.userId,
        e.email.slice(0, 255),
        e.role,
        e.principal.slice(0, 64),
        e.via.slice(0, 32),
        e.ip?.slice(0, 64) ?? null,
        e.tool.slice(0, 100),
        JSON.stringify(e.arguments),
        Math.max(0, Math.round(e.durationMs)),
        e.outcome,
        e.outcome === 'ok',
        e.error ? e.error.slice(0, 2000) : null,
      ],
    );
  }
}
