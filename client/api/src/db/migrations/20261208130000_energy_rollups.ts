import type { Migration } from '@meterit/shared/node';

const QUALITY = `quality text NOT NULL CHECK (quality IN ('measured', 'estimated', 'edited'))`;
/** A series of a meter: its site (every key starts with it), the meter and the data point. */
const SERIES = `site_id integer NOT NULL, meter_id integer NOT NULL, data_point varchar(100) NOT NULL`;
const SERIES_FK = 'FOREIGN KEY (meter_id, site_id) REFERENCES meters (id, site_id)';
/** Energy of an interval: the total (measured + estimated, or an operator's), and its parts with their seconds. */
const ENERGY = `energy_kwh double precision NOT NULL, measured_kwh double precision NOT NULL,
  measured_s double precision NOT NULL, estimated_kwh double precision NOT NULL, estimated_s double precision NOT NULL`;
/** Hours, days and months: where they end (days of 23 or 25 hours) and the zone they are counted in. */
const GRAIN = `grain text NOT NULL CHECK (grain IN ('hour', 'day', 'month')), start timestamptz NOT NULL,
  ends_at timestamptz NOT NULL, time_zone text NOT NULL`;

/**
 * The energy layer's rollups (issue 17), kept from the readings by the rollup worker (components/energy):
 *
 * - energy_quarter_hours: per meter and counter data point, the kWh of each 15-minute interval (UTC quarter hours,
 *   which are quarter hours in every real time zone), split into measured (steps within the gap threshold) and
 *   estimated (a gap's energy spread by linear interpolation), with the seconds each covers, and a quality:
 *   measured, estimated, or edited (an operator's correction, written by a later feature: the worker then keeps
 *   energy_kwh and quality and only refreshes the computed columns beside them).
 * - power_quarter_hours: the 15-minute average of each power data point (kW, W, MW) over its good readings.
 * - energy_rollups: per meter and counter data point, hours (UTC), days and months (in the site's time zone, named
 *   in time_zone: a DST day has 23 or 25 hours) summed from the quarter hours.
 * - site_energy_rollups: the same hours, days and months per site, summed over all its counters.
 * - energy_counter_events: the steps worth remembering (gaps, resets, rollovers), with both readings.
 * - rollup_changes: what ingest stored, one row per series per batch (written in the batch's transaction);
 *   rollup_state: per site, the last change the worker processed (its watermark), when, and the time zone its days
 *   and months are counted in (when the site's zone changes, they are counted again);
 *   energy_rollup_status: since when rollups are kept (null: not kept, so the next start rebuilds them).
 *
 * Every key starts with site_id, so the tables can be distributed by site with the readings.
 */
export const energyRollups: Migration = {
  name: '20261208130000_energy_rollups',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE energy_quarter_hours (
        ${SERIES}, start timestamptz NOT NULL, ${ENERGY}, ${QUALITY},
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, meter_id, data_point, start), ${SERIES_FK}
      )`);
    await knex.raw(`
      CREATE TABLE power_quarter_hours (
        ${SERIES}, start timestamptz NOT NULL, value double precision NOT NULL, samples integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, meter_id, data_point, start), ${SERIES_FK}
      )`);
    await knex.raw(`
      CREATE TABLE energy_rollups (
        ${SERIES}, ${GRAIN}, ${ENERGY}, ${QUALITY}, quarters integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, meter_id, data_point, grain, start), ${SERIES_FK}
      )`);
    // The site's rows of one hour, day or month, summed into site_energy_rollups.
    await knex.raw('CREATE INDEX energy_rollups_site_grain_start_idx ON energy_rollups (site_id, grain, start)');
    await knex.raw(`
      CREATE TABLE site_energy_rollups (
        site_id integer NOT NULL REFERENCES sites(id), ${GRAIN},
        energy_kwh double precision NOT NULL, measured_kwh double precision NOT NULL,
        estimated_kwh double precision NOT NULL, ${QUALITY}, series integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, grain, start)
      )`);
    await knex.raw(`
      CREATE TABLE energy_counter_events (
        ${SERIES}, t1 timestamptz NOT NULL, t0 timestamptz NOT NULL, v0 double precision NOT NULL,
        v1 double precision NOT NULL, energy_kwh double precision NOT NULL, gap boolean NOT NULL,
        kind text NOT NULL CHECK (kind IN ('advance', 'noise', 'reset', 'rollover')),
        PRIMARY KEY (site_id, meter_id, data_point, t1), ${SERIES_FK}
      )`);
    await knex.raw(`
      CREATE TABLE rollup_changes (
        ${SERIES}, id bigint GENERATED ALWAYS AS IDENTITY, from_ts timestamptz NOT NULL, to_ts timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, id)
      )`);
    await knex.raw(`
      CREATE TABLE rollup_state (
        site_id             integer PRIMARY KEY REFERENCES sites(id),
        last_change_id      bigint NOT NULL,
        processed_at        timestamptz NOT NULL,
        changes_processed   bigint NOT NULL DEFAULT 0,
        time_zone           text NOT NULL
      )`);
    await knex.raw(`
      CREATE TABLE energy_rollup_status (
        id          boolean PRIMARY KEY DEFAULT true CHECK (id),
        kept_since  timestamptz
      )`);
    await knex.raw('INSERT INTO energy_rollup_status (id, kept_since) VALUES (true, NULL)');
  },
  async down(knex) {
    await knex.raw(
      `DROP TABLE energy_rollup_status, rollup_state, rollup_changes, energy_counter_events, site_energy_rollups,
                  energy_rollups, power_quarter_hours, energy_quarter_hours`,
    );
  },
};
