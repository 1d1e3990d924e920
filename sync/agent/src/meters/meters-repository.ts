import type { Knex } from 'knex';
import type { MeterConfig } from '@meterit/shared';

/** The local cache of the meter configuration: works offline, refreshed from the client system. */
export class MetersRepository {
  constructor(private readonly knex: Knex) {}

  async list(): Promise<MeterConfig[]> {
    const rows = await this.knex('meters').where({ is_active: true }).orderBy('external_id').select('config');
    return rows.map((r: { config: MeterConfig }) => r.config);
  }

  /** Add meters that are not cached yet (bootstrap from meters.json); never overwrites. */
  async addMissing(meters: MeterConfig[], source: 'file' | 'client'): Promise<number> {
    if (meters.length === 0) return 0;
    const inserted = await this.knex('meters')
      .insert(meters.map((m) => this.row(m, source)))
      .onConflict('external_id')
      .ignore()
      .returning('id');
    return inserted.length;
  }

  /** Replace the cache with the client system's configuration (it is the source of truth once reached). */
  async replaceAll(meters: MeterConfig[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const ids = meters.map((m) => m.id);
      await trx('meters').whereNotIn('external_id', ids).update({ is_active: false, updated_at: trx.fn.now() });
      for (const m of meters) {
        await trx('meters')
          .insert(this.row(m, 'client'))
          .onConflict('external_id')
          .merge([
            'name',
            'bacnet_device_id',
            'bacnet_ip',
            'bacnet_port',
            'config',
            'source',
            'is_active',
            'updated_at',
          ]);
      }
    });
  }

  private row(m: MeterConfig, source: 'file' | 'client') {
    return {
      external_id: m.id,
      name: m.name,
      bacnet_device_id: m.bacnet_device_id,
      bacnet_ip: m.bacnet_ip,
      bacnet_port: m.bacnet_port ?? 47808,
      config: JSON.stringify(m),
      source,
      is_active: m.is_active ?? true,
      updated_at: new Date(),
    };
  }
}
