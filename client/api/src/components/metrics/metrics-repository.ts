import type { Knex } from 'knex';

/** The SQL behind the scrape-time gauges. */
export class MetricsRepository {
  constructor(private readonly knex: Knex) {}

  /** Seconds since each active site's last heartbeat (null: never). */
  async heartbeatAges(): Promise<{ site_id: number; site_name: string; age_s: number | null }[]> {
    const { rows } = await this.knex.raw<{ rows: { site_id: number; site_name: string; age_s: number | null }[] }>(
      'SELECT id AS site_id, name AS site_name, extract(epoch FROM now() - last_heartbeat_at)::float8 AS age_s FROM sites WHERE is_active ORDER BY id',
    );
    return rows;
  }
}
