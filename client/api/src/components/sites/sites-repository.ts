import type { Knex } from 'knex';

export interface SiteRow {
  id: number;
  name: string;
  is_active: boolean;
  created_at: Date;
  last_heartbeat_at: Date | null;
  agent_version: string | null;
  clock_offset_ms: number | null;
}

export interface ApiKeyLookup {
  key_id: number;
  key_hash: Buffer;
  expires_at: Date | null;
  revoked_at: Date | null;
  site_id: number;
  site_name: string;
  site_active: boolean;
}

export interface HeartbeatRecord {
  siteId: number;
  agentVersion: string;
  clockOffsetMs: number;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

/** All SQL about sites, their API keys and their heartbeats. */
export class SitesRepository {
  constructor(private readonly knex: Knex) {}

  async findByName(name: string, trx: Knex = this.knex): Promise<SiteRow | undefined> {
    const { rows } = await trx.raw<{ rows: SiteRow[] }>(
      `SELECT id, name, is_active, created_at, last_heartbeat_at, agent_version, clock_offset_ms
         FROM sites WHERE name = ?`,
      [name],
    );
    return rows[0];
  }

  async findById(id: number): Promise<SiteRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: SiteRow[] }>(
      `SELECT id, name, is_active, created_at, last_heartbeat_at, agent_version, clock_offset_ms
         FROM sites WHERE id = ?`,
      [id],
    );
    return rows[0];
  }

  /** Insert the site unless one of that name exists; returns the site either way. */
  async ensure(name: string, trx: Knex = this.knex): Promise<{ site: SiteRow; created: boolean }> {
    const { rows } = await trx.raw<{ rows: SiteRow[] }>(
      `INSERT INTO sites (name) VALUES (?) ON CONFLICT (name) DO NOTHING
       RETURNING id, name, is_active, created_at, last_heartbeat_at, agent_version, clock_offset_ms`,
      [name],
    );
    if (rows[0]) return { site: rows[0], created: true };
    const existing = await this.findByName(name, trx);
    if (!existing) throw new Error(`site ${name} vanished while being created`);
    return { site: existing, created: false };
  }

  async setActive(siteId: number, active: boolean): Promise<void> {
    await this.knex.raw('UPDATE sites SET is_active = ? WHERE id = ?', [active, siteId]);
  }

  async insertApiKey(siteId: number, prefix: string, hash: Buffer, trx: Knex = this.knex): Promise<number> {
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      'INSERT INTO site_api_keys (site_id, key_prefix, key_hash) VALUES (?, ?, ?) RETURNING id',
      [siteId, prefix, hash],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('API key insert returned no id');
    return id;
  }

  /** Let the site's other keys expire after `graceMs` (key rotation), or at once with 0. */
  async expireOtherKeys(siteId: number, keepKeyId: number, graceMs: number, trx: Knex = this.knex): Promise<number> {
    const result = await trx.raw<{ rowCount: number }>(
      `UPDATE site_api_keys
          SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + (? * interval '1 millisecond'))
        WHERE site_id = ? AND id <> ? AND revoked_at IS NULL`,
      [graceMs, siteId, keepKeyId],
    );
    return result.rowCount;
  }

  async revokeKeyByPrefix(prefix: string): Promise<boolean> {
    const result = await this.knex.raw<{ rowCount: number }>(
      'UPDATE site_api_keys SET revoked_at = now() WHERE key_prefix = ? AND revoked_at IS NULL',
      [prefix],
    );
    return result.rowCount > 0;
  }

  async findKeyByPrefix(prefix: string): Promise<ApiKeyLookup | undefined> {
    const { rows } = await this.knex.raw<{ rows: ApiKeyLookup[] }>(
      `SELECT k.id AS key_id, k.key_hash, k.expires_at, k.revoked_at,
              s.id AS site_id, s.name AS site_name, s.is_active AS site_active
         FROM site_api_keys k JOIN sites s ON s.id = k.site_id
        WHERE k.key_prefix = ?`,
      [prefix],
    );
    return rows[0];
  }

  async recordHeartbeat(h: HeartbeatRecord): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx.raw(
        `UPDATE sites SET last_heartbeat_at = ?, last_heartbeat = ?::jsonb, agent_version = ?, clock_offset_ms = ?
          WHERE id = ?`,
        [h.receivedAt, JSON.stringify(h.payload), h.agentVersion, h.clockOffsetMs, h.siteId],
      );
      await trx.raw('INSERT INTO heartbeats (site_id, received_at, payload) VALUES (?, ?, ?::jsonb)', [
        h.siteId,
        h.receivedAt,
        JSON.stringify(h.payload),
      ]);
    });
  }
}
