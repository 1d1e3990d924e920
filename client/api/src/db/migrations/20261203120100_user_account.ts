import type { Migration } from '@meterit/shared/node';

/**
 * The operator's own account: a password an admin generated or reset must be changed before anything else
 * (must_change_password), and the profile's time zone (null = the browser's) and colour theme, kept on the user so
 * they follow the operator to another browser.
 */
export const userAccount: Migration = {
  name: '20261203120100_user_account',
  async up(knex) {
    await knex.raw(`ALTER TABLE users
      ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
      ADD COLUMN time_zone text,
      ADD COLUMN theme text NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark'))`);
  },
  async down(knex) {
    await knex.raw('ALTER TABLE users DROP COLUMN must_change_password, DROP COLUMN time_zone, DROP COLUMN theme');
  },
};
