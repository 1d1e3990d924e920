import type { Knex } from 'knex';
import type { Migration } from '@meterit/shared/node';

// The site database: a cache of the meter configuration, the upload queue, and what the
// technician and the heartbeat need to know (meter status, sync log, dead letters).
export const siteSchema: Migration = {
  name: '20261121_000001_site_schema',
  async up(knex: Knex) {
    await knex.schema.createTable('meters', (t) => {
      t.increments('id').primary();
      t.string('external_id', 255).notNullable().unique();
      t.string('name', 255).notNullable();
      t.integer('bacnet_device_id').notNullable();
      t.string('bacnet_ip', 45).notNullable();
      t.integer('bacnet_port').notNullable().defaultTo(47808);
      t.jsonb('config').notNullable();
      t.string('source', 16).notNullable().defaultTo('file');
      t.boolean('is_active').notNullable().defaultTo(true);
      t.timestamp('last_reading_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });

    // The queue. A row leaves the queue (synced_at set) only after the client system answered 2xx.
    await knex.schema.createTable('meter_readings', (t) => {
      t.bigIncrements('id').primary();
      t.string('meter_external_id', 255).notNullable();
      t.string('data_point', 100).notNullable();
      t.timestamp('ts', { useTz: true, precision: 3 }).notNullable();
      t.double('value').notNullable();
      t.string('unit', 50);
      t.string('quality', 64).notNullable().defaultTo('good');
      t.integer('retry_count').notNullable().defaultTo(0);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('synced_at', { useTz: true });
      t.unique(['meter_external_id', 'data_point', 'ts']);
    });
    // Oldest unsent first: the uploader's hot query.
    await knex.raw('CREATE INDEX meter_readings_unsent_idx ON meter_readings (id) WHERE synced_at IS NULL');
    await knex.raw('CREATE INDEX meter_readings_synced_idx ON meter_readings (synced_at) WHERE synced_at IS NOT NULL');
    await knex.raw('CREATE INDEX meter_readings_ts_idx ON meter_readings (meter_external_id, ts)');

    await knex.schema.createTable('dead_letters', (t) => {
      t.bigIncrements('id').primary();
      t.bigInteger('reading_id').notNullable();
      t.string('meter_external_id', 255).notNullable();
      t.string('data_point', 100).notNullable();
      t.timestamp('ts', { useTz: true, precision: 3 }).notNullable();
      t.double('value').notNullable();
      t.string('unit', 50);
      t.string('quality', 64).notNullable();
      t.string('code', 64).notNullable();
      t.text('reason').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });

    await knex.schema.createTable('sync_log', (t) => {
      t.bigIncrements('id').primary();
      t.timestamp('started_at', { useTz: true }).notNullable();
      t.timestamp('finished_at', { useTz: true }).notNullable();
      t.string('kind', 16).notNullable().defaultTo('batch');
      t.integer('batch_size').notNullable().defaultTo(0);
      t.integer('stored').notNullable().defaultTo(0);
      t.integer('duplicates').notNullable().defaultTo(0);
      t.integer('rejected').notNullable().defaultTo(0);
      t.boolean('success').notNullable();
      t.string('error_code', 64);
      t.text('error_message');
      t.string('request_id', 64);
    });
    await knex.raw('CREATE INDEX sync_log_finished_idx ON sync_log (finished_at DESC)');

    await knex.schema.createTable('meter_status', (t) => {
      t.string('meter_external_id', 255).primary();
      t.timestamp('last_success_at', { useTz: true });
      t.timestamp('last_error_at', { useTz: true });
      t.string('last_error_code', 64);
      t.text('last_error');
      t.integer('consecutive_failures').notNullable().defaultTo(0);
      t.integer('last_response_ms');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });

    await knex.schema.createTable('agent_state', (t) => {
      t.string('key', 64).primary();
      t.jsonb('value').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
  },
  async down(knex: Knex) {
    for (const table of ['agent_state', 'meter_status', 'sync_log', 'dead_letters', 'meter_readings', 'meters']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
