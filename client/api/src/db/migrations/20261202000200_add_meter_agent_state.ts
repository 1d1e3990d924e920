import type { Migration } from '@meterit/shared/node';

/**
 * The agent's own view of each meter (ok / degraded / not_answering / never_answered / wrong_device) from the
 * site's latest heartbeat, so the operators' app shows a meter that stopped answering at once instead of after
 * its values go stale. Only the latest per meter: the heartbeat history keeps the counts.
 */
export const addMeterAgentState: Migration = {
  name: '20261202000200_add_meter_agent_state',
  async up(knex) {
    await knex.raw('ALTER TABLE meters ADD COLUMN agent_state jsonb, ADD COLUMN agent_state_at timestamptz');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE meters DROP COLUMN agent_state, DROP COLUMN agent_state_at');
  },
};
