import { describe, expect, it } from 'vitest';
import {
  readingsRequestSchema,
  retryDeadLettersRequestSchema,
  seriesRequestSchema,
  syncLogRequestSchema,
} from '../src/site-contracts.js';

/** The messages of a refused request, as `field: message`. */
const refused = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('site contracts: the local API reads its query parameters', () => {
  it('when a time is an ISO-8601 calendar date or date-time, then it reads as that instant; a week date, a day the month lacks or words are refused', () => {
    const at = (from: string) => readingsRequestSchema.parse({ from }).from?.toISOString();
    expect(at('2026-11-21T10:00:00Z')).toBe('2026-11-21T10:00:00.000Z');
    expect(at('2026-11-21T10:00+02:00')).toBe('2026-11-21T08:00:00.000Z');
    expect(at('2026-11-21T10:00:00.250+0100')).toBe('2026-11-21T09:00:00.250Z');
    expect(at('2028-02-29')).toBe('2028-02-29T00:00:00.000Z');
    for (const from of [
      '2026-W47',
      '2026-325',
      '2026-02-30',
      '2026-02-30T00:00:00Z',
      '2026-11-21T10Z',
      'yesterday',
      '',
    ])
      expect(refused(readingsRequestSchema.safeParse({ from })), from).toEqual([
        'from: must be an ISO-8601 time such as 2026-11-21T10:00:00Z',
      ]);
  });

  it('when numbers and flags come as text, then decimal digits within the limits and true/false are read; anything else names its limits', () => {
    expect(syncLogRequestSchema.parse({ limit: '+7', failures_only: 'true' })).toEqual({
      limit: 7,
      failures_only: true,
    });
    expect(refused(syncLogRequestSchema.safeParse({ limit: '0x10', failures_only: 'yes' }))).toEqual([
      'limit: must be an integer from 1 to 500',
      'failures_only: must be true or false',
    ]);
    expect(refused(seriesRequestSchema.safeParse({ buckets: '1' }))).toEqual([
      'meter: is required',
      'buckets: must be an integer from 2 to 2000',
    ]);
    expect(readingsRequestSchema.parse({ meter: '  SIM-4101 ', limit: '10000' })).toEqual({
      meter: 'SIM-4101',
      limit: 10000,
    });
  });

  it('when text holds NUL or a lone surrogate, or ids are not positive integers, then each is refused by name', () => {
    expect(refused(readingsRequestSchema.safeParse({ meter: 'a\u0000b', point: 'x\ud800' }))).toEqual([
      'meter: contains a character that cannot be used (NUL \\u0000 or a lone UTF-16 surrogate)',
      'point: contains a character that cannot be used (NUL \\u0000 or a lone UTF-16 surrogate)',
    ]);
    expect(refused(retryDeadLettersRequestSchema.safeParse({ ids: [1, 0, 2.5, 'x'] }))).toEqual([
      'ids.1: must be a dead letter id (a positive integer)',
      'ids.2: must be a dead letter id (a positive integer)',
      'ids.3: must be a dead letter id (a positive integer)',
    ]);
    expect(refused(retryDeadLettersRequestSchema.safeParse({ ids: [] }))).toEqual([
      'ids: must be a list of 1 to 10000 dead letter ids',
    ]);
  });
});
