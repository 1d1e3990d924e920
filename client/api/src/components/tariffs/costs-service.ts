import { bandTable, COST_LIMITS, ErrorCode, isTimeZone, type CostBreakdownResponse } from '@meterit/shared';
// The question as the MCP server's port (ClientOperations.costs) passes it: one definition for both.
import type { CostQuery } from '@meterit/client-mcp';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { AssignmentRow } from './assignments-repository.js';
import type { AssignmentsService } from './assignments-service.js';
import { computeCosts } from './cost-engine.js';
import { costBreakdownView } from './cost-views.js';
import type { HolidayCalendarsRepository } from './holiday-calendars-repository.js';
import { conflict } from './history.js';
import type { IntervalEnergySource } from './interval-energy-source.js';
import { LocalClock, QUARTER_MS } from './local-clock.js';
import type { AssignmentEntry, AssignmentPlan, TariffSpec, VersionSpec } from './tariff-timeline.js';
import type { TariffRow, TariffsRepository } from './tariffs-repository.js';

const DAY_MS = 86_400_000;
const bad = (message: string) => new ApiError(400, ErrorCode.VALIDATION_FAILED, message);

/** A stored tariff as the engine reads it: each version's band per local hour and day kind, its holiday dates. */
function tariffSpec(row: TariffRow, holidays: readonly string[]): TariffSpec {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    holidays: new Set(holidays),
    versions: row.versions.map((v): VersionSpec => ({
      id: v.id,
      validFrom: v.valid_from,
      // Stored versions passed the same check on the way in, so every hour has its band.
      hours: bandTable(v.bands).table as VersionSpec['hours'],
      prices: new Map(v.bands.map((b) => [b.name, b.price_per_kwh])),
      demandPricePerKw: v.demand_price_per_kw,
      dayFee: v.day_fee,
      monthFee: v.month_fee,
      exportPricePerKwh: v.export_price_per_kwh,
    })),
  };
}

function assignmentPlan(rows: readonly AssignmentRow[]): AssignmentPlan {
  const entry = (a: AssignmentRow): AssignmentEntry => ({ validFrom: a.valid_from, tariffId: a.tariff_id });
  const meters = new Map<number, AssignmentEntry[]>();
  for (const a of rows) if (a.meter_id !== null) meters.set(a.meter_id, [...(meters.get(a.meter_id) ?? []), entry(a)]);
  return { site: rows.filter((a) => a.meter_id === null).map(entry), meters };
}

/**
 * GET /api/costs and get_cost_breakdown: a site's (or one meter's) energy cost per billing period. Reads the
 * site's settings, its tariff timelines and 15-minute energy (through the IntervalEnergySource port), and prices
 * them with the pure cost engine.
 */
export class CostsService {
  constructor(
    private readonly deps: {
      assignments: AssignmentsService;
      tariffs: TariffsRepository;
      calendars: HolidayCalendarsRepository;
      meters: MeterDirectory;
      energy: IntervalEnergySource;
      now?: () => number;
    },
  ) {}

  async breakdown(actor: AuthUser, q: CostQuery): Promise<CostBreakdownResponse> {
    const site = await this.deps.assignments.site(actor, q.siteId);
    if (!isTimeZone(site.time_zone))
      throw conflict(
        `site ${site.name} has the time zone "${site.time_zone}", which is no IANA time zone; fix the site's settings`,
      );
    const clock = new LocalClock(site.time_zone);
    const to = (q.to ?? new Date(this.deps.now?.() ?? Date.now())).getTime();
    const from = q.from?.getTime() ?? clock.dayStart(`${clock.local(to - 1).date.slice(0, 8)}01`);
    if (from >= to) throw bad('from must be before to');
    const days = (to - from) / DAY_MS;
    if (days > COST_LIMITS.maxDays) throw bad(`from and to may be at most ${COST_LIMITS.maxDays} days apart`);

    const meters = await this.deps.meters.list({ siteIds: [site.id], includeInactive: true });
    const meter = q.meterId === undefined ? null : meters.find((m) => m.id === q.meterId);
    if (meter === undefined)
      throw new ApiError(
        404,
        ErrorCode.NOT_FOUND,
        `no meter with id ${q.meterId} on site ${site.name} (id ${site.id})`,
      );
    if (meters.length * days > COST_LIMITS.maxMeterDays)
      throw bad(
        `${meters.length} meters over ${Math.ceil(days)} days is more than ${COST_LIMITS.maxMeterDays} meter-days; choose a shorter range`,
      );
    const quarters = Math.ceil((to - from) / QUARTER_MS) * (meter ? 1 : meters.length);
    if (q.intervals && quarters > COST_LIMITS.maxIntervals)
      throw bad(
        `intervals=true would list ${quarters} quarter hours, more than ${COST_LIMITS.maxIntervals}; choose a shorter range or one meter`,
      );

    const rows = await this.deps.assignments.timelines(site.id);
    const tariffIds = [...new Set(rows.flatMap((a) => (a.tariff_id === null ? [] : [a.tariff_id])))];
    const tariffRows = tariffIds.length > 0 ? await this.deps.tariffs.list(tariffIds) : [];
    const calendarIds = tariffRows.flatMap((t) => (t.holiday_calendar ? [t.holiday_calendar.id] : []));
    const calendars = calendarIds.length > 0 ? await this.deps.calendars.list(calendarIds) : [];
    const tariffs = new Map(
      tariffRows.map((t) => [t.id, tariffSpec(t, calendars.find((c) => c.id === t.holiday_calendar?.id)?.dates ?? [])]),
    );
    const meterIds = meters.map((m) => m.id);
    const energy = await this.deps.energy.quarterHours({
      siteId: site.id,
      meterIds,
      from: new Date(from),
      to: new Date(to),
    });
    const result = computeCosts({
      tz: site.time_zone,
      from,
      to,
      period: q.period,
      meterIds,
      tariffs,
      plan: assignmentPlan(rows),
      energy,
    });
    const foreign = result.periods
      .flatMap((p) => p.tariffs)
      .map((b) => tariffs.get(b.tariffId) as TariffSpec)
      .find((t) => t.currency !== site.currency);
    if (foreign)
      throw conflict(
        `tariff "${foreign.name}" is in ${foreign.currency}, and site ${site.name} bills in ${site.currency}: assign a tariff in ${site.currency}`,
      );
    return costBreakdownView(result, {
      site,
      meter: meter ? { id: meter.id, name: meter.name } : null,
      from,
      to,
      period: q.period,
      names: {
        meters: new Map(meters.map((m) => [m.id, m.name])),
        tariffs: new Map(tariffRows.map((t) => [t.id, t.name])),
      },
      withIntervals: q.intervals,
    });
  }
}
