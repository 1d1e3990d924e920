import { describe, expect, it } from 'vitest';
import { energyParams, fmtChange, periodStart } from '../src/pages/energy/energy-periods';
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
});
