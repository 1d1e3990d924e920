import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { MeterConfig, RegisterMetersResponse, SyncConfigResponse } from '@meterit/shared';
import type { AuthenticatedSite } from '../../types.js';
import { MetersRepository, toNewMeter, type MeterRow } from './meters-repository.js';

/** A meter row in the meters.json format the agent reads. */
export function toMeterConfig(row: MeterRow): MeterConfig {
  return {
    id: row.external_id,
    name: row.name,
    protocol: row.protocol,
    bacnet_device_id: row.bacnet_device_id ?? 0,
    bacnet_ip: row.bacnet_ip ?? '',
    ...(row.bacnet_port === null ? {} : { bacnet_port: row.bacnet_port }),
    data_points: row.data_points,
    is_active: row.is_active,
  };
}

export class MetersService {
  private readonly repo: MetersRepository;

  constructor(knex: Knex) {
    this.repo = new MetersRepository(knex);
  }

  /** The site's active meters. The version is a hash of the content, so any change (edit, add, deactivate) changes it. */
  async siteConfig(site: AuthenticatedSite): Promise<SyncConfigResponse> {
    const meters = (await this.repo.listForSite(site.id, { activeOnly: true })).map(toMeterConfig);
    const config_version = createHash('sha256').update(JSON.stringify(meters)).digest('hex').slice(0, 16);
    return { site: { id: site.id, name: site.name }, meters, config_version };
  }

  /** Register meters the client system does not know yet for this site; never overwrite existing ones. */
  async registerMeters(site: AuthenticatedSite, meters: MeterConfig[]): Promise<RegisterMetersResponse> {
    const created = new Set(
      await this.repo.insertMissing(
        site.id,
        meters.map((m) => toNewMeter(m.id, m)),
      ),
    );
    return {
      created: meters.filter((m) => created.has(m.id)).map((m) => m.id),
      existing: meters.filter((m) => !created.has(m.id)).map((m) => m.id),
    };
  }
}
