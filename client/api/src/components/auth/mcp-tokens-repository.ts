import type { Knex } from 'knex';

export interface McpTokenRow {
  id: number;
  user_id: number;
  name: string;
  token_prefix: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, user_id, name, token_prefix, created_at, expires_at, last_used_at, revoked_at';

/** All SQL about personal MCP tokens. */
export class McpTokensRepository {
  constructor(private readonly knex: Knex) {}

  async insert(t: {
    userId: number;
    name: string;
    prefix: string;
    hash: Buffer;
    expiresAt: Date;
  }): Promise<McpTokenRow> {
    const { rows } = await this.knex.raw<{ rows: McpTokenRow[] }>(
      `INSERT INTO mcp_tokens (user_id, name, token_prefix, token_hash, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [t.userId, t.name, t.prefix, t.hash, t.expiresAt],
    );
    const row = rows[0];
    if (!row) throw new Error('MCP token insert returned no row');
    return row;
  }

  async listForUser(userId: number): Promise<McpTokenRow[]> {
    const { rows } = await this.knex.raw<{ rows: McpTokenRow[] }>(
      `SELECT ${COLUMNS} FROM mcp_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows;
  }

  async countUsable(userId: number): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM mcp_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > now()',
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  async findByHash(hash: Buffer): Promise<McpTokenRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: McpTokenRow[] }>(
      `SELECT ${COLUMNS} FROM mcp_tokens WHERE token_hash = ?`,
      [hash],
    );
    return rows[0];
  }

  /** false when the user has no such token (or it was revoked already). */
  async revoke(userId: number, id: number): Promise<boolean> {
    const r = await this.knex.raw<{ rowCount: number }>(
      'UPDATE mcp_tokens SET revoked_at = now() WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      [id, userId],
    );
    return r.rowCount > 0;
  }

  async exists(userId: number, id: number): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>('SELECT 1 FROM mcp_tokens WHERE id = ? AND user_id = ?', [
      id,
      userId,
    ]);
    return rows.length > 0;
  }

  /** At most once a minute per token, so a busy assistant does not write on every call. */
  async touch(id: number): Promise<void> {
    await this.knex.raw(
      "UPDATE mcp_tokens SET last_used_at = now() WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      [id],
    );
  }
}
