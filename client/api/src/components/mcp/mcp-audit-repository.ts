import type { Knex } from 'knex';
import { mcpAuditColumns, type McpAuditEntry as SharedAuditEntry } from '@meterit/shared/mcp-server';

/** One mcp_audit row: the columns both services keep, and who the user was. */
export interface McpAuditEntry extends SharedAuditEntry {
  userId: number;
  email: string;
}

/** The MCP audit log (table mcp_audit): all its SQL. */
export class McpAuditRepository {
  constructor(private readonly knex: Knex) {}

  async record(e: McpAuditEntry): Promise<void> {
    await this.knex('mcp_audit').insert({
      ...mcpAuditColumns(e),
      user_id: e.userId,
      user_email: e.email.slice(0, 255),
    });
  }
}
