import type { Migration } from '@meterit/shared/node';

/**
 * A site's own emission factor for a calendar month of its time zone (kg CO₂e per kWh; e.g. the supplier's monthly
 * figure or a grid's published monthly mix): where one is set it wins over the site's constant `co2_kg_per_kwh` for
 * that month. `month` is the first day of the month; the key starts with `site_id`, as every per-site key does.
 */
export const createSiteEmissionFactors: Migration = {
  name: '20261208090100_create_site_emission_factors',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE site_emission_factors (
        site_id     integer NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        month       date NOT NULL CONSTRAINT site_emission_factors_first_of_month CHECK (extract(day FROM month) = 1),
        kg_per_kwh  double precision NOT NULL CONSTRAINT site_emission_factors_non_negative CHECK (kg_per_kwh >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, month)
      )`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE site_emission_factors');
  },
};
