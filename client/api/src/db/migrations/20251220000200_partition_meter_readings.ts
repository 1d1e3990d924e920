import type { Migration } from '@meterit/shared/node';

// Self-contained on purpose (a migration must not change when the housekeeping code does).
const monthStart = (d: Date, months = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
const partitionName = (m: Date) =>
  `meter_readings_p${m.getUTCFullYear()}_${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
/** Bounds are our own Dates written as ISO-8601 (DDL takes no bind parameters). */
const lit = (d: Date) => `'${d.toISOString()}'`;

const COLUMNS = 'id, site_id, meter_id, data_point, ts, value, unit, quality, received_at';

/**
 * meter_readings becomes a table partitioned by month (RANGE on ts, UTC months) with a DEFAULT
 * partition for anything outside the monthly ones. Same columns, primary key (site, meter, point, ts),
 * composite foreign key to meters and indexes; the rows are copied over. PostgreSQL 15 has no identity
 * columns on partitioned tables, so the paging ordinal `id` comes from a sequence it owns.
 * The housekeeping job (components/housekeeping) creates the coming months and applies the retention.
 */
export const partitionMeterReadings: Migration = {
  name: '20251220000200_partition_meter_readings',
  async up(knex) {
    await knex.raw('ALTER TABLE meter_readings RENAME TO meter_readings_unpartitioned');
    await knex.raw('ALTER INDEX meter_readings_pkey RENAME TO meter_readings_unpartitioned_pkey');
    await knex.raw('ALTER INDEX meter_readings_site_ts_idx RENAME TO meter_readings_unpartitioned_site_ts_idx');
    await knex.raw('ALTER INDEX meter_readings_meter_ts_idx RENAME TO meter_readings_unpartitioned_meter_ts_idx');
    await knex.raw('CREATE SEQUENCE meter_readings_ordinal_seq AS bigint');
    await knex.raw(`
      CREATE TABLE meter_readings (
        id           bigint NOT NULL DEFAULT nextval('meter_readings_ordinal_seq'),
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
      ) PARTITION BY RANGE (ts)`);
    await knex.raw('ALTER SEQUENCE meter_readings_ordinal_seq OWNED BY meter_readings.id');
    await knex.raw('CREATE INDEX meter_readings_site_ts_idx ON meter_readings (site_id, ts)');
    await knex.raw('CREATE INDEX meter_readings_meter_ts_idx ON meter_readings (meter_id, ts)');
    await knex.raw('CREATE TABLE meter_readings_default PARTITION OF meter_readings DEFAULT');

    // A partition per month from the oldest reading (at most ten years back) to three months ahead;
    // anything older, or absurdly far in the future, stays in the DEFAULT partition.
    const { rows } = await knex.raw<{ rows: { oldest: Date | null }[] }>(
      'SELECT min(ts) AS oldest FROM meter_readings_unpartitioned',
    );
    const now = monthStart(new Date());
    const oldest = rows[0]?.oldest ? monthStart(rows[0].oldest) : now;
    let month = oldest < now ? (oldest < monthStart(now, -120) ? monthStart(now, -120) : oldest) : now;
    const last = monthStart(now, 3);
    while (month <= last) {
      const next = monthStart(month, 1);
      await knex.raw(
        `CREATE TABLE ${partitionName(month)} PARTITION OF meter_readings FOR VALUES FROM (${lit(month)}) TO (${lit(next)})`,
      );
      month = next;
    }

    await knex.raw(`INSERT INTO meter_readings (${COLUMNS}) SELECT ${COLUMNS} FROM meter_readings_unpartitioned`);
    await knex.raw(
      "SELECT setval('meter_readings_ordinal_seq', COALESCE((SELECT max(id) FROM meter_readings), 0) + 1, false)",
    );
    await knex.raw('DROP TABLE meter_readings_unpartitioned');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE meter_readings RENAME TO meter_readings_partitioned');
    await knex.raw('ALTER INDEX meter_readings_pkey RENAME TO meter_readings_partitioned_pkey');
    await knex.raw('ALTER INDEX meter_readings_site_ts_idx RENAME TO meter_readings_partitioned_site_ts_idx');
    await knex.raw('ALTER INDEX meter_readings_meter_ts_idx RENAME TO meter_readings_partitioned_meter_ts_idx');
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
    await knex.raw(
      `INSERT INTO meter_readings (${COLUMNS}) OVERRIDING SYSTEM VALUE SELECT ${COLUMNS} FROM meter_readings_partitioned`,
    );
    await knex.raw(
      "SELECT setval(pg_get_serial_sequence('meter_readings', 'id'), COALESCE((SELECT max(id) FROM meter_readings), 0) + 1, false)",
    );
    await knex.raw('CREATE INDEX meter_readings_site_ts_idx ON meter_readings (site_id, ts)');
    await knex.raw('CREATE INDEX meter_readings_meter_ts_idx ON meter_readings (meter_id, ts)');
    await knex.raw('DROP TABLE meter_readings_partitioned');
  },
};
