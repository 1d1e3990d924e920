import { describe, expect, it } from 'vitest';
import type { EnergyBucket, EnergyPeriod } from '@meterit/shared';
import { combinedTotal, energyParams, fmtChange, periodStart, periodTotal } from '../src/pages/energy/energy-periods';
import { costChoiceFrom, costRange, monthStart } from '../src/pages/costs/cost-periods';
import { parseRoute } from '../src/route-parse';

// Local times: the test runs in whatever zone the machine has, and so does the app (the viewer's zone).
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);

describe('when the energy views choose their periods', () => {
  it('then the range starts at local midnight, on a Monday, or on the first of the month, that many intervals back', () => {
    const thursday = local(2026, 12, 3, 15, 20);
    expect(periodStart('day', 7, thursday)).toEqual(local(2026, 11, 27));
    expect(periodStart('week', 1, thursday)).toEqual(local(2026, 11, 30));
    expect(periodStart('week', 4, thursday)).toEqual(local(2026, 11, 9));
    expect(periodStart('week', 1, local(2026, 11, 30, 0, 5))).toEqual(local(2026, 11, 30));
    expect(periodStart('week', 1, local(2026, 12, 6, 23))).toEqual(local(2026, 11, 30));
    expect(periodStart('month', 3, thursday)).toEqual(local(2026, 10, 1));
    expect(periodStart('month', 12, local(2026, 3, 31))).toEqual(local(2025, 4, 1));
    expect(energyParams({ interval: 'week', count: 4, compare: true }, 'UTC', thursday)).toEqual({
      interval: 'week',
      from: local(2026, 11, 9).toISOString(),
      to: thursday.toISOString(),
      compare: 'previous',
      tz: 'UTC',
    });
  });

  it('then a change reads with its sign, and /energy is the energy page', () => {
    expect(fmtChange(19.3)).toBe('+19.3 %');
    expect(fmtChange(-4)).toBe('−4 %');
    expect(fmtChange(0)).toBe('±0 %');
    expect(fmtChange(null)).toBe('—');
    expect(parseRoute('/energy')).toEqual({ page: 'energy' });
  });

  it('then a period without a single reading reads as no data, not 0 kWh, and one with gaps as data missing', () => {
    const bucket = (energy_kwh: number | null, complete = true): EnergyBucket => ({
      start: '2026-11-30T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
      energy_kwh,
      coverage: energy_kwh === null ? 0 : 1,
      complete,
      peak: null,
      base_load: null,
    });
    // As the API answers it: total 0 over intervals that are all null.
    const period = (total_kwh: number, buckets: EnergyBucket[]): EnergyPeriod => ({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      total_kwh,
      unattributed_kwh: 0,
      peak: null,
      base_load: null,
      buckets,
      gaps: [],
      resets: [],
    });
    const empty = period(0, [bucket(null, false), bucket(null, false)]);
    const gappy = period(12, [bucket(null, false), bucket(12)]);
    const whole = period(0, [bucket(0), bucket(0)]);
    expect(periodTotal(empty)).toEqual({ kwh: null, note: 'no data' });
    expect(periodTotal(gappy)).toEqual({ kwh: 12, note: 'data missing' });
    expect(periodTotal(whole)).toEqual({ kwh: 0, note: null });
    expect(periodTotal(null)).toEqual({ kwh: null, note: null });
    expect(combinedTotal([empty, empty], 0)).toEqual({ kwh: null, note: 'no data' });
    expect(combinedTotal([empty, gappy], 12)).toEqual({ kwh: 12, note: null });
  });
});

describe('when the costs view chooses its billing months', () => {
  const berlin = 'Europe/Berlin';
  const now = Date.parse('2025-04-15T10:00:00Z');
  const q = (s: string) => new URLSearchParams(s);

  it('then months start at local midnight of the site, also across a DST change, and never run past now', () => {
    expect(new Date(monthStart(2025, 4, berlin)).toISOString()).toBe('2025-03-31T22:00:00.000Z');
    expect(new Date(monthStart(2025, 3, berlin)).toISOString()).toBe('2025-02-28T23:00:00.000Z');
    expect(new Date(monthStart(2025, 13, 'America/New_York')).toISOString()).toBe('2026-01-01T05:00:00.000Z');
    const range = (s: string) => costRange(costChoiceFrom(q(s), berlin, now), berlin, now);
    expect(range('')).toEqual({ from: '2025-03-31T22:00:00.000Z', to: '2025-04-15T10:00:00.000Z' });
    expect(range('period=last-month')).toEqual({ from: '2025-02-28T23:00:00.000Z', to: '2025-03-31T22:00:00.000Z' });
    expect(range('period=this-year')).toEqual({ from: '2024-12-31T23:00:00.000Z', to: '2025-04-15T10:00:00.000Z' });
    expect(range('period=custom&from=2025-01&to=2025-02')).toEqual({
      from: '2024-12-31T23:00:00.000Z',
      to: '2025-02-28T23:00:00.000Z',
    });
  });

  it('then a hand-edited address falls back to this month, and /sites/7/costs is the costs page', () => {
    expect(costChoiceFrom(q('period=decade&from=2025-13&to=x'), berlin, now)).toEqual({
      period: 'this-month',
      from: '2025-04',
      to: '2025-04',
    });
    expect(costChoiceFrom(q('period=custom&from=2025-03&to=2025-01'), berlin, now).to).toBe('2025-03');
    expect(parseRoute('/sites/7/costs')).toEqual({ page: 'site-costs', id: 7 });
  });
});
