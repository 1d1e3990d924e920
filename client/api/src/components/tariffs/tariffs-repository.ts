import type { Knex } from 'knex';
import { DAY_KINDS, type DayKind, type TariffBand, type TariffVersion, type TariffVersionWrite } from '@meterit/shared';

/** A stored version: the wire's TariffVersion without what depends on the clock. */
export type VersionRow = Omit<TariffVersion, 'in_effect'>;

export interface TariffRow {
  id: number;
  name: string;
  currency: string;
  holiday_calendar: { id: number; name: string } | null;
  /** Oldest first. */
  versions: VersionRow[];
}

interface BandRow {
  tariff_id: number;
  version_id: number;
  name: string;
  price_per_kwh: number;
}
interface HourRow {
  tariff_id: number;
  version_id: number;
  band: string;
  day_kind: DayKind;
  from_hour: number;
  to_hour: number;
}

/** A band's stored hour rows (one per day kind) as the wire lists them: ranges with every day kind they apply to. */
function bandHours(rows: HourRow[]): TariffBand['hours'] {
  const out = new Map<string, TariffBand['hours'][number]>();
  for (const r of [...rows].sort((a, b) => a.from_hour - b.from_hour)) {
    const key = `${r.from_hour}-${r.to_hour}`;
    const range = out.get(key) ?? { day_kinds: [], from_hour: r.from_hour, to_hour: r.to_hour };
    range.day_kinds.push(r.day_kind);
    out.set(key, range);
  }
  for (const r of out.values()) r.day_kinds.sort((a, b) => DAY_KINDS.indexOf(a) - DAY_KINDS.indexOf(b));
  return [...out.values()];
}

const ids = (v: number[] | null) => [v, v] as unknown as Knex.RawBinding[];

/** The SQL of tariffs, their versions, bands and band hours. */
export class TariffsRepository {
  constructor(private readonly knex: Knex) {}

  /** Tariffs by id (null: all), by name, with every version (oldest first), band and hour range. */
  async list(only: number[] | null = null): Promise<TariffRow[]> {
    const [tariffs, versions, bands, hours] = await Promise.all([
      this.knex.raw<{ rows: (Omit<TariffRow, 'versions'> & { calendar_id: number | null; calendar_name: string })[] }>(
        `SELECT t.id, t.name, t.currency, c.id AS calendar_id, c.name AS calendar_name
           FROM tariffs t LEFT JOIN holiday_calendars c ON c.id = t.holiday_calendar_id
          WHERE ?::int[] IS NULL OR t.id = ANY(?::int[]) ORDER BY t.name`,
        ids(only),
      ),
      this.knex.raw<{ rows: (Omit<VersionRow, 'bands'> & { tariff_id: number })[] }>(
        `SELECT tariff_id, id, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, demand_price_per_kw, day_fee, month_fee,
                export_price_per_kwh
           FROM tariff_versions WHERE ?::int[] IS NULL OR tariff_id = ANY(?::int[]) ORDER BY tariff_id, valid_from`,
        ids(only),
      ),
      this.knex.raw<{ rows: BandRow[] }>(
        `SELECT tariff_id, version_id, name, price_per_kwh FROM tariff_bands
          WHERE ?::int[] IS NULL OR tariff_id = ANY(?::int[]) ORDER BY tariff_id, version_id, position`,
        ids(only),
      ),
      this.knex.raw<{ rows: HourRow[] }>(
        `SELECT tariff_id, version_id, band, day_kind, from_hour, to_hour FROM tariff_band_hours
          WHERE ?::int[] IS NULL OR tariff_id = ANY(?::int[])`,
        ids(only),
      ),
    ]);
    const hoursOf = new Map<string, HourRow[]>();
    for (const h of hours.rows) {
      const key = `${h.version_id}|${h.band}`;
      hoursOf.set(key, [...(hoursOf.get(key) ?? []), h]);
    }
    const bandsOf = (versionId: number): TariffBand[] =>
      bands.rows
        .filter((b) => b.version_id === versionId)
        .map((b) => ({
          name: b.name,
          price_per_kwh: b.price_per_kwh,
          hours: bandHours(hoursOf.get(`${versionId}|${b.name}`) ?? []),
        }));
    return tariffs.rows.map((t) => ({
      id: t.id,
      name: t.name,
      currency: t.currency,
      holiday_calendar: t.calendar_id === null ? null : { id: t.calendar_id, name: t.calendar_name },
      versions: versions.rows
        .filter((v) => v.tariff_id === t.id)
        .map(({ tariff_id: _t, ...v }) => ({ ...v, bands: bandsOf(v.id) })),
    }));
  }

  async get(id: number): Promise<TariffRow | undefined> {
    return (await this.list([id]))[0];
  }

  /** The tariffs assigned (now, before or later) to any of `siteIds`, whole or for a meter. */
  async assignedTo(siteIds: number[]): Promise<number[]> {
    const { rows } = await this.knex.raw<{ rows: { tariff_id: number }[] }>(
      'SELECT DISTINCT tariff_id FROM tariff_assignments WHERE tariff_id IS NOT NULL AND site_id = ANY(?::int[])',
      [siteIds] as unknown as Knex.RawBinding[],
    );
    return rows.map((r) => r.tariff_id);
  }

  /** Per tariff, the sites (of `siteIds`; null: all) it is or was assigned to. */
  async sitesOf(tariffIds: number[], siteIds: number[] | null): Promise<Map<number, { id: number; name: string }[]>> {
    const { rows } = await this.knex.raw<{ rows: { tariff_id: number; id: number; name: string }[] }>(
      `SELECT DISTINCT a.tariff_id, s.id, s.name FROM tariff_assignments a JOIN sites s ON s.id = a.site_id
        WHERE a.tariff_id = ANY(?::int[]) AND (?::int[] IS NULL OR a.site_id = ANY(?::int[]))
        ORDER BY s.name`,
      [tariffIds, siteIds, siteIds] as unknown as Knex.RawBinding[],
    );
    const out = new Map<number, { id: number; name: string }[]>();
    for (const r of rows) out.set(r.tariff_id, [...(out.get(r.tariff_id) ?? []), { id: r.id, name: r.name }]);
    return out;
  }

  /** The new tariff's id with its versions, or undefined when one of that name exists. */
  async insert(t: {
    name: string;
    currency: string;
    holidayCalendarId: number | null;
    versions: TariffVersionWrite[];
  }): Promise<number | undefined> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { id: number }[] }>(
        `INSERT INTO tariffs (name, currency, holiday_calendar_id) VALUES (?, ?, ?)
         ON CONFLICT (name) DO NOTHING RETURNING id`,
        [t.name, t.currency, t.holidayCalendarId],
      );
      const id = rows[0]?.id;
      if (id !== undefined) for (const v of t.versions) await this.insertVersion(id, v, trx);
      return id;
    });
  }

  /** false when another tariff has that name. */
  async rename(id: number, name: string): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>(
      `UPDATE tariffs SET name = ?, updated_at = now()
        WHERE id = ? AND NOT EXISTS (SELECT 1 FROM tariffs o WHERE o.name = ? AND o.id <> ?) RETURNING id`,
      [name, id, name, id],
    );
    return rows.length > 0;
  }

  async delete(id: number): Promise<void> {
    await this.knex.raw('DELETE FROM tariffs WHERE id = ?', [id]);
  }

  /** Whether any site or meter is (or was, or will be) billed on the tariff. */
  async isAssigned(id: number): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>(
      'SELECT 1 FROM tariff_assignments WHERE tariff_id = ? LIMIT 1',
      [id],
    );
    return rows.length > 0;
  }

  async insertVersion(tariffId: number, v: TariffVersionWrite, trx?: Knex.Transaction): Promise<number> {
    const write = async (t: Knex.Transaction) => {
      const { rows } = await t.raw<{ rows: { id: number }[] }>(
        `INSERT INTO tariff_versions (tariff_id, valid_from, demand_price_per_kw, day_fee, month_fee, export_price_per_kwh)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        [
          tariffId,
          v.valid_from,
          v.demand_price_per_kw ?? 0,
          v.day_fee ?? 0,
          v.month_fee ?? 0,
          v.export_price_per_kwh ?? 0,
        ],
      );
      const versionId = (rows[0] as { id: number }).id;
      await this.writeBands(t, tariffId, versionId, v.bands);
      return versionId;
    };
    return trx ? write(trx) : this.knex.transaction(write);
  }

  /** Replace a version's date, prices and bands (its id stays). */
  async replaceVersion(tariffId: number, versionId: number, v: TariffVersionWrite): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx.raw(
        `UPDATE tariff_versions SET valid_from = ?, demand_price_per_kw = ?, day_fee = ?, month_fee = ?, export_price_per_kwh = ?
          WHERE tariff_id = ? AND id = ?`,
        [
          v.valid_from,
          v.demand_price_per_kw ?? 0,
          v.day_fee ?? 0,
          v.month_fee ?? 0,
          v.export_price_per_kwh ?? 0,
          tariffId,
          versionId,
        ],
      );
      await trx.raw('DELETE FROM tariff_bands WHERE tariff_id = ? AND version_id = ?', [tariffId, versionId]);
      await this.writeBands(trx, tariffId, versionId, v.bands);
    });
  }

  async deleteVersion(tariffId: number, versionId: number): Promise<void> {
    await this.knex.raw('DELETE FROM tariff_versions WHERE tariff_id = ? AND id = ?', [tariffId, versionId]);
  }

  private async writeBands(
    trx: Knex.Transaction,
    tariffId: number,
    versionId: number,
    bands: TariffVersionWrite['bands'],
  ): Promise<void> {
    const hours = bands.flatMap((b) =>
      b.hours.flatMap((h) => h.day_kinds.map((kind) => [b.name, kind, h.from_hour, h.to_hour] as const)),
    );
    await trx.raw(
      `INSERT INTO tariff_bands (tariff_id, version_id, name, position, price_per_kwh)
       SELECT ?, ?, b.name, b.position, b.price FROM unnest(?::text[], ?::int[], ?::float8[]) AS b(name, position, price)`,
      [tariffId, versionId, bands.map((b) => b.name), bands.map((_b, i) => i), bands.map((b) => b.price_per_kwh)],
    );
    await trx.raw(
      `INSERT INTO tariff_band_hours (tariff_id, version_id, band, day_kind, from_hour, to_hour)
       SELECT ?, ?, h.band, h.kind, h.from_hour, h.to_hour
         FROM unnest(?::text[], ?::text[], ?::int[], ?::int[]) AS h(band, kind, from_hour, to_hour)`,
      [
        tariffId,
        versionId,
        hours.map((h) => h[0]),
        hours.map((h) => h[1]),
        hours.map((h) => h[2]),
        hours.map((h) => h[3]),
      ],
    );
  }
}
