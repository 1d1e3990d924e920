import type { Knex } from 'knex';
import type { TariffAssignment } from '@meterit/shared';

/** What the energy layer knows of a site: its name, time zone and currency (migration 20261207000100). */
export interface SiteBilling {
  id: number;
  name: string;
  time_zone: string;
  currency: string;
}

/** A stored assignment: the wire's TariffAssignment without what depends on the clock. */
export type AssignmentRow = Omit<TariffAssignment, 'in_effect'>;

/** The SQL of tariff_assignments (every row keyed by its site), and the site's billing settings. */
export class AssignmentsRepository {
  constructor(private readonly knex: Knex) {}

  async site(id: number): Promise<SiteBilling | undefined> {
    const { rows } = await this.knex.raw<{ rows: SiteBilling[] }>(
      'SELECT id, name, time_zone, currency FROM sites WHERE id = ?',
      [id],
    );
    return rows[0];
  }

  /** The site's assignments: the site's own first, then each meter's, each oldest first. */
  async list(siteId: number): Promise<AssignmentRow[]> {
    const { rows } = await this.knex.raw<{ rows: AssignmentRow[] }>(
      `SELECT a.id, a.meter_id, m.name AS meter_name, to_char(a.valid_from, 'YYYY-MM-DD') AS valid_from,
              a.tariff_id, t.name AS tariff_name
         FROM tariff_assignments a
         LEFT JOIN meters m ON m.id = a.meter_id AND m.site_id = a.site_id
         LEFT JOIN tariffs t ON t.id = a.tariff_id
        WHERE a.site_id = ?
        ORDER BY a.meter_id NULLS FIRST, a.valid_from`,
      [siteId],
    );
    return rows;
  }

  /** The id of the new assignment, or undefined when its timeline has one from that date already. */
  async insert(
    siteId: number,
    a: { meterId: number | null; validFrom: string; tariffId: number | null },
    userId: number,
  ): Promise<number | undefined> {
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      `INSERT INTO tariff_assignments (site_id, meter_id, valid_from, tariff_id, created_by)
       VALUES (?, ?, ?, ?, (SELECT id FROM users WHERE id = ?))
       ON CONFLICT (site_id, meter_id, valid_from) DO NOTHING RETURNING id`,
      [siteId, a.meterId, a.validFrom, a.tariffId, userId],
    );
    return rows[0]?.id;
  }

  async delete(siteId: number, id: number): Promise<void> {
    await this.knex.raw('DELETE FROM tariff_assignments WHERE site_id = ? AND id = ?', [siteId, id]);
  }
}
