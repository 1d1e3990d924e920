import type { Migration } from '@meterit/shared/node';

/** Personal MCP tokens (long-lived bearer tokens for AI assistants) and the MCP audit log. */
export const createMcpTokensAndAudit: Migration = {
  name: '20251216000100_create_mcp_tokens_and_audit',
  async up(knex) {
    // Only a SHA-256 of each token is kept (256 random bits: a slow hash adds nothing). A token acts
    // as its user with the user's role and sites as they are at each call.
    await knex.raw(`
      CREATE TABLE mcp_tokens (
        id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name          varchar(100) NOT NULL,
        token_prefix  varchar(16) NOT NULL,
        token_hash    bytea NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        last_used_at  timestamptz,
        revoked_at    timestamptz
      )`);
    await knex.raw('CREATE INDEX mcp_tokens_user_idx ON mcp_tokens (user_id)');
    await knex.raw(`
      CREATE TABLE mcp_audit (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        called_at    timestamptz NOT NULL,
        user_id      integer REFERENCES users(id) ON DELETE SET NULL,
        user_email   varchar(255) NOT NULL,
        role         varchar(16) NOT NULL,
        principal    varchar(64) NOT NULL,
        via          varchar(32) NOT NULL,
        ip           varchar(64),
        tool         varchar(100) NOT NULL,
        arguments    jsonb NOT NULL,
        duration_ms  integer NOT NULL,
        outcome      varchar(16) NOT NULL,
        success      boolean NOT NULL,
        error        text
      )`);
    await knex.raw('CREATE INDEX mcp_audit_called_at_idx ON mcp_audit (called_at)');
  },
  async down(knex) {
    await knex.raw('DROP TABLE mcp_audit');
    await knex.raw('DROP TABLE mcp_tokens');
  },
};
