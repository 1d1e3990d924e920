import type { Knex } from 'knex';
import { mcpAuditColumns, type McpAuditColumns, type McpAuditEntry } from '@meterit/shared/mcp-server';

export type { McpAuditEntry } from '@meterit/shared/mcp-server';

export interface McpAuditRow extends McpAuditEntry {
  id: number;
  success: boolean;
}

/** A row as read back: jsonb arguments arrive parsed. */
type Row = Omit<McpAuditColumns, 'arguments'> & { id: number; arguments: Record<string, unknown> };

/** The MCP audit log (table mcp_audit): all its SQL. */
export class McpAuditRepository {
  constructor(private readonly knex: Knex) {}

  async record(e: McpAuditEntry): Promise<void> {
    await this.knex('mcp_audit').insert(mcpAuditColumns(e));
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
