export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** from/to with defaults and limits; a problem as text, or the range. */
export function resolveRange(
  a: { from?: string | undefined; to?: string | undefined },
  now: number,
  defaultMs: number,
  maxDays: number,
): { from: Date; to: Date } | { problem: string } {
  const to = a.to ? new Date(a.to) : new Date(now);
  const from = a.from ? new Date(a.from) : new Date(to.getTime() - defaultMs);
  if (from.getTime() >= to.getTime())
    return { problem: `Invalid range: from (${from.toISOString()}) must be before to (${to.toISOString()}).` };
  if (to.getTime() - from.getTime() > maxDays * DAY)
    return { problem: `Invalid range: from..to may span at most ${maxDays} days.` };
  return { from, to };
}
