import type { Knex } from 'knex';
import { ENERGY_UNITS, POWER_UNITS } from '../meters/meter-directory.js';
import { fromSteps, place, type Counter } from './attribution.js';
import { CounterStepsRepository, groupByWindow } from './counter-steps-repository.js';
import { ceilQuarter, floorQuarter, QUARTER_MS, quarterEdges } from './quarters.js';
import { RollupChangesRepository, type ChangeRow } from './rollup-changes-repository.js';
import {
  RollupWriteRepository,
  type EventRow,
  type QuarterRow,
  type SeriesInfoRow,
  type SeriesWindow,
} from './rollup-write-repository.js';

/** The reading units rollups are kept for (ingest records changes of these, or of readings without a unit). */
export const ROLLUP_UNITS: readonly string[] = [...Object.keys(ENERGY_UNITS), ...Object.keys(POWER_UNITS)];

/** Most changes a read applies before it answers (about what 100 batches of 50 series leave; a pass or two). */
export const READ_CATCH_UP_CHANGES = 5000;

/** The gap threshold the rollups are computed with: the views' default (gap_minutes=15). */
export const ROLLUP_GAP_SECONDS = 15 * 60;

type SeriesKind = { kind: 'counter'; counter: Counter } | { kind: 'power' };
const keyOf = (s: { meterId: number; dataPoint: string }) => `${s.meterId}|${s.dataPoint}`;

/** What a series is to the energy views: a kWh counter, a power point, or neither (voltage, current, …). */
function kindOf(info: SeriesInfoRow): SeriesKind | undefined {
  if (info.config === null) return undefined;
  const unit = info.unit ?? info.config.unit ?? '';
  const factor = ENERGY_UNITS[unit];
  if (factor !== undefined) {
    const { wraps_at, max_kwh_per_hour } = info.config;
    return { kind: 'counter', counter: { factor, wrapsAt: wraps_at ?? null, maxKwhPerHour: max_kwh_per_hour ?? null } };
  }
  return POWER_UNITS[unit] === undefined ? undefined : { kind: 'power' };
}

/** Per series, the windows merged where they overlap or touch, in time order. */
export function mergeWindows(windows: SeriesWindow[]): SeriesWindow[] {
  const sorted = [...windows].sort((a, b) => keyOf(a).localeCompare(keyOf(b)) || a.from.getTime() - b.from.getTime());
  const out: SeriesWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && keyOf(last) === keyOf(w) && w.from <= last.to) {
      if (w.to > last.to) last.to = w.to;
    } else out.push({ ...w });
  }
  return out;
}

const spanOf = (c: ChangeRow): SeriesWindow => ({
  meterId: c.meter_id,
  dataPoint: c.data_point,
  from: c.from_ts,
  to: c.to_ts,
});

/**
 * Keeps the rollups from the changes ingest records: for each site, in the order of the changes, the quarter hours
 * that the new readings changed are computed again from the raw readings (for a counter: from the reading before the
 * first new one to the reading after the last, since both those steps changed), then the hours, days and months above
 * them and the site's own rows. All of one pass is one transaction with the changes it took, so a crash or restart
 * loses nothing: the changes are still queued.
 */
export class RollupUpkeep {
  private readonly changes: RollupChangesRepository;

  constructor(
    private readonly knex: Knex,
    private readonly gapSeconds = ROLLUP_GAP_SECONDS,
  ) {
    this.changes = new RollupChangesRepository(knex);
  }

  /**
   * One pass over one site: takes its oldest changes (up to id `upToId`) and applies them. Returns how many were
   * taken (0: none left).
   */
  async processSite(siteId: number, upToId?: number): Promise<number> {
    return this.knex.transaction(async (trx) => {
      await this.changes.lockSite(trx, siteId);
      const taken = await this.changes.claim(trx, siteId, upToId);
      if (taken.length === 0) return 0;
      const repo = new RollupWriteRepository(trx);
      const series = [...new Map(taken.map((c) => [keyOf(spanOf(c)), spanOf(c)])).values()];
      const kinds = new Map<string, SeriesKind>();
      for (const info of await repo.seriesInfo(siteId, series)) {
        const kind = kindOf(info);
        if (kind) kinds.set(keyOf({ meterId: info.meter_id, dataPoint: info.data_point }), kind);
      }
      const spans = (kind: SeriesKind['kind']) =>
        mergeWindows(taken.map(spanOf).filter((s) => kinds.get(keyOf(s))?.kind === kind));

      const windows = await this.counterWindows(repo, siteId, spans('counter'));
      await this.quarterHours(trx, repo, siteId, windows, kinds);
      await repo.writePower(
        siteId,
        // A power reading changes only its own quarter hour's average.
        mergeWindows(
          spans('power').map((s) => ({
            ...s,
            from: new Date(floorQuarter(s.from.getTime())),
            to: new Date(floorQuarter(s.to.getTime()) + QUARTER_MS),
          })),
        ),
      );
      const tz = await this.changes.siteTimeZone(trx, siteId);
      await repo.rollUpSite(siteId, await repo.rollUp(siteId, windows, tz), tz);
      await this.changes.markProcessed(trx, siteId, Math.max(...taken.map((c) => c.id)), taken.length, tz);
      return taken.length;
    });
  }

  /**
   * Count a site's days and months again in its time zone (it changed since they were summed): from every quarter
   * hour it has, so also where the raw readings are gone.
   */
  async recountCalendar(siteId: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await this.changes.lockSite(trx, siteId);
      const repo = new RollupWriteRepository(trx);
      const tz = await this.changes.siteTimeZone(trx, siteId);
      await this.changes.dropCalendar(trx, siteId);
      await repo.rollUpSite(siteId, await repo.rollUp(siteId, await repo.allQuarters(siteId), tz), tz);
    });
  }

  /**
   * Before a read from the rollups: apply what is queued for its sites when that is at most a few passes' worth and
   * say true; say false when more waits (a rebuild after switching rollups on, a large backlog arriving), so the read
   * answers from the raw readings (the same figures) instead of waiting for it, and the worker gets there meanwhile.
   */
  async catchUpForRead(siteIds: number[]): Promise<boolean> {
    if (await this.changes.queuedMoreThan(siteIds, READ_CATCH_UP_CHANGES)) return false;
    await this.catchUp(siteIds);
    return true;
  }

  /**
   * Apply every change queued now for these sites (null: all), after counting days and months again where a site's
   * time zone changed; changes that arrive meanwhile wait for the next call, so a read that catches up first is not
   * held by a stream of batches. Returns how many changes were applied.
   */
  async catchUp(siteIds: number[] | null = null): Promise<number> {
    for (const siteId of await this.changes.sitesWithOtherZone(siteIds)) await this.recountCalendar(siteId);
    let done = 0;
    for (const { siteId, lastId } of await this.changes.pendingSites(siteIds)) {
      for (let n = await this.processSite(siteId, lastId); n > 0; n = await this.processSite(siteId, lastId)) done += n;
    }
    return done;
  }

  /**
   * The quarter hours a counter's new readings change: from the one holding the reading before the first new one to
   * the one holding the reading after the last (steps spanning a gap included), merged per series.
   */
  private async counterWindows(repo: RollupWriteRepository, siteId: number, spans: SeriesWindow[]) {
    if (spans.length === 0) return [];
    const around = await repo.neighbours(siteId, spans);
    const windows = spans.map((s, i) => ({
      ...s,
      from: new Date(floorQuarter((around[i]?.prev ?? s.from).getTime())),
      to: new Date(ceilQuarter((around[i]?.next ?? s.to).getTime())),
    }));
    return mergeWindows(windows.filter((w) => w.to > w.from));
  }

  /** Compute the windows' quarter hours and notable steps from the raw readings and write them. */
  private async quarterHours(
    trx: Knex.Transaction,
    repo: RollupWriteRepository,
    siteId: number,
    windows: SeriesWindow[],
    kinds: Map<string, SeriesKind>,
  ): Promise<void> {
    if (windows.length === 0) return;
    const gapMs = this.gapSeconds * 1000;
    const byWindow = groupByWindow(
      await new CounterStepsRepository(trx).counterSteps(
        windows.map((w) => {
          const kind = kinds.get(keyOf(w));
          return { siteId, ...w, ...(kind?.kind === 'counter' ? kind.counter : {}) };
        }),
        '15m',
        'UTC',
        this.gapSeconds,
      ),
    );
    const quarters: QuarterRow[] = [];
    const events: EventRow[] = [];
    windows.forEach((w, i) => {
      const kind = kinds.get(keyOf(w));
      if (kind?.kind !== 'counter') return;
      const range = { from: w.from.getTime(), to: w.to.getTime() };
      const input = fromSteps(byWindow.get(i) ?? [], kind.counter, gapMs, range);
      const { placed } = place(input, quarterEdges(range.from, range.to), range, gapMs, 'estimate');
      for (const q of placed) {
        if (q.energy === null && q.estimatedMs === 0) continue;
        quarters.push({
          meterId: w.meterId,
          dataPoint: w.dataPoint,
          start: new Date(q.start),
          measuredKwh: q.energy ?? 0,
          measuredS: q.covered / 1000,
          estimatedKwh: q.estimated,
          estimatedS: q.estimatedMs / 1000,
        });
      }
      for (const e of input.events) {
        if (e.t0 >= range.to || e.t1 <= range.from) continue;
        events.push({ ...e, meterId: w.meterId, dataPoint: w.dataPoint, t0: new Date(e.t0), t1: new Date(e.t1) });
      }
    });
    await repo.writeQuarters(siteId, windows, quarters);
    await repo.writeEvents(siteId, windows, events);
  }
}
