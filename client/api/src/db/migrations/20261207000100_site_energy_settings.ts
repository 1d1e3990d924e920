import type { Migration } from '@meterit/shared/node';

/**
 * What the energy layer needs to know of a site: the time zone its days, months, tariff bands and billing periods
 * are counted in, the currency its costs are in, its floor area (for kWh per m²) and its emission factor (kg CO₂e
 * per kWh; a per-month factor, where one is set, wins over it). Existing sites start in UTC and EUR with neither
 * area nor factor, which the web app and API let an admin set.
 */
export const siteEnergySettings: Migration = {
  name: '20261207000100_site_energy_settings',
  async up(knex) {
    await knex.raw(`
      ALTER TABLE sites
        ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
        ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR' CONSTRAINT sites_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
        ADD COLUMN area_m2 double precision CONSTRAINT sites_area_positive CHECK (area_m2 > 0),
        ADD COLUMN co2_kg_per_kwh double precision CONSTRAINT sites_co2_factor_non_negative CHECK (co2_kg_per_kwh >= 0)`);
  },
  async down(knex) {
    await knex.raw(
      'ALTER TABLE sites DROP COLUMN time_zone, DROP COLUMN currency, DROP COLUMN area_m2, DROP COLUMN co2_kg_per_kwh',
    );
  },
};
