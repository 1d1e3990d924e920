import type { ConsumptionBucket, ConsumptionGap, CounterReset, MeterSummary } from '@meterit/shared';
import { ENERGY_UNITS } from '../meters/meter-directory.js';
import type { StepRow } from './readings-query-repository.js';

export interface SeriesEnergy {
  total_kwh: number;
  unattributed_kwh: number;
  buckets: ConsumptionBucket[];
  gaps: ConsumptionGap[];
  resets: CounterReset[];
}

/**
 * A meter's cumulative energy counters that have readings: every data point whose unit is Wh, kWh or MWh, or
 * only `dataPoint` when one is named (then kWh unless it says otherwise), with the factor to kWh.
 */
export function energyCounters(m: MeterSummary, dataPoint?: string): { dataPoint: string; factor: number }[] {
  const out: { dataPoint: string; factor: number }[] = [];
  for (const p of m.data_points) {
    if (dataPoint !== undefined && p.name !== dataPoint) continue;
    const unit = p.latest?.unit ?? p.unit ?? (dataPoint !== undefined ? 'kWh' : null);
    const factor = unit ? ENERGY_UNITS[unit] : undefined;
    if (factor === undefined || p.latest === null) continue;
    out.push({ dataPoint: p.name, factor });
  }
  return out;
}

interface Acc {
  start: number;
  end: number;
  energy: number | null;
  covered: number;
  blocked: boolean;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Place one series' counter steps into intervals. `boundaries` are the interval starts plus the end of the
 * last one. Energy is only ever what the counter advanced: a step within the gap threshold is spread over
 * the intervals it spans in proportion to time (the meter read at both ends, so the error is at most one
 * step's worth at each edge); a gap inside one interval counts there in full (the counter is cumulative);
 * a gap across intervals is reported with its energy and left out of every interval, which are then
 * marked incomplete. Steps are clipped to [from, to).
 */
export function attributeSteps(
  steps: StepRow[],
  boundaries: number[],
  range: { from: number; to: number },
  gapMs: number,
  factor: number,
): SeriesEnergy {
  const acc: Acc[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    acc.push({
      start: boundaries[i] as number,
      end: boundaries[i + 1] as number,
      energy: null,
      covered: 0,
      blocked: false,
    });
  }
  const indexOf = (t: number): number => {
    // Last bucket whose start ≤ t (binary search); -1 outside.
    let lo = 0;
    let hi = acc.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((acc[mid] as Acc).start <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && t < (acc[found] as Acc).end ? found : -1;
  };
  const add = (i: number, energy: number, coveredMs: number) => {
    const a = acc[i] as Acc;
    a.energy = (a.energy ?? 0) + energy;
    a.covered += coveredMs;
  };
  const gaps: ConsumptionGap[] = [];
  const resets: CounterReset[] = [];
  let unattributed = 0;

  for (const s of steps) {
    const energy = s.energy * factor;
    if (!s.single) {
      const i = s.bucket ? indexOf(s.bucket.getTime()) : -1;
      // A simple row's bucket start may lie before `from` (a clipped first interval).
      const j = i >= 0 ? i : s.bucket ? indexOf(Math.max(s.bucket.getTime(), range.from)) : -1;
      if (j >= 0) add(j, energy, s.secs * 1000);
      continue;
    }
    const t0 = (s.t0 as Date).getTime();
    const t1 = (s.t1 as Date).getTime();
    if (
      s.v0 !== null &&
      s.v1 !== null &&
      s.v1 < s.v0 &&
      s.energy === s.v1 &&
      s.v0 - s.v1 > Math.max(0.001, Math.abs(s.v0) * 1e-6)
    ) {
      resets.push({ at: (s.t1 as Date).toISOString(), from_value: s.v0, to_value: s.v1 });
    }
    const lo = Math.max(t0, range.from);
    const hi = Math.min(t1, range.to);
    if (hi <= lo) continue;
    if (t1 - t0 > gapMs) {
      const i0 = indexOf(t0);
      const inOneInterval = i0 >= 0 && i0 === indexOf(t1) && t0 >= range.from && t1 < range.to;
      gaps.push({
        from: (s.t0 as Date).toISOString(),
        to: (s.t1 as Date).toISOString(),
        energy_kwh: round(energy),
        attributed: inOneInterval,
      });
      if (inOneInterval) {
        add(i0, energy, t1 - t0);
      } else {
        unattributed += energy;
        for (const a of acc) if (a.start < hi && a.end > lo) a.blocked = true;
      }
      continue;
    }
    const span = t1 - t0;
    for (let i = Math.max(0, indexOf(lo)); i < acc.length; i++) {
      const a = acc[i] as Acc;
      if (a.start >= hi) break;
      const overlap = Math.min(a.end, hi) - Math.max(a.start, lo);
      if (overlap > 0) add(i, span > 0 ? (energy * overlap) / span : 0, overlap);
    }
  }

  let total = 0;
  const buckets: ConsumptionBucket[] = acc.map((a) => {
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
  return { total_kwh: round(total), unattributed_kwh: round(unattributed), buckets, gaps, resets };
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
