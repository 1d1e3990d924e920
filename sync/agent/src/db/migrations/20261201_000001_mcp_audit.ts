import type { Knex } from 'knex';
import type { Migration } from '@meterit/shared/node';

// Every MCP tool call on this site: who (role and how it was proven), which tool, the arguments
// without secrets, how long it took and how it ended.
export const mcpAudit: Migration = {
  name: '20261201_000001_mcp_audit',
  async up(knex: Knex) {
    await knex.schema.createTable('mcp_audit', (t) => {
      t.bigIncrements('id').primary();
      t.timestamp('called_at', { useTz: true, precision: 3 }).notNullable();
      t.string('role', 16).notNullable();
      t.string('principal', 32).notNullable();
      t.string('via', 32).notNullable().defaultTo('http');
      t.string('ip', 64);
      t.string('tool', 100).notNullable();
      t.jsonb('arguments').notNullable().defaultTo('{}');
      t.integer('duration_ms').notNullable();
      t.string('outcome', 16).notNullable();
      t.boolean('success').notNullable();
      t.text('error');
    });
    await knex.raw('CREATE INDEX mcp_audit_called_at_idx ON mcp_audit (called_at DESC)');
  },
  async down(knex: Knex) {
    await knex.schema.dropTableIfExists('mcp_audit');
  },
};
