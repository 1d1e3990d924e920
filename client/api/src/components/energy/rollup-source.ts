import type { Knex } from 'knex';
import { fromSteps, seriesEnergy, type SeriesEnergy, type SeriesSteps } from './attribution.js';
import { CounterStepsRepository, groupByWindow, type SeriesKey } from './counter-steps-repository.js';
import type { CounterSeries, EnergyGrid, EnergySource } from './energy-source.js';
import { EnergyRepository, type PowerSlotRow } from './energy-repository.js';
import {
  alignedTo,
  ceilQuarter,
  edgeCover,
  fixedCover,
  floorQuarter,
  HOUR_MS,
  planSegments,
  QUARTER_MS,
  type Cover,
  type Span,
} from './quarters.js';
import { RollupReadRepository, type Grain, type GrainWindow } from './rollup-read-repository.js';
import type { RollupUpkeep } from './rollup-upkeep.js';

const GRAINS: Grain[] = ['month', 'day', 'hour', 'quarter'];

type Window = GrainWindow & { series: number };

/**
 * Energy from the rollups, answering what RawSource answers from the raw readings: the measured part of each rollup
 * row is one lump in its interval (a row lies wholly in one), the stored gaps and resets are placed and reported as
 * raw steps would be, and the edges of the range finer than a quarter hour are read raw. Each stretch is read at the
 * coarsest grain that fits the view: months and days when the site counts its days in the viewer's zone, UTC hours
 * when the view's intervals start on whole hours, else quarter hours. Before reading, the sites' queued changes are
 * applied, so an answer never lags ingest; when much more is queued (a rebuild, a large backlog), the read answers
 * from the raw readings instead of waiting.
 */
export class RollupSource implements EnergySource {
  readonly kind = 'rollups';
  private readonly repo: RollupReadRepository;
  private readonly steps: CounterStepsRepository;
  private readonly calendar: EnergyRepository;

  constructor(
    knex: Knex,
    private readonly upkeep: RollupUpkeep,
    private readonly raw: EnergySource,
  ) {
    this.repo = new RollupReadRepository(knex);
    this.steps = new CounterStepsRepository(knex);
    this.calendar = new EnergyRepository(knex);
  }

  async counters(series: CounterSeries[], grid: EnergyGrid): Promise<SeriesEnergy[]> {
    // A view whose intervals do not start on quarter hours (no real time zone does that since 1970) reads raw.
    if (series.length === 0 || !alignedTo(grid.boundaries, QUARTER_MS)) return this.raw.counters(series, grid);
    const siteIds = [...new Set(series.map((s) => s.siteId))];
    if (!(await this.upkeep.catchUpForRead(siteIds))) return this.raw.counters(series, grid);
    const plans = await this.plans(siteIds, grid);
    const gapMs = grid.gapSeconds * 1000;
    const inputs: SeriesSteps[] = series.map(() => ({ contributions: [], events: [] }));
    const windowsOf = (grain: Grain | 'raw'): Window[] =>
      series.flatMap((s, i) =>
        (plans.get(s.siteId)?.get(grain) ?? []).map((span) => ({
          ...s,
          from: new Date(span.from),
          to: new Date(span.to),
          series: i,
        })),
      );

    for (const grain of GRAINS) {
      const windows = windowsOf(grain);
      for (const row of await this.repo.measured(grain, windows, grid.tz)) {
        const w = windows[row.window] as Window;
        (inputs[w.series] as SeriesSteps).contributions.push({
          kind: 'lump',
          at: row.start.getTime(),
          kwh: row.measured_kwh,
          coveredMs: row.measured_s * 1000,
        });
      }
    }
    const edges = windowsOf('raw');
    const edgeSteps = groupByWindow(await this.steps.counterSteps(edges, '15m', 'UTC', grid.gapSeconds));
    edges.forEach((w, k) => {
      const clip = { from: w.from.getTime(), to: w.to.getTime() };
      // Gaps and resets of the edges are among the stored ones below.
      const part = fromSteps(edgeSteps.get(k) ?? [], series[w.series] as CounterSeries, gapMs, clip);
      (inputs[w.series] as SeriesSteps).contributions.push(...part.contributions);
    });
    const range = { from: new Date(grid.range.from), to: new Date(grid.range.to) };
    for (const e of await this.repo.events(series, range.from, range.to)) {
      (inputs[e.series] as SeriesSteps).events.push({
        t0: e.t0.getTime(),
        t1: e.t1.getTime(),
        v0: e.v0,
        v1: e.v1,
        kwh: e.energy_kwh,
        gap: e.gap,
        kind: e.kind,
      });
    }
    return inputs.map((input) => seriesEnergy(input, grid.boundaries, grid.range, gapMs));
  }

  async power(series: SeriesKey[], from: Date, to: Date): Promise<PowerSlotRow[]> {
    const qa = ceilQuarter(from.getTime());
    const qb = floorQuarter(to.getTime());
    if (series.length === 0 || qa >= qb) return this.raw.power(series, from, to);
    if (!(await this.upkeep.catchUpForRead([...new Set(series.map((s) => s.siteId))])))
      return this.raw.power(series, from, to);
    return [
      ...(from.getTime() < qa ? await this.raw.power(series, from, new Date(qa)) : []),
      ...(await this.repo.power(series, new Date(qa), new Date(qb))),
      ...(qb < to.getTime() ? await this.raw.power(series, new Date(qb), to) : []),
    ];
  }

  /** Per site: the stretches of the range read at each grain, and the raw edges. */
  private async plans(siteIds: number[], grid: EnergyGrid): Promise<Map<number, Map<Grain | 'raw', Span[]>>> {
    const zones = await this.repo.siteZones(siteIds);
    const calendarDays = grid.unit === 'day' || grid.unit === 'week' || grid.unit === 'month';
    const local = (siteId: number) => calendarDays && zones.get(siteId) === grid.tz;
    const dayEdges = siteIds.some(local)
      ? (await this.calendar.boundaries(new Date(grid.range.from), new Date(grid.range.to), 'day', grid.tz)).map((d) =>
          d.getTime(),
        )
      : [];
    const hours = grid.unit !== 'quarter' && alignedTo(grid.boundaries, HOUR_MS);
    const out = new Map<number, Map<Grain | 'raw', Span[]>>();
    for (const siteId of siteIds) {
      const levels: { grain: Grain; cover: Cover }[] = [];
      if (grid.unit === 'month' && local(siteId)) levels.push({ grain: 'month', cover: edgeCover(grid.boundaries) });
      if (local(siteId)) levels.push({ grain: 'day', cover: edgeCover(dayEdges) });
      if (hours) levels.push({ grain: 'hour', cover: fixedCover(HOUR_MS) });
      levels.push({ grain: 'quarter', cover: fixedCover(QUARTER_MS) });
      out.set(siteId, planSegments(grid.range, levels));
    }
    return out;
  }
}
