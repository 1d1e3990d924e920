import { describe, expect, it } from 'vitest';
import { autoBucket, fmtDuration } from '../src/format';
import { parseRoute } from '../src/route-parse';

describe('when the app chooses a bucket and parses a page address', () => {
  it('then a range keeps its chart between tens and about a thousand points, and every page path maps to its page', () => {
    expect(autoBucket(6 * 3_600_000)).toBe('1m');
    expect(autoBucket(86_400_000)).toBe('15m');
    expect(autoBucket(7 * 86_400_000)).toBe('1h');
    expect(autoBucket(30 * 86_400_000)).toBe('1d');
    expect(fmtDuration(42)).toBe('42 s');
    expect(fmtDuration(600)).toBe('10 min');
    expect(parseRoute('/sites/12')).toEqual({ page: 'site', id: 12 });
    expect(parseRoute('/meters/3')).toEqual({ page: 'meter', id: 3 });
    expect(parseRoute('/admin/users')).toEqual({ page: 'users' });
    expect(parseRoute('/profile')).toEqual({ page: 'profile' });
    expect(parseRoute('/nope')).toEqual({ page: 'not-found' });
  });
});
