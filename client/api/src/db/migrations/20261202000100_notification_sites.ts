import type { Migration } from '@meterit/shared/node';

/**
 * The sites each notification concerns, so that a user limited to some sites sees only theirs in the outbox (a manual
 * e-mail, e.g. a forwarded report, has no alert to say which site it is about). NULL: every site, seen only by users
 * of every site; '{}': the client system itself, seen by everyone; otherwise those sites.
 */
export const notificationSites: Migration = {
  name: '20261202000100_notification_sites',
  async up(knex) {
    await knex.raw('ALTER TABLE notifications ADD COLUMN site_ids integer[]');
    // Alert e-mails concern their alert's site (none: the client system). Earlier manual e-mails stay NULL: nobody
    // recorded whose they were, so only users of every site see them.
    await knex.raw(
      `UPDATE notifications n SET site_ids = CASE WHEN a.site_id IS NULL THEN '{}'::integer[] ELSE ARRAY[a.site_id] END FROM alerts a WHERE a.id = n.alert_id`,
    );
  },
  async down(knex) {
    await knex.raw('ALTER TABLE notifications DROP COLUMN site_ids');
  },
};
