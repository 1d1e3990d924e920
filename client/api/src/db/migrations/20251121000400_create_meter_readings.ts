import type { Migration } from '@meterit/shared/node';

export const createMeterReadings: Migration = {
  name: '20251121000400_create_meter_readings',
  async up(knex) {
    // The reading's identity is the primary key, with site first and time in it, so the table can
    // later be partitioned by time or distributed by site (Citus/TimescaleDB) without changing the API.
    // `id` is an ordinal for paging only; a unique index on it alone would block partitioning.
    await knex.raw(`
      CREATE TABLE meter_readings (
        id           bigint GENERATED ALWAYS AS IDENTITY,
        site_id      integer NOT NULL REFERENCES sites(id),
        meter_id     integer NOT NULL,
        data_point   varchar(100) NOT NULL,
        ts           timestamptz NOT NULL,
        value        double precision NOT NULL,
        unit         varchar(50),
        quality      varchar(64) NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, meter_id, data_point, ts),
        FOREIGN KEY (meter_id, site_id) REFERENCES meters (id, site_id)
      )`);
    await knex.raw('CREATE INDEX meter_readings_site_ts_idx ON meter_readings (site_id, ts)');
    await knex.raw('CREATE INDEX meter_readings_meter_ts_idx ON meter_readings (meter_id, ts)');
  },
  async down(knex) {
    await knex.raw('DROP TABLE meter_readings');
  },
};
