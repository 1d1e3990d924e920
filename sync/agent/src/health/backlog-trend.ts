import type { BacklogTrend } from '@meterit/shared/site-contracts';

/** One sample of the upload queue's depth. */
export interface BacklogSample {
  at: number;
  count: number;
}

/** How far back the trend looks: three sync intervals, at least a minute. */
export function trendWindowMs(syncIntervalMs: number): number {
  return Math.max(3 * syncIntervalMs, 60_000);
}

/**
 * Whether the backlog grows: the window before `now` is cut in halves; it grows when even the lowest count of the
 * recent half is above the highest of the earlier half, and shrinks the other way round. A queue that fills between
 * syncs and empties at each one rises and falls within each half, so it is steady, not growing. Pure; samples are
 * oldest first, and each half needs two of them, else the trend is unknown. Answers the span it compared.
 */
export function backlogTrend(
  samples: readonly BacklogSample[],
  now: number,
  windowMs: number,
): { trend: BacklogTrend; windowMs: number } {
  // Shortly after the first start the history is shorter than the window: compare the halves of what there is.
  const oldest = samples[0]?.at ?? now;
  const span = Math.min(windowMs, Math.max(0, now - oldest));
  const mid = now - span / 2;
  const earlier = samples.filter((s) => s.at >= now - span && s.at < mid).map((s) => s.count);
  const recent = samples.filter((s) => s.at >= mid && s.at <= now).map((s) => s.count);
  const trend: BacklogTrend =
    earlier.length < 2 || recent.length < 2
      ? 'unknown'
      : Math.min(...recent) > Math.max(...earlier)
        ? 'growing'
        : Math.max(...recent) < Math.min(...earlier)
          ? 'shrinking'
          : 'steady';
  return { trend, windowMs: span };
}
