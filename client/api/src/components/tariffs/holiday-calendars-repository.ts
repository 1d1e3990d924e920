import type { Knex } from 'knex';
import type { HolidayCalendar } from '@meterit/shared';

/** The SQL of holiday_calendars and holiday_dates. Dates travel as YYYY-MM-DD text, never as a JS Date (no zone shift). */
export class HolidayCalendarsRepository {
  constructor(private readonly knex: Knex) {}

  async list(ids: number[] | null = null): Promise<HolidayCalendar[]> {
    const { rows } = await this.knex.raw<{ rows: HolidayCalendar[] }>(
      `SELECT c.id, c.name,
              coalesce((SELECT array_agg(to_char(d.day, 'YYYY-MM-DD') ORDER BY d.day) FROM holiday_dates d
                         WHERE d.calendar_id = c.id), '{}') AS dates,
              coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name) FROM tariffs t
                         WHERE t.holiday_calendar_id = c.id), '[]') AS tariffs
         FROM holiday_calendars c
        WHERE ?::int[] IS NULL OR c.id = ANY(?::int[])
        ORDER BY c.name`,
      [ids, ids] as unknown as Knex.RawBinding[],
    );
    return rows;
  }

  async get(id: number): Promise<HolidayCalendar | undefined> {
    return (await this.list([id]))[0];
  }

  /** The new calendar's id, or undefined when one of that name exists. */
  async insert(name: string, dates: string[]): Promise<number | undefined> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { id: number }[] }>(
        'INSERT INTO holiday_calendars (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id',
        [name],
      );
      const id = rows[0]?.id;
      if (id !== undefined) await this.writeDates(trx, id, dates);
      return id;
    });
  }

  /** false when another calendar has that name. */
  async update(id: number, patch: { name?: string | undefined; dates?: string[] | undefined }): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      if (patch.name !== undefined) {
        const { rows } = await trx.raw<{ rows: unknown[] }>(
          `UPDATE holiday_calendars SET name = ?, updated_at = now()
            WHERE id = ? AND NOT EXISTS (SELECT 1 FROM holiday_calendars o WHERE o.name = ? AND o.id <> ?) RETURNING id`,
          [patch.name, id, patch.name, id],
        );
        if (rows.length === 0) return false;
      }
      if (patch.dates !== undefined) {
        await trx.raw('DELETE FROM holiday_dates WHERE calendar_id = ?', [id]);
        await this.writeDates(trx, id, patch.dates);
        await trx.raw('UPDATE holiday_calendars SET updated_at = now() WHERE id = ?', [id]);
      }
      return true;
    });
  }

  async delete(id: number): Promise<void> {
    await this.knex.raw('DELETE FROM holiday_calendars WHERE id = ?', [id]);
  }

  private async writeDates(trx: Knex.Transaction, id: number, dates: string[]): Promise<void> {
    if (dates.length === 0) return;
    await trx.raw('INSERT INTO holiday_dates (calendar_id, day) SELECT ?, unnest(?::date[])', [
      id,
      dates,
    ] as unknown as Knex.RawBinding[]);
  }
}
