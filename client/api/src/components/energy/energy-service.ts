import type { Knex } from 'knex';
import {
  changePct,
  ENERGY_MAX_DAYS,
  ENERGY_MAX_METER_DAYS,
  ErrorCode,
  type EnergyInterval,
  type EnergyPeriod,
  type EnergyResponse,
  type EnergySeries,
  type MeterSummary,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { POWER_UNITS, type MeterDirectory } from '../meters/meter-directory.js';
import { energyCounters, sumBuckets, type SeriesEnergy } from './attribution.js';
import type { SeriesKey } from './counter-steps-repository.js';
import {
  demandPerBucket,
  periodDemand,
  slotsFromCounters,
  slotsFromPower,
  sumSlots,
  type MeterSlots,
} from './energy-demand.js';
import { EnergyRepository } from './energy-repository.js';
import type { CounterSeries, EnergySources } from './energy-source.js';
import { DAY_MS, quarterEdges } from './quarters.js';

export interface EnergyRequest {
  /** null = every site (already narrowed to what the user may see). */
  siteIds: number[] | null;
  meterIds?: number[] | undefined;
  /** Left out: the start of the interval a few intervals back (7 days, 4 weeks, 3 months up to `to`). */
  from?: Date | undefined;
  /** Left out: now. */
  to?: Date | undefined;
  interval: EnergyInterval;
  tz: string;
  compare: 'previous' | 'none';
  group: 'site' | 'meter';
  gapSeconds: number;
}

type Power = SeriesKey & { factor: number };
interface EnergyMeter {
  meter: MeterSummary;
  counters: CounterSeries[];
  /** The meter's power data point when it has exactly one (with several, which one is the total is unknown). */
  power: Power | null;
}
interface MeterPeriod {
  energy: SeriesEnergy[];
  slots: MeterSlots;
}

const DEFAULT_INTERVALS: Record<EnergyInterval, number> = { day: 7, week: 4, month: 3 };
const round = (v: number) => Math.round(v * 1e6) / 1e6;
const bad = (message: string) => new ApiError(400, ErrorCode.VALIDATION_FAILED, message);

function energyMeter(m: MeterSummary): EnergyMeter {
  const key = { siteId: m.site_id, meterId: m.id };
  const power = m.data_points.flatMap((p) => {
    const factor = POWER_UNITS[p.latest?.unit ?? p.unit ?? ''];
    return factor === undefined || p.latest === null ? [] : [{ ...key, dataPoint: p.name, factor }];
  });
  return {
    meter: m,
    counters: energyCounters(m).map((c) => ({ ...key, ...c })),
    power: power.length === 1 ? (power[0] as Power) : null,
  };
}

/**
 * Energy views: per day, ISO week or month in the viewer's time zone, per site or per meter, with peak demand and
 * base load per interval and the previous period beside it. Energy comes from the counters exactly as
 * /api/consumption computes it (attributeSteps: resets, rollovers, gaps), from the rollups for ranges over a day;
 * demand from 15-minute intervals.
 */
export class EnergyService {
  private readonly repo: EnergyRepository;

  constructor(
    knex: Knex,
    private readonly meters: MeterDirectory,
    private readonly sources: EnergySources,
  ) {
    this.repo = new EnergyRepository(knex);
  }

  async energy(q: EnergyRequest): Promise<EnergyResponse> {
    const to = q.to ?? new Date();
    const from = q.from ?? (await this.repo.intervalStart(to, q.interval, q.tz, DEFAULT_INTERVALS[q.interval] - 1));
    if (from >= to) throw bad('from must be before to');
    const days = (to.getTime() - from.getTime()) / DAY_MS;
    if (days > ENERGY_MAX_DAYS[q.interval])
      throw bad(`with interval=${q.interval}, from and to may be at most ${ENERGY_MAX_DAYS[q.interval]} days apart`);

    const list = await this.meters.list({ siteIds: q.siteIds, meterIds: q.meterIds, includeInactive: true });
    for (const id of q.meterIds ?? []) {
      if (!list.some((m) => m.id === id)) throw new ApiError(404, ErrorCode.NOT_FOUND, `no meter with id ${id}`);
    }
    const meters = list.map(energyMeter).filter((m) => m.counters.length > 0);
    const meterDays = meters.length * days * (q.compare === 'previous' ? 2 : 1);
    if (meterDays > ENERGY_MAX_METER_DAYS)
      throw bad(
        `${meters.length} meters over ${Math.ceil(days)} days is more than ${ENERGY_MAX_METER_DAYS} meter-days; choose fewer meters or a shorter range`,
      );

    const current = await this.period(meters, from, to, q);
    let previous: typeof current | undefined;
    if (q.compare === 'previous') {
      const p = await this.repo.shiftBack(from, to, current.intervals, q.interval, q.tz);
      previous = await this.period(meters, p.from, p.to, q);
    }

    const groups = new Map<string, EnergyMeter[]>();
    for (const m of meters) {
      const key = q.group === 'site' ? `site:${m.meter.site_id}` : `meter:${m.meter.id}`;
      (groups.get(key) ?? groups.set(key, []).get(key))?.push(m);
    }
    const series: EnergySeries[] = [...groups].map(([key, ms]) => {
      const first = (ms[0] as EnergyMeter).meter;
      const cur = current.of(ms);
      const prev = previous?.of(ms) ?? null;
      return {
        key,
        kind: q.group,
        site_id: first.site_id,
        site_name: first.site_name,
        meter_id: q.group === 'meter' ? first.id : null,
        meter_name: q.group === 'meter' ? first.name : null,
        meters: ms.length,
        current: cur,
        previous: prev,
        change_pct: prev ? changePct(cur.total_kwh, prev.total_kwh) : null,
      };
    });
    const currentKwh = round(series.reduce((t, s) => t + s.current.total_kwh, 0));
    const previousKwh = previous ? round(series.reduce((t, s) => t + (s.previous?.total_kwh ?? 0), 0)) : null;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      interval: q.interval,
      tz: q.tz,
      compare: q.compare,
      group: q.group,
      gap_threshold_s: q.gapSeconds,
      demand_minutes: 15,
      base_load_window: { from: '00:00', to: '05:00' },
      series,
      total: { current_kwh: currentKwh, previous_kwh: previousKwh, change_pct: changePct(currentKwh, previousKwh) },
    };
  }

  /** Read every meter's counters and power once for [from, to); `of` then sums any group of them. */
  private async period(meters: EnergyMeter[], from: Date, to: Date, q: EnergyRequest) {
    const boundaries = (await this.repo.boundaries(from, to, q.interval, q.tz)).map((d) => d.getTime());
    const range = { from: from.getTime(), to: to.getTime() };
    const source = this.sources.pick(from, to, q.gapSeconds);
    const grid = { range, gapSeconds: q.gapSeconds, tz: q.tz };
    const counters = meters.flatMap((m) => m.counters);
    const energy = await source.counters(counters, { ...grid, boundaries, unit: q.interval });
    const counterOnly = meters.filter((m) => m.power === null).flatMap((m) => m.counters);
    const quarters = counterOnly.length > 0 ? quarterEdges(range.from, range.to) : [];
    const quarterEnergy = await source.counters(counterOnly, { ...grid, boundaries: quarters, unit: 'quarter' });
    const power = await source.power(
      meters.flatMap((m) => (m.power ? [m.power] : [])),
      from,
      to,
    );
    const found = new Map<CounterSeries, SeriesEnergy>();
    counters.forEach((c, i) => found.set(c, energy[i] as SeriesEnergy));
    const quarterly = new Map<CounterSeries, SeriesEnergy>();
    counterOnly.forEach((c, i) => quarterly.set(c, quarterEnergy[i] as SeriesEnergy));
    const energyOf = (list: CounterSeries[], of: Map<CounterSeries, SeriesEnergy>) =>
      list.map((c) => of.get(c) as SeriesEnergy);

    const perMeter = new Map<number, MeterPeriod>();
    for (const m of meters) {
      const p = m.power;
      const slots: MeterSlots = p
        ? {
            source: 'kw_point',
            slots: slotsFromPower(
              power.filter((r) => r.meter_id === p.meterId && r.data_point === p.dataPoint),
              p.factor,
            ),
          }
        : {
            source: 'kwh_counter',
            slots: slotsFromCounters(energyOf(m.counters, quarterly).map((e) => e.buckets)),
          };
      perMeter.set(m.meter.id, { energy: energyOf(m.counters, found), slots });
    }

    const of = (group: EnergyMeter[]): EnergyPeriod => {
      const parts = group.map((m) => perMeter.get(m.meter.id) as MeterPeriod);
      const energy = parts.flatMap((p) => p.energy);
      const named = group.flatMap((m, i) =>
        (parts[i] as MeterPeriod).energy.map((e) => ({ e, meter_name: m.meter.name })),
      );
      const { source, slots } = sumSlots(parts.map((p) => p.slots));
      const demand = demandPerBucket(slots, source, boundaries, q.tz);
      const whole = periodDemand(demand);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        total_kwh: round(energy.reduce((t, e) => t + e.total_kwh, 0)),
        unattributed_kwh: round(energy.reduce((t, e) => t + e.unattributed_kwh, 0)),
        peak: whole.peak,
        base_load: whole.base_load,
        buckets: sumBuckets(energy.map((e) => e.buckets)).map((b, i) => ({
          ...b,
          peak: demand[i]?.peak ?? null,
          base_load: demand[i]?.base_load ?? null,
        })),
        gaps: named.flatMap(({ e, meter_name }) => e.gaps.map((g) => ({ ...g, meter_name }))),
        resets: named.flatMap(({ e, meter_name }) => e.resets.map((r) => ({ ...r, meter_name }))),
      };
    };
    return { intervals: boundaries.length - 1, of };
  }
}
