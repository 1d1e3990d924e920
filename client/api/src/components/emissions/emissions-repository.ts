import type { Knex } from 'knex';
import type { MonthFactor } from '@meterit/shared';
import type { EmissionSite } from './emission-factors.js';

/** A month's factor of a site, with the site it belongs to. */
export interface SiteMonthFactor extends MonthFactor {
  site_id: number;
}

/** All SQL about emission factors: the site's constant one (on `sites`) and its months (`site_emission_factors`). */
export class EmissionsRepository {
  constructor(private readonly knex: Knex) {}

  /** The sites' zones and constant factors, by id; a site that does not exist is missing. */
  async sites(siteIds: number[]): Promise<Map<number, EmissionSite>> {
    const { rows } = await this.knex.raw<{ rows: (EmissionSite & { id: number })[] }>(
      'SELECT id, time_zone, co2_kg_per_kwh FROM sites WHERE id = ANY(?::int[])',
      [siteIds] as unknown as Knex.RawBinding[],
    );
    return new Map(rows.map((r) => [r.id, { time_zone: r.time_zone, co2_kg_per_kwh: r.co2_kg_per_kwh }]));
  }

  /** The months' own factors of the sites, oldest first (`month` as YYYY-MM: a date column would arrive as local midnight). */
  async monthFactors(siteIds: number[]): Promise<SiteMonthFactor[]> {
    const { rows } = await this.knex.raw<{ rows: (Omit<SiteMonthFactor, 'updated_at'> & { updated_at: Date })[] }>(
      `SELECT site_id, to_char(month, 'YYYY-MM') AS month, kg_per_kwh, updated_at
         FROM site_emission_factors WHERE site_id = ANY(?::int[]) ORDER BY site_id, month`,
      [siteIds] as unknown as Knex.RawBinding[],
    );
    return rows.map((r) => ({ ...r, updated_at: r.updated_at.toISOString() }));
  }

  /** Sets the month's factor (a new one, or a change of the one there). `month` is YYYY-MM. */
  async upsert(siteId: number, month: string, kgPerKwh: number): Promise<SiteMonthFactor> {
    const { rows } = await this.knex.raw<{ rows: { month: string; kg_per_kwh: number; updated_at: Date }[] }>(
      `INSERT INTO site_emission_factors (site_id, month, kg_per_kwh) VALUES (?, to_date(?, 'YYYY-MM'), ?)
       ON CONFLICT (site_id, month) DO UPDATE SET kg_per_kwh = EXCLUDED.kg_per_kwh, updated_at = now()
       RETURNING to_char(month, 'YYYY-MM') AS month, kg_per_kwh, updated_at`,
      [siteId, month, kgPerKwh],
    );
    const row = rows[0];
    if (!row) throw new Error('emission factor upsert returned no row');
    return { site_id: siteId, month: row.month, kg_per_kwh: row.kg_per_kwh, updated_at: row.updated_at.toISOString() };
  }

  /** false when the month had no factor of its own. */
  async remove(siteId: number, month: string): Promise<boolean> {
    const r = await this.knex.raw<{ rowCount: number }>(
      "DELETE FROM site_emission_factors WHERE site_id = ? AND month = to_date(?, 'YYYY-MM')",
      [siteId, month],
    );
    return r.rowCount > 0;
  }
}
