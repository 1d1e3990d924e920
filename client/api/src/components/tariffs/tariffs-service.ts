import {
  ErrorCode,
  type HolidayCalendar,
  type HolidayCalendarUpdate,
  type HolidayCalendarWrite,
  type Tariff,
  type TariffCreate,
  type TariffVersionWrite,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import type { HolidayCalendarsRepository } from './holiday-calendars-repository.js';
import { conflict, hasBegun, historyConflict } from './history.js';
import type { TariffRow, TariffsRepository } from './tariffs-repository.js';

const notFound = (what: string, id: number) => new ApiError(404, ErrorCode.NOT_FOUND, `no ${what} with id ${id}`);

/**
 * Tariffs with their versions, and holiday calendars. Everyone reads (a user limited to some sites sees the tariffs
 * those sites are or were billed on); the routes let only admins write. History is append-only: a version, or a
 * holiday, whose date has begun somewhere (history.ts) is never changed again; a new price is a new version from a
 * later date than the latest.
 */
export class TariffsService {
  constructor(
    private readonly tariffs: TariffsRepository,
    private readonly calendars: HolidayCalendarsRepository,
    private readonly now: () => number = Date.now,
  ) {}

  private async visibleIds(actor: AuthUser): Promise<number[] | null> {
    return actor.siteIds === null ? null : this.tariffs.assignedTo(actor.siteIds);
  }

  private async views(rows: TariffRow[], actor: AuthUser): Promise<Tariff[]> {
    const sites = await this.tariffs.sitesOf(
      rows.map((r) => r.id),
      actor.siteIds,
    );
    const now = this.now();
    return rows.map((r) => ({
      ...r,
      versions: r.versions.map((v) => ({ ...v, in_effect: hasBegun(v.valid_from, now) })),
      sites: sites.get(r.id) ?? [],
    }));
  }

  async list(actor: AuthUser): Promise<Tariff[]> {
    return this.views(await this.tariffs.list(await this.visibleIds(actor)), actor);
  }

  async get(actor: AuthUser, id: number): Promise<Tariff> {
    const visible = await this.visibleIds(actor);
    const row = visible === null || visible.includes(id) ? await this.tariffs.get(id) : undefined;
    if (!row) throw notFound('tariff', id);
    return (await this.views([row], actor))[0] as Tariff;
  }

  private async row(id: number): Promise<TariffRow> {
    const row = await this.tariffs.get(id);
    if (!row) throw notFound('tariff', id);
    return row;
  }

  async create(actor: AuthUser, t: TariffCreate): Promise<Tariff> {
    const calendarId = t.holiday_calendar_id ?? null;
    if (calendarId !== null && !(await this.calendars.get(calendarId))) throw notFound('holiday calendar', calendarId);
    const id = await this.tariffs.insert({
      name: t.name,
      currency: t.currency,
      holidayCalendarId: calendarId,
      versions: t.versions,
    });
    if (id === undefined) throw conflict(`a tariff named "${t.name}" already exists`);
    return this.get(actor, id);
  }

  async rename(actor: AuthUser, id: number, name: string): Promise<Tariff> {
    await this.row(id);
    if (!(await this.tariffs.rename(id, name))) throw conflict(`another tariff is already named "${name}"`);
    return this.get(actor, id);
  }

  async delete(id: number): Promise<void> {
    const row = await this.row(id);
    if (await this.tariffs.isAssigned(id))
      throw conflict(
        `tariff "${row.name}" is assigned to a site or meter (GET /api/sites/:id/tariffs lists them): a tariff that billed or will bill energy is kept; rename it instead`,
      );
    await this.tariffs.delete(id);
  }

  /** A new version from a date later than every version the tariff has. */
  async addVersion(actor: AuthUser, id: number, v: TariffVersionWrite): Promise<Tariff> {
    const latest = (await this.row(id)).versions.at(-1);
    if (latest && v.valid_from <= latest.valid_from)
      throw conflict(
        `version dates out of order: a new version must start after the latest one (${latest.valid_from}), got ${v.valid_from}; a new price never rewrites an earlier period`,
      );
    await this.tariffs.insertVersion(id, v);
    return this.get(actor, id);
  }

  /** Change a version that is not yet in force; its date stays between its neighbours' and must not have begun either. */
  async replaceVersion(actor: AuthUser, id: number, versionId: number, v: TariffVersionWrite): Promise<Tariff> {
    const versions = (await this.row(id)).versions;
    const i = versions.findIndex((x) => x.id === versionId);
    const old = versions[i];
    if (!old) throw notFound(`version of tariff ${id}`, versionId);
    const now = this.now();
    if (hasBegun(old.valid_from, now)) throw historyConflict(`version ${versionId}`, old.valid_from);
    if (hasBegun(v.valid_from, now))
      throw historyConflict(`the date ${v.valid_from} (a version must start later than today anywhere)`, v.valid_from);
    const before = versions[i - 1]?.valid_from;
    const after = versions[i + 1]?.valid_from;
    if ((before !== undefined && v.valid_from <= before) || (after !== undefined && v.valid_from >= after))
      throw conflict(
        `version dates out of order: version ${versionId} must start after ${before ?? 'nothing'} and before ${after ?? 'nothing'}, got ${v.valid_from}`,
      );
    await this.tariffs.replaceVersion(id, versionId, v);
    return this.get(actor, id);
  }

  /** Withdraw a version that is not yet in force (the previous one then stays in force). */
  async deleteVersion(id: number, versionId: number): Promise<void> {
    const versions = (await this.row(id)).versions;
    const old = versions.find((x) => x.id === versionId);
    if (!old) throw notFound(`version of tariff ${id}`, versionId);
    if (hasBegun(old.valid_from, this.now())) throw historyConflict(`version ${versionId}`, old.valid_from);
    if (versions.length === 1) throw conflict('a tariff keeps at least one version; delete the tariff instead');
    await this.tariffs.deleteVersion(id, versionId);
  }

  // --- holiday calendars ---

  async calendarsList(actor: AuthUser): Promise<HolidayCalendar[]> {
    const visible = await this.visibleIds(actor);
    return (await this.calendars.list()).map((c) => ({
      ...c,
      tariffs: visible === null ? c.tariffs : c.tariffs.filter((t) => visible.includes(t.id)),
    }));
  }

  private async calendar(id: number): Promise<HolidayCalendar> {
    const c = await this.calendars.get(id);
    if (!c) throw notFound('holiday calendar', id);
    return c;
  }

  async createCalendar(c: HolidayCalendarWrite): Promise<HolidayCalendar> {
    const id = await this.calendars.insert(c.name, [...c.dates].sort());
    if (id === undefined) throw conflict(`a holiday calendar named "${c.name}" already exists`);
    return this.calendar(id);
  }

  /**
   * Rename, or replace the dates. A calendar a tariff uses keeps every date that has begun as it was (a holiday
   * that priced energy stays one, and a day that was not does not become one): only coming dates change.
   */
  async updateCalendar(id: number, patch: HolidayCalendarUpdate): Promise<HolidayCalendar> {
    const old = await this.calendar(id);
    if (patch.dates !== undefined && old.tariffs.length > 0) {
      const now = this.now();
      const next = new Set(patch.dates);
      const changed = [
        ...old.dates.filter((d) => !next.has(d)),
        ...patch.dates.filter((d) => !old.dates.includes(d)),
      ].filter((d) => hasBegun(d, now));
      if (changed.length > 0)
        throw conflict(
          `tariff "${old.tariffs[0]?.name}" takes its holidays from this calendar, and ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''} ${changed.length === 1 ? 'has' : 'have'} begun: a date that priced energy keeps its day kind; change only coming dates`,
        );
    }
    const dates = patch.dates === undefined ? undefined : [...patch.dates].sort();
    if (!(await this.calendars.update(id, { name: patch.name, dates })))
      throw conflict(`another holiday calendar is already named "${patch.name}"`);
    return this.calendar(id);
  }

  async deleteCalendar(id: number): Promise<void> {
    const c = await this.calendar(id);
    if (c.tariffs.length > 0)
      throw conflict(`tariff "${c.tariffs[0]?.name}" takes its holidays from this calendar; it cannot be deleted`);
    await this.calendars.delete(id);
  }
}
