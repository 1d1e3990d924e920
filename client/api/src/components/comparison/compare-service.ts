import type { Knex } from 'knex';
import {
  changePct,
  ErrorCode,
  type ComparePeriod,
  type ComparePeriodsResponse,
  type EnergyPeriod,
  type FigureChanges,
  type PeriodFigures,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { assertSiteVisible } from '../../middleware/user-auth.js';
import type { AuthUser } from '../../types.js';
import { co2Kg, emissionFactorAt } from '../emissions/emission-factors.js';
import type { EmissionsService, SiteEmissionFactors } from '../emissions/emissions-service.js';
import { EnergyRepository } from '../energy/energy-repository.js';
import type { EnergyService } from '../energy/energy-service.js';
import type { CostsService } from '../tariffs/costs-service.js';

export interface CompareRequest {
  siteId: number;
  meterId?: number | undefined;
  period: ComparePeriod;
  /** A calendar period: an instant inside it (default now). */
  at?: Date | undefined;
  /** period=custom: the range. */
  from?: Date | undefined;
  to?: Date | undefined;
}

interface Range {
  from: Date;
  to: Date;
}

/** Counter steps longer than this are gaps, as in the energy view's default. */
const GAP_SECONDS = 900;
/** Up to this many days the energy view reads days (its limit for interval=day); longer ranges read months. */
const DAY_BUCKETS_MAX_DAYS = 92;
const DAY_MS = 86_400_000;
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

/**
 * GET /api/energy/compare: one period of a site (or one meter) against the period before and the same local dates a
 * year earlier. Every figure comes from the existing computations: energy, peak and base load from EnergyService,
 * cost from CostsService, CO₂ from the site's emission factors per day or month of energy.
 */
export class CompareService {
  private readonly calendar: EnergyRepository;

  constructor(
    knex: Knex,
    private readonly deps: { energy: EnergyService; costs: CostsService; emissions: EmissionsService },
  ) {
    this.calendar = new EnergyRepository(knex);
  }

  async compare(actor: AuthUser, q: CompareRequest): Promise<ComparePeriodsResponse> {
    assertSiteVisible(actor, q.siteId);
    const factors = (await this.deps.emissions.factorsFor([q.siteId])).get(q.siteId);
    if (!factors) throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${q.siteId}`);
    const tz = factors.site.time_zone;

    const current = await this.currentRange(q, tz);
    const previous =
      q.period === 'custom'
        ? { from: new Date(2 * current.from.getTime() - current.to.getTime()), to: current.from }
        : await this.calendar.shiftLocal(current.from, current.to, `1 ${q.period}`, tz);
    const lastYear = await this.calendar.shiftLocal(current.from, current.to, '1 year', tz);

    const figures = async (r: Range) => this.figures(actor, q, r, tz, factors);
    const cur = await figures(current);
    const prev = await figures(previous);
    const year = await figures(lastYear);
    const lacking = (
      [
        ['current', cur.figures],
        ['previous', prev.figures],
        ['last_year', year.figures],
      ] as const
    ).flatMap(([name, f]) => (f.complete ? [] : [name]));
    return {
      site_id: q.siteId,
      site_name: cur.cost.site_name,
      meter_id: cur.cost.meter_id,
      meter_name: cur.cost.meter_name,
      time_zone: tz,
      currency: cur.cost.currency,
      period: q.period,
      current: cur.figures,
      previous: prev.figures,
      last_year: year.figures,
      change: { previous: changes(cur.figures, prev.figures), last_year: changes(cur.figures, year.figures) },
      lacking_data: lacking,
    };
  }

  private async currentRange(q: CompareRequest, tz: string): Promise<Range> {
    if (q.period !== 'custom') return this.calendar.calendarPeriod(q.at ?? new Date(), q.period, tz);
    const range = { from: q.from as Date, to: q.to as Date };
    if (range.from >= range.to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    return range;
  }

  private async figures(actor: AuthUser, q: CompareRequest, r: Range, tz: string, factors: SiteEmissionFactors) {
    const days = (r.to.getTime() - r.from.getTime()) / DAY_MS;
    const energy = await this.deps.energy.energy({
      siteIds: [q.siteId],
      meterIds: q.meterId === undefined ? undefined : [q.meterId],
      from: r.from,
      to: r.to,
      // Day or month buckets each lie in one local month, so each takes that month's emission factor.
      interval: days > DAY_BUCKETS_MAX_DAYS ? 'month' : 'day',
      tz,
      compare: 'none',
      group: q.meterId === undefined ? 'site' : 'meter',
      gapSeconds: GAP_SECONDS,
    });
    const cost = await this.deps.costs.breakdown(actor, {
      siteId: q.siteId,
      meterId: q.meterId,
      from: r.from,
      to: r.to,
      period: 'month',
      intervals: false,
    });
    const period = energy.series[0]?.current ?? null;
    const priced = cost.periods.some((p) => p.tariffs.length > 0);
    const figures: PeriodFigures = {
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      ...energyFigures(period, factors),
      cost: priced ? round(cost.total.total, 6) : null,
    };
    return { figures, cost };
  }
}

/** Energy, coverage, CO₂, peak and base load of one period as the energy view computed it. */
function energyFigures(
  p: EnergyPeriod | null,
  factors: SiteEmissionFactors,
): Omit<PeriodFigures, 'from' | 'to' | 'cost'> {
  const measured = p?.buckets.filter((b) => b.energy_kwh !== null) ?? [];
  const hasData = measured.length > 0;
  let co2: number | null = hasData ? 0 : null;
  for (const b of measured) {
    const kg = co2Kg(b.energy_kwh, emissionFactorAt(factors.site, factors.months, new Date(b.start)));
    co2 = co2 === null || kg === null ? null : co2 + kg;
  }
  return {
    energy_kwh: hasData && p ? p.total_kwh : null,
    has_data: hasData,
    complete: p !== null && p.buckets.length > 0 && p.buckets.every((b) => b.complete),
    co2_kg: co2 === null ? null : round(co2, 6),
    peak: p?.peak ?? null,
    base_load: p?.base_load ?? null,
  };
}

function changes(cur: PeriodFigures, other: PeriodFigures): FigureChanges {
  return {
    energy_kwh: changePct(cur.energy_kwh, other.energy_kwh),
    cost: changePct(cur.cost, other.cost),
    co2_kg: changePct(cur.co2_kg, other.co2_kg),
    peak_kw: changePct(cur.peak?.kw ?? null, other.peak?.kw ?? null),
    base_load_kw: changePct(cur.base_load?.kw ?? null, other.base_load?.kw ?? null),
  };
}
