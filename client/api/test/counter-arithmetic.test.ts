// The energy arithmetic on hand-computed cases: what one counter step counts (advance, noise, reset, rollover), and
// how steps, gaps and lumps land in intervals (views and rollup estimates), DST days included. Pure functions only.
import { describe, expect, it } from 'vitest';
import { counterStep, stepLimit, wrapOf } from '../src/components/energy/counter-arithmetic.js';
import { attributeSteps, fromSteps, place, seriesEnergy } from '../src/components/energy/attribution.js';
import type { StepRow } from '../src/components/energy/counter-steps-repository.js';
import { planSegments, fixedCover, edgeCover, HOUR_MS, QUARTER_MS } from '../src/components/energy/quarters.js';

const T = (iso: string) => Date.parse(iso);
const KWH = { factor: 1, wrapsAt: null };

/** A single step as counterSteps returns it (both readings). */
function step(t0: string, v0: number, t1: string, v1: number): StepRow {
  const a = new Date(t0);
  const b = new Date(t1);
  return {
    site_id: 1,
    meter_id: 1,
    data_point: 'total_kwh',
    window: 0,
    bucket: null,
    t0: a,
    t1: b,
    v0,
    v1,
    energy: v1 - v0,
    secs: (b.getTime() - a.getTime()) / 1000,
    single: true,
  };
}

/** Readings every `minutes` from `from`, the counter advancing `perStep` each time, as single steps. */
function steady(from: string, count: number, minutes: number, start: number, perStep: number): StepRow[] {
  const out: StepRow[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = new Date(T(from) + i * minutes * 60_000).toISOString();
    const t1 = new Date(T(from) + (i + 1) * minutes * 60_000).toISOString();
    out.push(step(t0, start + i * perStep, t1, start + (i + 1) * perStep));
  }
  return out;
}

describe('when one counter step is counted', () => {
  it('then an advance counts v1 − v0 and a drop within float noise counts nothing', () => {
    expect(counterStep(100, 104.5)).toEqual({ energy: 4.5, kind: 'advance' });
    // 1 234 567.8 as a 32-bit REAL comes back 0.05 lower: noise (≤ 1e-6 of the value), not a reset.
    expect(counterStep(1_234_567.85, 1_234_567.8)).toEqual({ energy: 0, kind: 'noise' });
  });

  it('then a reset (the counter restarts near 0) counts the new value: what it advanced since the restart', () => {
    expect(counterStep(5000, 3)).toEqual({ energy: 3, kind: 'reset' });
    // A restart from a counter far below any wrap value is never a rollover.
    expect(counterStep(3_000_000, 1200)).toEqual({ energy: 1200, kind: 'reset' });
  });

  it('then a configured 32-bit wrap counts (2^32 − v0) + v1, and a drop far from it is still a reset', () => {
    const wrap = 2 ** 32;
    // 4 294 966 796 → 200: 500 units to the wrap and 200 after it.
    expect(counterStep(4_294_966_796, 200, wrap)).toEqual({ energy: 700, kind: 'rollover' });
    // 10 000 → 5 with wraps_at 2^32 would be 4.29 billion units in one step: a reset.
    expect(counterStep(10_000, 5, wrap)).toEqual({ energy: 5, kind: 'reset' });
  });

  it('then without a configured wrap a drop from within 1 % below 2^16, 2^32 or a power of ten is a rollover', () => {
    expect(wrapOf(4_294_960_000, 1200, null)).toBe(2 ** 32);
    expect(counterStep(4_294_960_000, 1200)).toEqual({ energy: 8496, kind: 'rollover' });
    expect(counterStep(65_500, 20)).toEqual({ energy: 56, kind: 'rollover' });
    expect(counterStep(999_990, 5)).toEqual({ energy: 15, kind: 'rollover' });
    // 2 % below 10^6 is too far: a reset.
    expect(counterStep(980_000, 5)).toEqual({ energy: 5, kind: 'reset' });
  });
});

describe('when steps are placed into intervals', () => {
  const hours = [T('2025-06-01T00:00:00Z'), T('2025-06-01T01:00:00Z'), T('2025-06-01T02:00:00Z')];
  const range = { from: hours[0]!, to: hours[2]! };

  it('then a step across an interval edge is split in proportion to time', () => {
    // 00:40 → 01:10 advances 3 kWh: 20 min (2 kWh) before 01:00, 10 min (1 kWh) after (gap threshold 60 min).
    const e = attributeSteps(
      [step('2025-06-01T00:40:00Z', 10, '2025-06-01T01:10:00Z', 13)],
      hours,
      range,
      HOUR_MS,
      KWH,
    );
    expect(e.buckets.map((b) => b.energy_kwh)).toEqual([2, 1]);
    expect(e.total_kwh).toBe(3);
  });

  it('then a reset and a configured rollover count what the counter advanced, and only the reset is reported', () => {
    const wh = { factor: 0.001, wrapsAt: 2 ** 32 };
    const steps = [
      step('2025-06-01T00:00:00Z', 4_294_966_296, '2025-06-01T00:15:00Z', 4_294_966_796), // +500 Wh
      step('2025-06-01T00:15:00Z', 4_294_966_796, '2025-06-01T00:30:00Z', 200), // wraps: +700 Wh
      step('2025-06-01T00:30:00Z', 200, '2025-06-01T00:45:00Z', 900), // +700 Wh
      step('2025-06-01T00:45:00Z', 900, '2025-06-01T01:00:00Z', 50), // reset: +50 Wh
    ];
    const e = attributeSteps(steps, hours, range, 900_000, wh);
    expect(e.buckets[0]!.energy_kwh).toBe(1.95);
    expect(e.resets).toEqual([{ at: '2025-06-01T01:00:00.000Z', from_value: 900, to_value: 50 }]);
    expect(fromSteps(steps, wh, 900_000, range).events.map((x) => x.kind)).toEqual(['rollover', 'reset']);
  });

  it('then a gap inside one interval counts there, and a gap across intervals is left out of the views', () => {
    // Gap 00:10 → 00:50 (+4) lies inside hour 0; gap 00:50 → 01:30 (+4) spans hours 0 and 1.
    const steps = [
      step('2025-06-01T00:00:00Z', 0, '2025-06-01T00:10:00Z', 1),
      step('2025-06-01T00:10:00Z', 1, '2025-06-01T00:50:00Z', 5),
      step('2025-06-01T00:50:00Z', 5, '2025-06-01T01:30:00Z', 9),
      step('2025-06-01T01:30:00Z', 9, '2025-06-01T01:40:00Z', 10),
    ];
    const e = attributeSteps(steps, hours, range, 900_000, KWH);
    expect(e.buckets.map((b) => [b.energy_kwh, b.complete])).toEqual([
      [5, false],
      [1, false],
    ]);
    expect(e.unattributed_kwh).toBe(4);
    expect(e.gaps.map((g) => [g.from.slice(11, 16), g.energy_kwh, g.attributed])).toEqual([
      ['00:10', 4, true],
      ['00:50', 4, false],
    ]);
  });

  it('then the rollups estimate a gap by linear interpolation of the counter over the quarter hours it spans', () => {
    // 00:00 → 01:00 every 15 min (+1 kWh each), then nothing until 02:00 (+3 kWh): 0.75 kWh estimated per quarter.
    const steps = [
      ...steady('2025-06-01T00:00:00Z', 4, 15, 0, 1),
      step('2025-06-01T01:00:00Z', 4, '2025-06-01T02:00:00Z', 7),
    ];
    const quarters = Array.from({ length: 9 }, (_, i) => hours[0]! + i * QUARTER_MS);
    const { placed } = place(fromSteps(steps, KWH, 900_000, range), quarters, range, 900_000, 'estimate');
    expect(placed.map((q) => [q.energy, q.covered / 60_000, q.estimated, q.estimatedMs / 60_000])).toEqual([
      [1, 15, 0, 0],
      [1, 15, 0, 0],
      [1, 15, 0, 0],
      [1, 15, 0, 0],
      [null, 0, 0.75, 15],
      [null, 0, 0.75, 15],
      [null, 0, 0.75, 15],
      [null, 0, 0.75, 15],
    ]);
  });

  it('then a DST day holds 23 or 25 hours of energy: a steady 1 kW is 23 kWh on 30 March and 25 kWh on 26 October in Berlin', () => {
    // Berlin days as the calendar SQL gives them: 30 March 2025 from 29 March 23:00 UTC to 30 March 22:00 UTC.
    const days: [string, string, number][] = [
      ['2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z', 23],
      ['2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z', 25],
    ];
    for (const [start, end, hoursLong] of days) {
      const steps = steady(start, hoursLong * 4, 15, 0, 0.25);
      const e = attributeSteps(steps, [T(start), T(end)], { from: T(start), to: T(end) }, 900_000, KWH);
      expect(e.buckets).toEqual([expect.objectContaining({ energy_kwh: hoursLong, complete: true, coverage: 1 })]);
    }
  });

  it('then rollup lumps and stored gaps give the same intervals as the raw steps they came from', () => {
    // Hour 0 from a lump (what a rollup row holds: 4 kWh measured over 60 min), the gap 01:00 → 02:00 as a stored event.
    const raw = [
      ...steady('2025-06-01T00:00:00Z', 4, 15, 0, 1),
      step('2025-06-01T01:00:00Z', 4, '2025-06-01T02:00:00Z', 7),
    ];
    const fromRaw = attributeSteps(raw, hours, range, 900_000, KWH);
    const events = fromSteps(raw, KWH, 900_000, range).events;
    const fromRollups = seriesEnergy(
      { contributions: [{ kind: 'lump', at: hours[0]!, kwh: 4, coveredMs: HOUR_MS }], events },
      hours,
      range,
      900_000,
    );
    expect(fromRollups).toEqual(fromRaw);
  });
});

describe('when a range is split into stretches read at different grains', () => {
  it('then whole days come from days, whole hours and quarter hours around them, and less than a quarter hour raw', () => {
    const day = (d: string) => T(`2025-06-${d}T00:00:00Z`);
    const plan = planSegments({ from: T('2025-06-01T22:07:00Z'), to: T('2025-06-04T01:40:00Z') }, [
      { grain: 'day', cover: edgeCover([day('01'), day('02'), day('03'), day('04'), day('05')]) },
      { grain: 'hour', cover: fixedCover(HOUR_MS) },
      { grain: 'quarter', cover: fixedCover(QUARTER_MS) },
    ]);
    const iso = (spans: { from: number; to: number }[] | undefined) =>
      (spans ?? []).map(
        (s) => `${new Date(s.from).toISOString().slice(8, 16)}–${new Date(s.to).toISOString().slice(8, 16)}`,
      );
    expect(iso(plan.get('day'))).toEqual(['02T00:00–04T00:00']);
    expect(iso(plan.get('hour'))).toEqual(['01T23:00–02T00:00', '04T00:00–04T01:00']);
    expect(iso(plan.get('quarter'))).toEqual(['01T22:15–01T23:00', '04T01:00–04T01:30']);
    expect(iso(plan.get('raw'))).toEqual(['01T22:07–01T22:15', '04T01:30–04T01:40']);
  });
});

describe('when a counter has a physical limit (max_kwh_per_hour)', () => {
  it('then its limit for a step is the hourly limit times the step’s hours, at least one minute’s worth', () => {
    // 60 kWh per hour: 15 kWh in 15 minutes, 15 000 in a Wh counter, and 1 kWh for a 10-second step (a minute's).
    expect(stepLimit(60, 1, 900)).toBe(15);
    expect(stepLimit(60, 0.001, 900)).toBeCloseTo(15_000, 9);
    expect(stepLimit(60, 1, 10)).toBe(1);
  });

  it('then a step above it is impossible and counts nothing, and a step at it counts', () => {
    expect(counterStep(100, 115, null, 15)).toEqual({ energy: 15, kind: 'advance' });
    expect(counterStep(100, 116, null, 15)).toEqual({ energy: 0, kind: 'impossible', rejected: 16 });
    // A restart that would count more than the rating allows is impossible too (a swapped meter's own count).
    expect(counterStep(5000, 40, null, 15)).toEqual({ energy: 0, kind: 'impossible', rejected: 40 });
    expect(counterStep(5000, 3, null, 15)).toEqual({ energy: 3, kind: 'reset' });
  });

  it('then a spike (a corrupt read and the way back) is two impossible steps, left out, the hour incomplete', () => {
    const hours = [T('2025-06-01T00:00:00Z'), T('2025-06-01T01:00:00Z'), T('2025-06-01T02:00:00Z')];
    const range = { from: hours[0]!, to: hours[2]! };
    const limited = { ...KWH, maxKwhPerHour: 60 }; // 15 kWh per quarter hour
    const steps = [
      step('2025-06-01T00:00:00Z', 100, '2025-06-01T00:15:00Z', 110), // +10
      step('2025-06-01T00:15:00Z', 110, '2025-06-01T00:30:00Z', 99_999), // +99 889: impossible
      step('2025-06-01T00:30:00Z', 99_999, '2025-06-01T00:45:00Z', 130), // a "reset" counting 130: impossible
      step('2025-06-01T00:45:00Z', 130, '2025-06-01T01:00:00Z', 140), // +10
    ];
    const input = fromSteps(steps, limited, 900_000, range);
    expect(input.events.map((x) => [x.kind, x.kwh])).toEqual([
      ['impossible', 99_889],
      ['impossible', 130],
    ]);
    const e = attributeSteps(steps, hours, range, 900_000, limited);
    expect(e.buckets.map((b) => [b.energy_kwh, b.complete])).toEqual([
      [20, false],
      [null, false],
    ]);
    expect(e.resets).toEqual([]);
    expect(e.gaps).toEqual([]);
    // The rollups keep the quarter hours around the spike measured and estimate nothing for it.
    const quarters = Array.from({ length: 5 }, (_, i) => hours[0]! + i * QUARTER_MS);
    const { placed } = place(input, quarters, { from: hours[0]!, to: hours[1]! }, 900_000, 'estimate');
    expect(placed.map((q) => [q.energy, q.estimated])).toEqual([
      [10, 0],
      [null, 0],
      [null, 0],
      [10, 0],
    ]);
  });
});
