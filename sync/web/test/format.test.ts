import { describe, expect, it } from 'vitest';
import { ago, duration, hours, timeTick, value, valueTick } from '../src/lib/format';

describe('how the dashboard words numbers and times', () => {
  it('when a duration is shown, then it uses the largest sensible unit', () => {
    expect(duration(45_000)).toBe('45 s');
    expect(duration(12 * 60_000)).toBe('12 min');
    expect(duration((3 * 60 + 5) * 60_000)).toBe('3 h 5 min');
    expect(duration(49 * 3600_000)).toBe('2 days 1 h');
  });

  it('when a time is in the past, then it reads as "… ago", and nothing reads as "never"', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(ago('2026-11-21T11:57:00Z', now)).toBe('3 min ago');
    expect(ago('2026-11-21T11:59:58Z', now)).toBe('just now');
    expect(ago(null, now)).toBe('never');
  });

  it('when a value is shown, then it has a precision fitting its size, and its unit', () => {
    expect(value(null, 'kW')).toBe('—');
    expect(value(230.04, 'V')).toMatch(/^230[.,]0 V$/);
    expect(value(0.1234, 'A')).toMatch(/^0[.,]123 A$/);
    expect(hours(null)).toBe('not growing');
    expect(hours(100)).toBe('4 days');
  });

  it('when a chart holds only minutes of data, then ticks half a minute apart read differently; over hours, without seconds', () => {
    const t0 = Date.parse('2026-12-07T22:00:00Z');
    const at = (ms: number) => new Date(t0 + ms);
    const fresh = timeTick([at(0), at(5 * 60_000)]);
    expect(fresh(at(30_000))).not.toBe(fresh(at(60_000)));
    const day = timeTick([at(0), at(24 * 3_600_000)]);
    expect(day(at(0))).toBe(day(at(30_000)));
    expect(day(at(0))).not.toBe(day(at(3_600_000)));
  });

  it("when a chart's values move little, then its value ticks still read differently; over a wide span they stay short", () => {
    const kw = valueTick([55.78, 55.84]);
    expect(new Set([55.78, 55.79, 55.8, 55.81].map(kw)).size).toBe(4);
    const kwh = valueTick([1_494_673, 1_494_680]);
    expect(kwh(1_494_674)).not.toBe(kwh(1_494_675));
    const day = valueTick([20, 60, null]);
    expect(day(20)).toBe('20');
    expect(valueTick([100_000, 900_000])(300_000)).toBe('300K');
  });
});
