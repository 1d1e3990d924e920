import type { Knex } from 'knex';
import type { HeartbeatMeterState } from '@meterit/shared';

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
  /** The agent's per-meter states; undefined from agents that do not report them (any earlier states are then cleared). */
  meterStates?: HeartbeatMeterState[] | undefined;
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
      // The latest state per meter on the meter itself; a meter the agent no longer lists has none.
      const states = h.meterStates ?? [];
      await trx.raw(
        `UPDATE meters m
            SET agent_state = s.state, agent_state_at = CASE WHEN s.state IS NULL THEN NULL ELSE ?::timestamptz END
           FROM (SELECT m2.id, x.state FROM meters m2
                   LEFT JOIN jsonb_array_elements(?::jsonb) AS x(state) ON x.state->>'external_id' = m2.external_id
                  WHERE m2.site_id = ?) s
          WHERE m.id = s.id AND m.site_id = ? AND (s.state IS NOT NULL OR m.agent_state IS NOT NULL)`,
        [h.receivedAt, JSON.stringify(states), h.siteId, h.siteId],
      );
    });
  }
}

export interface SiteOverviewRow {
  id: number;
  name: string;
  location: string | null;
  is_active: boolean;
  created_at: Date;
  last_heartbeat_at: Date | null;
  last_heartbeat: import('@meterit/shared').HeartbeatRequest | null;
  agent_version: string | null;
  clock_offset_ms: string | number | null;
  last_batch_at: Date | null;
  active_meters: number;
  earlier_queue_depth: string | number | null;
  time_zone: string;
  currency: string;
  area_m2: number | null;
  co2_kg_per_kwh: number | null;
}

/** The columns an admin sets on a site, by their column names; what is left out stays as it is (or the default). */
export interface SiteColumns {
  name?: string;
  location?: string | null;
  is_active?: boolean;
  time_zone?: string;
  currency?: string;
  area_m2?: number | null;
  co2_kg_per_kwh?: number | null;
}

export interface ApiKeyRow {
  key_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** Operator-side SQL about sites (lists, edits, keys, heartbeat history). */
export class SitesAdminRepository {
  constructor(private readonly knex: Knex) {}

  /** siteIds null = all sites. The earlier backlog reading uses the (site_id, received_at) index. */
  async overview(siteIds: number[] | null, includeInactive: boolean): Promise<SiteOverviewRow[]> {
    const { rows } = await this.knex.raw<{ rows: SiteOverviewRow[] }>(
      `SELECT s.id, s.name, s.location, s.is_active, s.created_at, s.last_heartbeat_at, s.last_heartbeat,
              s.agent_version, s.clock_offset_ms, s.last_batch_at,
              s.time_zone, s.currency, s.area_m2, s.co2_kg_per_kwh,
              (SELECT count(*)::int FROM meters m WHERE m.site_id = s.id AND m.is_active) AS active_meters,
              (SELECT h.payload->>'queue_depth' FROM heartbeats h
                WHERE h.site_id = s.id AND h.received_at <= s.last_heartbeat_at - interval '10 minutes'
                ORDER BY h.received_at DESC LIMIT 1) AS earlier_queue_depth
         FROM sites s
        WHERE (?::int[] IS NULL OR s.id = ANY(?::int[])) AND (s.is_active OR ?)
        ORDER BY s.name`,
      [siteIds, siteIds, includeInactive] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Undefined when the name is taken. */
  async insert(site: SiteColumns & { name: string }, trx: Knex = this.knex): Promise<number | undefined> {
    const rows = await trx('sites').insert(site).onConflict('name').ignore().returning<{ id: number }[]>('id');
    return rows[0]?.id;
  }

  /** false when the new name is taken by another site. */
  async update(id: number, patch: SiteColumns): Promise<boolean> {
    if (patch.name !== undefined) {
      const { rows } = await this.knex.raw<{ rows: unknown[] }>('SELECT 1 FROM sites WHERE name = ? AND id <> ?', [
        patch.name,
        id,
      ]);
      if (rows.length > 0) return false;
    }
    if (Object.keys(patch).length > 0) await this.knex('sites').where({ id }).update(patch);
    return true;
  }

  async keys(siteId: number): Promise<ApiKeyRow[]> {
    const { rows } = await this.knex.raw<{ rows: ApiKeyRow[] }>(
      'SELECT key_prefix, created_at, expires_at, revoked_at FROM site_api_keys WHERE site_id = ? ORDER BY created_at DESC, id DESC',
      [siteId],
    );
    return rows;
  }

  async revokeKey(siteId: number, prefix: string): Promise<boolean> {
    const r = await this.knex.raw<{ rowCount: number }>(
      'UPDATE site_api_keys SET revoked_at = now() WHERE site_id = ? AND key_prefix = ? AND revoked_at IS NULL',
      [siteId, prefix],
    );
    return r.rowCount > 0;
  }

  async heartbeats(
    siteId: number,
    from: Date,
    to: Date,
    max: number,
  ): Promise<{ rows: { received_at: Date; payload: import('@meterit/shared').HeartbeatRequest }[]; total: number }> {
    const { rows: count } = await this.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats WHERE site_id = ? AND received_at >= ? AND received_at < ?',
      [siteId, from, to],
    );
    const total = count[0]?.n ?? 0;
    const every = Math.max(1, Math.ceil(total / max));
    // Evenly thinned when there are more than `max`, always keeping the newest.
    const { rows } = await this.knex.raw<{
      rows: { received_at: Date; payload: import('@meterit/shared').HeartbeatRequest }[];
    }>(
      `SELECT received_at, payload FROM (
         SELECT received_at, payload, row_number() OVER (ORDER BY received_at DESC) AS rn
           FROM heartbeats WHERE site_id = ? AND received_at >= ? AND received_at < ?) h
        WHERE (rn - 1) % ? = 0 ORDER BY received_at`,
      [siteId, from, to, every],
    );
    return { rows, total };
  }

  /** Consecutive heartbeats further apart than `gapMs`, plus the heartbeats just around the range. */
  async heartbeatGaps(siteId: number, from: Date, to: Date, gapMs: number): Promise<{ from: Date; to: Date }[]> {
    const { rows } = await this.knex.raw<{ rows: { prev: Date; at: Date }[] }>(
      `SELECT prev, at FROM (
         SELECT received_at AS at, lag(received_at) OVER (ORDER BY received_at) AS prev
           FROM heartbeats WHERE site_id = ? AND received_at >= ? AND received_at < ?) g
        WHERE prev IS NOT NULL AND at - prev > (? * interval '1 millisecond')
        ORDER BY at`,
      [siteId, from, to, gapMs],
    );
    return rows.map((r) => ({ from: r.prev, to: r.at }));
  }

  /**
   * The outages agents reported after they were back (heartbeats whose `uplink_down_since` is set): one per
   * distinct start, with the first heartbeat that reported it and that heartbeat's agent time (for the clock offset).
   */
  async reportedOutages(
    siteId: number,
    from: Date,
    to: Date,
  ): Promise<{ since: string; received_at: Date; agent_time: string }[]> {
    const { rows } = await this.knex.raw<{ rows: { since: string; received_at: Date; agent_time: string }[] }>(
      `SELECT DISTINCT ON (payload->>'uplink_down_since') payload->>'uplink_down_since' AS since, received_at, payload->>'agent_time' AS agent_time
         FROM heartbeats
        WHERE site_id = ? AND received_at >= ? AND received_at < ? AND payload->>'uplink_down_since' IS NOT NULL
        ORDER BY payload->>'uplink_down_since', received_at`,
      [siteId, from, to],
    );
    return rows;
  }

  async heartbeatBefore(siteId: number, at: Date): Promise<Date | undefined> {
    const { rows } = await this.knex.raw<{ rows: { received_at: Date }[] }>(
      'SELECT received_at FROM heartbeats WHERE site_id = ? AND received_at < ? ORDER BY received_at DESC LIMIT 1',
      [siteId, at],
    );
    return rows[0]?.received_at;
  }
}
