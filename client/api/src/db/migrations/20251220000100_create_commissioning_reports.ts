import type { Migration } from '@meterit/shared/node';

/** Installers' commissioning reports, uploaded by scripts/setup-site; every upload is kept (history per site). */
export const createCommissioningReports: Migration = {
  name: '20251220000100_create_commissioning_reports',
  async up(knex) {
    // The counts are kept beside the JSON so the history list never reads the (large) report itself.
    await knex.raw(`
      CREATE TABLE commissioning_reports (
        id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        site_id        integer NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        received_at    timestamptz NOT NULL DEFAULT now(),
        created_at     timestamptz NOT NULL,
        agent_version  varchar(64) NOT NULL,
        passed         boolean NOT NULL,
        pass_count     integer NOT NULL,
        warn_count     integer NOT NULL,
        fail_count     integer NOT NULL,
        meter_count    integer NOT NULL,
        request_id     varchar(128),
        report         jsonb NOT NULL
      )`);
    await knex.raw('CREATE INDEX commissioning_reports_site_idx ON commissioning_reports (site_id, id DESC)');
  },
  async down(knex) {
    await knex.raw('DROP TABLE commissioning_reports');
  },
};
