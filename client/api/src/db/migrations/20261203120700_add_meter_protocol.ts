import type { Migration } from '@meterit/shared/node';

/**
 * The protocol each meter is read with, as the site's meters.json names it (bacnet when it names none), so the
 * client system keeps it instead of dropping it and hands it back with the site's configuration. The check lists
 * the protocols a site agent speaks (METER_PROTOCOLS in @meterit/shared); a new protocol replaces the constraint.
 */
export const addMeterProtocol: Migration = {
  name: '20261203120700_add_meter_protocol',
  async up(knex) {
    await knex.raw(
      `ALTER TABLE meters ADD COLUMN protocol text NOT NULL DEFAULT 'bacnet'
         CONSTRAINT meters_protocol_known CHECK (protocol IN ('bacnet'))`,
    );
  },
  async down(knex) {
    await knex.raw('ALTER TABLE meters DROP COLUMN protocol');
  },
};
