import { isTimeZone, type ConsumptionInterval, type ReadingBucket } from '@meterit/shared';

/** A time zone name both JavaScript and PostgreSQL know (IANA). */
export { isTimeZone };

/** Fixed-width buckets are aligned to this instant (UTC midnight, so 1 h and 15 min buckets start on the hour). */
export const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';

export const BUCKET_MS: Record<Exclude<ReadingBucket, 'raw'>, number> = {
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/**
 * The SQL expression that maps a timestamptz column to its bucket start, with its bindings.
 * Days follow the viewer's time zone (DST days are 23 or 25 h long); shorter buckets are fixed width.
 * Only whitelisted text reaches the SQL; the interval and zone are bound parameters.
 */
export function bucketSql(
  column: string,
  bucket: Exclude<ReadingBucket, 'raw'> | ConsumptionInterval,
  tz: string,
): { sql: string; bindings: (string | number)[] } {
  if (!/^[a-z_][a-z0-9_.]*$/.test(column)) throw new Error(`bad column ${column}`);
  if (bucket === '1d') return { sql: `date_trunc('day', ${column}, ?)`, bindings: [tz] };
  return {
    sql: `date_bin(?::interval, ${column}, ?::timestamptz)`,
    bindings: [`${BUCKET_MS[bucket] / 1000} seconds`, BUCKET_ORIGIN],
  };
}
