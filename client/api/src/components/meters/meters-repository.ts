import type { Knex } from 'knex';
import type { DataPointConfig } from '@meterit/shared';

export interface MeterRow {
  id: number;
  site_id: number;
  external_id: string;
  name: string;
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
  bacnet_device_id: number;
  bacnet_ip: string;
  bacnet_port: number | null;
  data_points: DataPointConfig[];
  is_active: boolean;
}

/** All SQL about meters. Every query is scoped by site: a site's key never reaches another site's meters. */
export class MetersRepository {
  constructor(private readonly knex: Knex) {}

  async listForSite(siteId: number, opts: { activeOnly: boolean }): Promise<MeterRow[]> {
    const { rows } = await this.knex.raw<{ rows: MeterRow[] }>(
      `SELECT id, site_id, external_id, name, bacnet_device_id, bacnet_ip, bacnet_port, data_points,
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
      `INSERT INTO meters (site_id, external_id, name, bacnet_device_id, bacnet_ip, bacnet_port, data_points, is_active)
       SELECT ?, m.external_id, m.name, m.bacnet_device_id, m.bacnet_ip, m.bacnet_port, m.data_points, m.is_active
         FROM jsonb_to_recordset(?::jsonb) AS m(external_id text, name text, bacnet_device_id integer, bacnet_ip text,
                                                bacnet_port integer, data_points jsonb, is_active boolean)
       ON CONFLICT (site_id, external_id) DO NOTHING
       RETURNING external_id`,
      [siteId, JSON.stringify(meters)],
    );
    return rows.map((r) => r.external_id);
  }
}
