import type { Knex } from 'knex';

export interface McpAuditEntry {
  calledAt: Date;
  role: string;
  principal: string;
  /** 'http' for a direct Streamable HTTP client, 'stdio-bridge' through dist/stdio.js. */
  via: string;
  ip: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  durationMs: number;
  /** ok | error | forbidden | invalid */
  outcome: string;
  error: string | null;
}

export interface McpAuditRow extends McpAuditEntry {
  id: number;
  success: boolean;
}

interface Row {
  id: number;
  called_at: Date;
  role: string;
  principal: string;
  via: string;
  ip: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  duration_ms: number;
  outcome: string;
  success: boolean;
  error: string | null;
}

/** The MCP audit log (table mcp_audit): all its SQL. */
export class McpAuditRepository {
  constructor(private readonly knex: Knex) {}

  async record(e: McpAuditEntry): Promise<void> {
    await this.knex('mcp_audit').insert({
      called_at: e.calledAt,
      role: e.role,
      principal: e.principal,
      via: e.via.slice(0, 32),
      ip: e.ip?.slice(0, 64) ?? null,
      tool: e.tool.slice(0, 100),
      arguments: JSON.stringify(e.arguments),
      duration_ms: Math.max(0, Math.round(e.durationMs)),
      outcome: e.outcome,
      success: e.outcome === 'ok',
      error: e.error ? e.error.slice(0, 2000) : null,
    });
  }

  /** Newest first. */
  async list(limit: number, opts: { tool?: string } = {}): Promise<McpAuditRow[]> {
    const q = this.knex('mcp_audit').orderBy('id', 'desc').limit(limit);
    if (opts.tool) q.where({ tool: opts.tool });
    const rows: Row[] = await q.select('*');
    return rows.map((r) => ({
      id: Number(r.id),
      calledAt: r.called_at,
      role: r.role,
      principal: r.principal,
      via: r.via,
      ip: r.ip,
      tool: r.tool,
      arguments: r.arguments,
      durationMs: r.duration_ms,
      outcome: r.outcome,
      success: r.success,
      error: r.error,
    }));
  }

  async purgeOlderThan(before: Date): Promise<number> {
    return this.knex('mcp_audit').where('called_at', '<', before).delete();
  }
}
