import type { DayKind } from '@meterit/shared';
import type { LocalDate, LocalTime } from './local-clock.js';

/** One version of a tariff as the cost engine reads it. */
export interface VersionSpec {
  id: number;
  /** In force from local midnight of this date until the next version's. */
  validFrom: LocalDate;
  /** The band of each local hour (index 0–23) of each day kind. */
  hours: Record<DayKind, readonly string[]>;
  /** Price per kWh of each band. */
  prices: ReadonlyMap<string, number>;
  demandPricePerKw: number;
  dayFee: number;
  monthFee: number;
  exportPricePerKwh: number;
}

export interface TariffSpec {
  id: number;
  name: string;
  currency: string;
  /** The dates of its holiday calendar (empty without one). */
  holidays: ReadonlySet<LocalDate>;
  /** Oldest first. */
  versions: readonly VersionSpec[];
}

/** From `validFrom` on: `tariffId`, or null (a site without a tariff; a meter back on its site's tariff). */
export interface AssignmentEntry {
  validFrom: LocalDate;
  tariffId: number | null;
}

/** Which tariff a site and each of its meters are billed on, as timelines (oldest first). */
export interface AssignmentPlan {
  site: readonly AssignmentEntry[];
  meters: ReadonlyMap<number, readonly AssignmentEntry[]>;
}

/** What a meter is billed on on one day. */
export interface Rate {
  tariff: TariffSpec;
  version: VersionSpec;
}

/** The entry of a timeline (oldest first) in force on `date`: the last one starting on or before it. */
function inForce<T extends { validFrom: LocalDate }>(list: readonly T[], date: LocalDate): T | undefined {
  let found: T | undefined;
  for (const e of list) {
    if (e.validFrom > date) break;
    found = e;
  }
  return found;
}

/** Saturday and Sunday are weekend days; a date of the tariff's holiday calendar is a holiday whatever its weekday. */
export function dayKind(tariff: TariffSpec, t: LocalTime): DayKind {
  if (tariff.holidays.has(t.date)) return 'holiday';
  return t.weekday === 0 || t.weekday === 6 ? 'weekend' : 'weekday';
}

/**
 * Which tariff and version apply to a site and its meters on each local day. A meter's own assignment wins over
 * the site's; a version applies from its date until the next one, so adding a version never changes earlier days.
 */
export class TariffTimeline {
  private readonly rates = new Map<string, Rate | null>();

  constructor(
    private readonly tariffs: ReadonlyMap<number, TariffSpec>,
    private readonly plan: AssignmentPlan,
  ) {}

  private tariff(id: number | null | undefined): TariffSpec | null {
    return id === null || id === undefined ? null : (this.tariffs.get(id) ?? null);
  }

  /** The site's own tariff on `date`. */
  siteTariff(date: LocalDate): TariffSpec | null {
    return this.tariff(inForce(this.plan.site, date)?.tariffId);
  }

  /** The tariff `meterId` is billed on on `date`: its own assignment when it has one in force, else the site's. */
  meterTariff(meterId: number, date: LocalDate): TariffSpec | null {
    const own = inForce(this.plan.meters.get(meterId) ?? [], date);
    return own && own.tariffId !== null ? this.tariff(own.tariffId) : this.siteTariff(date);
  }

  version(tariff: TariffSpec, date: LocalDate): VersionSpec | null {
    return inForce(tariff.versions, date) ?? null;
  }

  /** Tariff and version of `meterId` on `date`; null when no tariff (or no version of it yet) applies. */
  rate(meterId: number, date: LocalDate): Rate | null {
    const key = `${meterId}|${date}`;
    let r = this.rates.get(key);
    if (r === undefined) {
      const tariff = this.meterTariff(meterId, date);
      const version = tariff ? this.version(tariff, date) : null;
      r = tariff && version ? { tariff, version } : null;
      this.rates.set(key, r);
    }
    return r;
  }

  /** The tariffs in force on `date` for the site itself or any of `meterIds`, each with its version. */
  inForceOn(date: LocalDate, meterIds: readonly number[]): Rate[] {
    const out = new Map<number, Rate>();
    const add = (tariff: TariffSpec | null) => {
      const version = tariff && this.version(tariff, date);
      if (tariff && version) out.set(tariff.id, { tariff, version });
    };
    add(this.siteTariff(date));
    for (const m of meterIds) add(this.meterTariff(m, date));
    return [...out.values()];
  }
}
