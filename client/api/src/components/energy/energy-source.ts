import type { Knex } from 'knex';
import type { ConsumptionInterval } from '@meterit/shared';
import { attributeSteps, type Counter, type SeriesEnergy } from './attribution.js';
import { CounterStepsRepository, groupByWindow, type SeriesKey } from './counter-steps-repository.js';
import { EnergyRepository, type PowerSlotRow } from './energy-repository.js';
import { DAY_MS } from './quarters.js';
import { RollupSource } from './rollup-source.js';
import { ROLLUP_GAP_SECONDS, type RollupUpkeep } from './rollup-upkeep.js';

/** A counter data point and how to count it. */
export interface CounterSeries extends SeriesKey, Counter {}

/** What the intervals of a view are: the unit tells which rollups lie wholly inside one of them. */
export type GridUnit = 'quarter' | 'hour' | 'day' | 'week' | 'month';

export interface EnergyGrid {
  /** Interval starts plus the end of the last one (ms). */
  boundaries: number[];
  range: { from: number; to: number };
  gapSeconds: number;
  unit: GridUnit;
  /** The viewer's time zone (days, weeks and months are counted in it). */
  tz: string;
}

/** Where the energy of a view comes from: the raw readings, or the rollups. Both answer the same for the same data. */
export interface EnergySource {
  readonly kind: 'raw' | 'rollups';
  /** Each counter's energy per interval of the grid, in the order of `series`. */
  counters(series: CounterSeries[], grid: EnergyGrid): Promise<SeriesEnergy[]>;
  /** 15-minute averages of power data points over [from, to), in their own unit. */
  power(series: SeriesKey[], from: Date, to: Date): Promise<PowerSlotRow[]>;
}

/** The grain counterSteps sums simple steps in: one whose edges every interval of the grid shares. */
const STEP_BUCKET: Record<GridUnit, ConsumptionInterval> = {
  quarter: '15m',
  hour: '1h',
  day: '1d',
  week: '1d',
  month: '1d',
};

/** Energy from the raw readings: every counter step of the range, attributed (attributeSteps). */
export class RawSource implements EnergySource {
  readonly kind = 'raw';
  private readonly steps: CounterStepsRepository;
  private readonly calendar: EnergyRepository;

  constructor(knex: Knex) {
    this.steps = new CounterStepsRepository(knex);
    this.calendar = new EnergyRepository(knex);
  }

  async counters(series: CounterSeries[], grid: EnergyGrid): Promise<SeriesEnergy[]> {
    const from = new Date(grid.range.from);
    const to = new Date(grid.range.to);
    const steps = groupByWindow(
      await this.steps.counterSteps(
        series.map((s) => ({ ...s, from, to })),
        STEP_BUCKET[grid.unit],
        grid.tz,
        grid.gapSeconds,
      ),
    );
    return series.map((s, i) =>
      attributeSteps(steps.get(i) ?? [], grid.boundaries, grid.range, grid.gapSeconds * 1000, s),
    );
  }

  power(series: SeriesKey[], from: Date, to: Date): Promise<PowerSlotRow[]> {
    return this.calendar.powerSlots(series, from, to);
  }
}

/**
 * Chooses the source of a read: ranges over a day read the rollups (when they are kept and the gap threshold is
 * theirs), everything else the raw readings.
 */
export class EnergySources {
  readonly raw: RawSource;
  private readonly rollups: RollupSource | null;

  constructor(knex: Knex, upkeep: RollupUpkeep | null) {
    this.raw = new RawSource(knex);
    this.rollups = upkeep ? new RollupSource(knex, upkeep, this.raw) : null;
  }

  pick(from: Date, to: Date, gapSeconds: number): EnergySource {
    const long = to.getTime() - from.getTime() > DAY_MS;
    return this.rollups && long && gapSeconds === ROLLUP_GAP_SECONDS ? this.rollups : this.raw;
  }
}
