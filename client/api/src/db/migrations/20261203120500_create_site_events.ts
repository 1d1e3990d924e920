import type { Migration } from '@meterit/shared/node';

/**
 * What a site's history needs and no other table keeps: collection stopped or started (with the technician's
 * reason) and the agent (re)started. Written by the heartbeat ingest. Every heartbeat repeats the agent's time of
 * the change, so (site, kind, agent_at) is the event's identity and a repeated report changes nothing; `at` is that
 * time on the server's clock (corrected by the heartbeat's clock offset when first seen).
 */
export const createSiteEvents: Migration = {
  name: '20261203120500_create_site_events',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE site_events (
        id        bigint GENERATED ALWAYS AS IDENTITY,
        site_id   integer NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        kind      varchar(32) NOT NULL CHECK (kind IN ('collection_stopped', 'collection_started', 'agent_started')),
        agent_at  timestamptz NOT NULL,
        at        timestamptz NOT NULL,
        detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (site_id, id)
      )`);
    await knex.raw('CREATE UNIQUE INDEX site_events_once_idx ON site_events (site_id, kind, agent_at)');
    await knex.raw('CREATE INDEX site_events_site_at_idx ON site_events (site_id, at DESC)');
  },
  async down(knex) {
    await knex.raw('DROP TABLE site_events');
  },
};
