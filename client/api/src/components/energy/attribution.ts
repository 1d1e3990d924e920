import type { ConsumptionBucket, ConsumptionGap, CounterReset, MeterSummary } from '@meterit/shared';
import { ENERGY_UNITS } from '../meters/meter-directory.js';
import { counterStep, stepLimit, type StepKind } from './counter-arithmetic.js';
import type { StepRow } from './counter-steps-repository.js';

export interface SeriesEnergy {
  total_kwh: number;
  unattributed_kwh: number;
  buckets: ConsumptionBucket[];
  gaps: ConsumptionGap[];
  resets: CounterReset[];
}

/**
 * How to count one counter: its unit's factor to kWh, the value it wraps at (null: detected, see wrapOf) and its
 * physical limit in kWh per hour (null or absent: none).
 */
export interface Counter {
  factor: number;
  wrapsAt: number | null;
  maxKwhPerHour?: number | null;
}

/**
 * A part of a series' energy on its way into intervals. lump: lies wholly in the interval holding `at` (the steps of
 * one bucket summed by SQL, or a rollup row); spread: one step's energy spread over [t0, t1) in proportion to time,
 * of which only [lo, hi) is counted here.
 */
export type Contribution =
  | { kind: 'lump'; at: number; kwh: number; coveredMs: number }
  | { kind: 'spread'; t0: number; t1: number; kwh: number; lo: number; hi: number };

/**
 * A step worth remembering: a gap (longer than the threshold), a reset, a rollover or an impossible step (its kWh:
 * what it would have counted). Times in ms, energy in kWh.
 */
export interface StepEvent {
  t0: number;
  t1: number;
  v0: number;
  v1: number;
  kwh: number;
  gap: boolean;
  kind: StepKind;
}

/** A series' energy before it is placed: contributions plus the notable steps (gaps are placed from these). */
export interface SeriesSteps {
  contributions: Contribution[];
  events: StepEvent[];
}

/** What one interval collected. */
export interface Placed {
  start: number;
  end: number;
  /** Measured energy, and gaps lying inside this interval alone (views); null = nothing touched it. */
  energy: number | null;
  covered: number;
  /** A gap across intervals overlaps it (views). */
  blocked: boolean;
  /** Gap energy spread by linear interpolation of the counter (estimate mode only). */
  estimated: number;
  estimatedMs: number;
}

/**
 * A meter's cumulative energy counters that have readings: every data point whose unit is Wh, kWh or MWh, or
 * only `dataPoint` when one is named (then kWh unless it says otherwise), with the factor to kWh.
 */
export function energyCounters(m: MeterSummary, dataPoint?: string): ({ dataPoint: string } & Counter)[] {
  const out: ({ dataPoint: string } & Counter)[] = [];
  for (const p of m.data_points) {
    if (dataPoint !== undefined && p.name !== dataPoint) continue;
    const unit = p.latest?.unit ?? p.unit ?? (dataPoint !== undefined ? 'kWh' : null);
    const factor = unit ? ENERGY_UNITS[unit] : undefined;
    if (factor === undefined || p.latest === null) continue;
    out.push({ dataPoint: p.name, factor, wrapsAt: p.wraps_at ?? null, maxKwhPerHour: p.max_kwh_per_hour ?? null });
  }
  return out;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Raw counter steps as contributions and events. A step within the gap threshold is spread over the intervals it
 * spans in proportion to time (the meter read at both ends, so the error is at most one step's worth at each edge),
 * clipped to `clip`; every step that is a gap, a reset or a rollover is an event (gaps are placed from events).
 */
export function fromSteps(steps: StepRow[], counter: Counter, gapMs: number, clip: { from: number; to: number }) {
  const out: SeriesSteps = { contributions: [], events: [] };
  for (const s of steps) {
    if (!s.single) {
      const at = (s.bucket as Date).getTime();
      out.contributions.push({ kind: 'lump', at, kwh: s.energy * counter.factor, coveredMs: s.secs * 1000 });
      continue;
    }
    const t0 = (s.t0 as Date).getTime();
    const t1 = (s.t1 as Date).getTime();
    const v0 = s.v0 as number;
    const v1 = s.v1 as number;
    const limit = counter.maxKwhPerHour ? stepLimit(counter.maxKwhPerHour, counter.factor, s.secs) : null;
    const step = counterStep(v0, v1, counter.wrapsAt, limit);
    const kwh = (step.rejected ?? step.energy) * counter.factor;
    const gap = t1 - t0 > gapMs;
    if (gap || step.kind === 'reset' || step.kind === 'rollover' || step.kind === 'impossible')
      out.events.push({ t0, t1, v0, v1, kwh, gap, kind: step.kind });
    if (!gap && step.kind !== 'impossible')
      out.contributions.push({ kind: 'spread', t0, t1, kwh, lo: Math.max(t0, clip.from), hi: Math.min(t1, clip.to) });
  }
  return out;
}

/** Intervals from `boundaries` (starts plus the end of the last) with a binary search for the one holding t. */
function intervals(boundaries: number[]) {
  const acc: Placed[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i] as number;
    const end = boundaries[i + 1] as number;
    acc.push({ start, end, energy: null, covered: 0, blocked: false, estimated: 0, estimatedMs: 0 });
  }
  const indexOf = (t: number): number => {
    let lo = 0;
    let hi = acc.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((acc[mid] as Placed).start <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && t < (acc[found] as Placed).end ? found : -1;
  };
  /** Each interval overlapping [lo, hi) with the overlap, for a step spanning `span` ms. */
  const overlapping = (lo: number, hi: number, visit: (a: Placed, overlap: number) => void) => {
    for (let i = Math.max(0, indexOf(lo)); i < acc.length; i++) {
      const a = acc[i] as Placed;
      if (a.start >= hi) break;
      const overlap = Math.min(a.end, hi) - Math.max(a.start, lo);
      if (overlap > 0) visit(a, overlap);
    }
  };
  return { acc, indexOf, overlapping };
}

/**
 * Place one series' contributions and gaps into intervals (`boundaries`: starts plus the end of the last), counted
 * over `range` only. views: a gap inside one interval counts there in full (the counter is cumulative); a gap across
 * intervals is reported with its energy and left out of every interval, which are then marked incomplete.
 * estimate: a gap's energy is spread over the intervals it spans by linear interpolation of the counter, kept apart
 * as estimated (the rollups' quarter hours).
 */
export function place(
  input: SeriesSteps,
  boundaries: number[],
  range: { from: number; to: number },
  gapMs: number,
  mode: 'views' | 'estimate' = 'views',
): { placed: Placed[]; gaps: ConsumptionGap[]; unattributed: number } {
  const { acc, indexOf, overlapping } = intervals(boundaries);
  const add = (a: Placed, energy: number, coveredMs: number) => {
    a.energy = (a.energy ?? 0) + energy;
    a.covered += coveredMs;
  };
  for (const c of input.contributions) {
    if (c.kind === 'lump') {
      // A lump's bucket start may lie before `from` (a clipped first interval).
      const i = indexOf(c.at);
      const j = i >= 0 ? i : indexOf(Math.max(c.at, range.from));
      if (j >= 0) add(acc[j] as Placed, c.kwh, c.coveredMs);
      continue;
    }
    const lo = Math.max(c.lo, range.from);
    const hi = Math.min(c.hi, range.to);
    if (hi <= lo) continue;
    const span = c.t1 - c.t0;
    overlapping(lo, hi, (a, overlap) => add(a, span > 0 ? (c.kwh * overlap) / span : 0, overlap));
  }
  const gaps: ConsumptionGap[] = [];
  let unattributed = 0;
  for (const e of input.events) {
    if (!e.gap && e.kind !== 'impossible') continue;
    const lo = Math.max(e.t0, range.from);
    const hi = Math.min(e.t1, range.to);
    if (hi <= lo) continue;
    // An impossible step counts nowhere, estimated or not; the intervals it spans lack its (unknown) true energy.
    if (e.kind === 'impossible') {
      if (mode === 'views') overlapping(lo, hi, (a) => (a.blocked = true));
      continue;
    }
    const span = e.t1 - e.t0;
    if (mode === 'estimate') {
      overlapping(lo, hi, (a, overlap) => {
        a.estimated += (e.kwh * overlap) / span;
        a.estimatedMs += overlap;
      });
      continue;
    }
    const i0 = indexOf(e.t0);
    const inOneInterval = i0 >= 0 && i0 === indexOf(e.t1) && e.t0 >= range.from && e.t1 < range.to;
    gaps.push({
      from: new Date(e.t0).toISOString(),
      to: new Date(e.t1).toISOString(),
      energy_kwh: round(e.kwh),
      attributed: inOneInterval,
    });
    if (inOneInterval) {
      add(acc[i0] as Placed, e.kwh, span);
    } else {
      unattributed += e.kwh;
      overlapping(lo, hi, (a) => (a.blocked = true));
    }
  }
  return { placed: acc, gaps, unattributed };
}

/** The counter resets among a series' notable steps, as the answers list them (rollovers count as advances). */
export function resetsOf(events: StepEvent[]): CounterReset[] {
  return events
    .filter((e) => e.kind === 'reset')
    .map((e) => ({ at: new Date(e.t1).toISOString(), from_value: e.v0, to_value: e.v1 }));
}

/** A series' energy per interval as the views answer it: buckets with coverage and completeness, gaps and resets. */
export function seriesEnergy(
  input: SeriesSteps,
  boundaries: number[],
  range: { from: number; to: number },
  gapMs: number,
): SeriesEnergy {
  const { placed, gaps, unattributed } = place(input, boundaries, range, gapMs);
  let total = 0;
  const buckets: ConsumptionBucket[] = placed.map((a) => {
    const clipped = Math.max(0, Math.min(a.end, range.to) - Math.max(a.start, range.from));
    const coverage = clipped > 0 ? Math.min(1, a.covered / clipped) : 0;
    if (a.energy !== null) total += a.energy;
    return {
      start: new Date(a.start).toISOString(),
      end: new Date(a.end).toISOString(),
      energy_kwh: a.energy === null ? null : round(a.energy),
      coverage: Math.round(coverage * 1000) / 1000,
      // One reading interval's worth missing at the edges still counts as complete.
      complete: a.energy !== null && !a.blocked && a.covered >= clipped - gapMs,
    };
  });
  return {
    total_kwh: round(total),
    unattributed_kwh: round(unattributed),
    buckets,
    gaps,
    resets: resetsOf(input.events),
  };
}

/**
 * Place one series' raw counter steps into intervals (see fromSteps and place). Steps are clipped to [from, to).
 */
export function attributeSteps(
  steps: StepRow[],
  boundaries: number[],
  range: { from: number; to: number },
  gapMs: number,
  counter: Counter,
): SeriesEnergy {
  return seriesEnergy(fromSteps(steps, counter, gapMs, range), boundaries, range, gapMs);
}

/** Sum series per interval; an interval is complete only when every series is. */
export function sumBuckets(list: ConsumptionBucket[][]): ConsumptionBucket[] {
  const first = list[0];
  if (!first) return [];
  return first.map((b, i) => {
    const parts = list.map((l) => l[i] as ConsumptionBucket);
    const known = parts.filter((p) => p.energy_kwh !== null);
    return {
      start: b.start,
      end: b.end,
      energy_kwh: known.length === 0 ? null : round(known.reduce((s, p) => s + (p.energy_kwh as number), 0)),
      coverage: Math.round((parts.reduce((s, p) => s + p.coverage, 0) / parts.length) * 1000) / 1000,
      complete: parts.every((p) => p.complete),
    };
  });
}
