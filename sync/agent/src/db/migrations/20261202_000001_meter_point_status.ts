import type { Knex } from 'knex';
import type { Migration } from '@meterit/shared/node';

// A meter's state as the collector decided it (ok, degraded, not_answering, never_answered,
// wrong_device) and since when; each data point's last success and last error; and, when another
// device answers at the meter's address, both device instances.
export const meterPointStatus: Migration = {
  name: '20261202_000001_meter_point_status',
  async up(knex: Knex) {
    await knex.schema.alterTable('meter_status', (t) => {
      t.string('state', 32);
      t.timestamp('state_since', { useTz: true });
      t.integer('points_failing').notNullable().defaultTo(0);
      t.jsonb('point_status').notNullable().defaultTo('[]');
      t.integer('expected_device_id');
      t.integer('found_device_id');
    });
  },
  async down(knex: Knex) {
    await knex.schema.alterTable('meter_status', (t) => {
      t.dropColumns('state', 'state_since', 'points_failing', 'point_status', 'expected_device_id', 'found_device_id');
    });
  },
};
