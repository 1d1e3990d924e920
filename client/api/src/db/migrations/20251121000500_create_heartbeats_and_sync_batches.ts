import type { Migration } from '@meterit/shared/node';

export const createHeartbeatsAndSyncBatches: Migration = {
  name: '20251121000500_create_heartbeats_and_sync_batches',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE heartbeats (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        site_id      integer NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        received_at  timestamptz NOT NULL DEFAULT now(),
        payload      jsonb NOT NULL
      )`);
    await knex.raw('CREATE INDEX heartbeats_site_received_idx ON heartbeats (site_id, received_at)');
    await knex.raw(`
      CREATE TABLE sync_batches (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        site_id      integer NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        batch_id     varchar(128),
        request_id   varchar(128),
        received_at  timestamptz NOT NULL DEFAULT now(),
        readings     integer NOT NULL,
        stored       integer NOT NULL,
        duplicates   integer NOT NULL,
        rejected     integer NOT NULL
      )`);
    await knex.raw('CREATE INDEX sync_batches_site_received_idx ON sync_batches (site_id, received_at)');
  },
  async down(knex) {
    await knex.raw('DROP TABLE sync_batches');
    await knex.raw('DROP TABLE heartbeats');
  },
};
