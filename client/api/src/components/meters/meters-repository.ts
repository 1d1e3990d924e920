import type { Knex } from 'knex';
import {
  DEFAULT_METER_PROTOCOL,
  type DataPointConfig,
  type HeartbeatMeterState,
  type MeterProtocolName,
} from '@meterit/shared';

export interface MeterRow {
  id: number;
  site_id: number;
  external_id: string;
  name: string;
  protocol: MeterProtocolName;
  bacnet_device_id: number | null;
  bacnet_ip: string | null;
  bacnet_port: number | null;
  data_points: DataPointConfig[];
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface NewMeter {
  external_id: string;
  name: string;
  protocol: MeterProtocolName;
  bacnet_device_id: number;
  bacnet_ip: string;
  bacnet_port: number | null;
  data_points: DataPointConfig[];
  is_active: boolean;
}

/** A meter's fields as a site registers them (MeterConfig) or an operator writes them (MeterWriteRequest). */
export interface MeterFields {
  name: string;
  /** Absent: bacnet (an operator's new meter, a site that names none). */
  protocol?: MeterProtocolName | undefined;
  bacnet_device_id: number;
  bacnet_ip: string;
  bacnet_port?: number | null | undefined;
  data_points: readonly DataPointConfig[];
  is_active?: boolean | undefined;
}

/** The row to store for a meter: absent data-point options left out, the port and active flag defaulted. */
export function toNewMeter(externalId: string, m: MeterFields): NewMeter {
  return {
    external_id: externalId,
    name: m.name,
    protocol: m.protocol ?? DEFAULT_METER_PROTOCOL,
    bacnet_device_id: m.bacnet_device_id,
    bacnet_ip: m.bacnet_ip,
    bacnet_port: m.bacnet_port ?? null,
    data_points: storedDataPoints(m.data_points),
    is_active: m.is_active ?? true,
  };
}

/** Data points as stored: the options a request left out are absent, not undefined. */
export function storedDataPoints(points: readonly DataPointConfig[]): DataPointConfig[] {
  return points.map((p) => ({
    object_type: p.object_type,
    instance: p.instance,
    ...(p.property === undefined ? {} : { property: p.property }),
    name: p.name,
    ...(p.unit === undefined ? {} : { unit: p.unit }),
    ...(p.wraps_at === undefined || p.wraps_at === null ? {} : { wraps_at: p.wraps_at }),
    ...(p.max_kwh_per_hour === undefined || p.max_kwh_per_hour === null
      ? {}
      : { max_kwh_per_hour: p.max_kwh_per_hour }),
  }));
}

/** All SQL about meters. Every query is scoped by site: a site's key never reaches another site's meters. */
export class MetersRepository {
  constructor(private readonly knex: Knex) {}

  async listForSite(siteId: number, opts: { activeOnly: boolean }): Promise<MeterRow[]> {
    const { rows } = await this.knex.raw<{ rows: MeterRow[] }>(
      `SELECT id, site_id, external_id, name, protocol, bacnet_device_id, bacnet_ip, bacnet_port, data_points,
              is_active, created_at, updated_at
         FROM meters
        WHERE site_id = ? AND (is_active OR NOT ?)
        ORDER BY external_id`,
      [siteId, opts.activeOnly],
    );
    return rows;
  }

  /** Map external ids to meter ids, for this site only. */
  async idsByExternalId(siteId: number, externalIds: string[], trx: Knex = this.knex): Promise<Map<string, number>> {
    if (externalIds.length === 0) return new Map();
    const { rows } = await trx.raw<{ rows: { id: number; external_id: string }[] }>(
      'SELECT id, external_id FROM meters WHERE site_id = ? AND external_id = ANY(?::text[])',
      [siteId, externalIds],
    );
    return new Map(rows.map((r) => [r.external_id, r.id]));
  }

  /** Insert the meters this site does not have yet; existing ones are left untouched. Returns the created external ids. */
  async insertMissing(siteId: number, meters: NewMeter[]): Promise<string[]> {
    if (meters.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: { external_id: string }[] }>(
      `INSERT INTO meters (site_id, external_id, name, protocol, bacnet_device_id, bacnet_ip, bacnet_port, data_points,
                           is_active)
       SELECT ?, m.external_id, m.name, m.protocol, m.bacnet_device_id, m.bacnet_ip, m.bacnet_port, m.data_points,
              m.is_active
         FROM jsonb_to_recordset(?::jsonb) AS m(external_id text, name text, protocol text, bacnet_device_id integer,
                                                bacnet_ip text, bacnet_port integer, data_points jsonb, is_active boolean)
       ON CONFLICT (site_id, external_id) DO NOTHING
       RETURNING external_id`,
      [siteId, JSON.stringify(meters)],
    );
    return rows.map((r) => r.external_id);
  }
}

export interface MeterWithSiteRow extends MeterRow {
  site_name: string;
  /** The agent's state of the meter in the site's latest heartbeat that listed it, and that heartbeat's arrival. */
  agent_state: HeartbeatMeterState | null;
  agent_state_at: Date | null;
}

export interface LatestValueRow {
  meter_id: number;
  data_point: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
}

export interface MeterFilter {
  /** null = every site. */
  siteIds: number[] | null;
  meterIds?: number[] | undefined;
  search?: string | undefined;
  includeInactive: boolean;
}

/** Operator-side SQL about meters: lists across sites, latest values, edits. */
export class MetersAdminRepository {
  constructor(private readonly knex: Knex) {}

  async list(f: MeterFilter): Promise<MeterWithSiteRow[]> {
    const like = f.search ? `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const { rows } = await this.knex.raw<{ rows: MeterWithSiteRow[] }>(
      `SELECT m.id, m.site_id, s.name AS site_name, m.external_id, m.name, m.protocol, m.bacnet_device_id, m.bacnet_ip,
              m.bacnet_port,
              m.data_points, m.is_active, m.created_at, m.updated_at, m.agent_state, m.agent_state_at
         FROM meters m JOIN sites s ON s.id = m.site_id
        WHERE (?::int[] IS NULL OR m.site_id = ANY(?::int[]))
          AND (?::int[] IS NULL OR m.id = ANY(?::int[]))
          AND (?::text IS NULL OR m.name ILIKE ? OR m.external_id ILIKE ? OR s.name ILIKE ?)
          AND (m.is_active OR ?)
        ORDER BY s.name, m.external_id`,
      [
        f.siteIds,
        f.siteIds,
        f.meterIds ?? null,
        f.meterIds ?? null,
        like,
        like,
        like,
        like,
        f.includeInactive,
      ] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /**
   * The newest reading of every configured data point of these meters: one backward step on the
   * readings primary key (site_id, meter_id, data_point, ts) per point, however long the history.
   */
  async latestValues(meterIds: number[]): Promise<LatestValueRow[]> {
    if (meterIds.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: LatestValueRow[] }>(
      `SELECT m.id AS meter_id, p.name AS data_point, r.ts, r.value, r.unit, r.quality
         FROM meters m
        CROSS JOIN LATERAL (SELECT DISTINCT d->>'name' AS name FROM jsonb_array_elements(m.data_points) AS d) p
        CROSS JOIN LATERAL (
          SELECT r.ts, r.value, r.unit, r.quality FROM meter_readings r
           WHERE r.site_id = m.site_id AND r.meter_id = m.id AND r.data_point = p.name
           ORDER BY r.ts DESC LIMIT 1) r
        WHERE m.id = ANY(?::int[])`,
      [meterIds] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  /** Undefined when the site already has a meter with that external id. */
  async insert(siteId: number, m: NewMeter): Promise<number | undefined> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO meters (site_id, external_id, name, protocol, bacnet_device_id, bacnet_ip, bacnet_port, data_points,
                           is_active)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (site_id, external_id) DO NOTHING RETURNING id`,
      [
        siteId,
        m.external_id,
        m.name,
        m.protocol,
        m.bacnet_device_id,
        m.bacnet_ip,
        m.bacnet_port,
        JSON.stringify(m.data_points),
        m.is_active,
      ],
    );
    return rows[0]?.id;
  }

  /** false when the new external id is taken on the meter's site. */
  async update(id: number, siteId: number, m: Partial<NewMeter>): Promise<boolean> {
    if (m.external_id !== undefined) {
      const { rows } = await this.knex.raw<{ rows: unknown[] }>(
        'SELECT 1 FROM meters WHERE site_id = ? AND external_id = ? AND id <> ?',
        [siteId, m.external_id, id],
      );
      if (rows.length > 0) return false;
    }
    await this.knex.raw(
      `UPDATE meters SET
          external_id = COALESCE(?, external_id), name = COALESCE(?, name),
          bacnet_device_id = COALESCE(?, bacnet_device_id), bacnet_ip = COALESCE(?, bacnet_ip),
          bacnet_port = CASE WHEN ? THEN ? ELSE bacnet_port END,
          data_points = COALESCE(?::jsonb, data_points), is_active = COALESCE(?, is_active), updated_at = now()
        WHERE id = ?`,
      [
        m.external_id ?? null,
        m.name ?? null,
        m.bacnet_device_id ?? null,
        m.bacnet_ip ?? null,
        m.bacnet_port !== undefined,
        m.bacnet_port ?? null,
        m.data_points === undefined ? null : JSON.stringify(m.data_points),
        m.is_active ?? null,
        id,
      ],
    );
    return true;
  }
}
