import { describe, expect, it } from 'vitest';
import { ago, duration, hours, value } from '../src/lib/format';

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
});
