import type { Migration } from '@meterit/shared/node';

/**
 * Counter events may be `impossible`: a step above its data point's physical limit (`max_kwh_per_hour`), counted
 * nowhere and listed as a data-quality issue. The kinds were a CHECK on the column, so the check is replaced.
 */
export const counterEventImpossible: Migration = {
  name: '20261208140000_counter_event_impossible',
  async up(knex) {
    await knex.raw(`
      ALTER TABLE energy_counter_events
        DROP CONSTRAINT energy_counter_events_kind_check,
        ADD CONSTRAINT energy_counter_events_kind_check
          CHECK (kind IN ('advance', 'noise', 'reset', 'rollover', 'impossible'))`);
  },
  async down(knex) {
    await knex.raw(`DELETE FROM energy_counter_events WHERE kind = 'impossible'`);
    await knex.raw(`
      ALTER TABLE energy_counter_events
        DROP CONSTRAINT energy_counter_events_kind_check,
        ADD CONSTRAINT energy_counter_events_kind_check CHECK (kind IN ('advance', 'noise', 'reset', 'rollover'))`);
  },
};
