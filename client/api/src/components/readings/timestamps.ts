import { LIMITS, parseStrictIso } from '@meterit/shared';

export { parseStrictIso };

/** Readings before this are certainly a meter or agent clock fault. */
export const EARLIEST_READING_TIME = Date.UTC(2000, 0, 1);

/** Why a well-formed reading timestamp is out of range for the server's clock (`nowMs`), or undefined. */
export function readingTimeProblem(v: string, nowMs: number): string | undefined {
  const parsed = parseStrictIso(v);
  if ('problem' in parsed) return `timestamp ${parsed.problem}`;
  if (parsed.ms < EARLIEST_READING_TIME)
    return `timestamp ${v} is before 2000-01-01; the meter or agent clock is wrong`;
  if (parsed.ms > nowMs + LIMITS.maxFutureSkewMs) {
    return `timestamp ${v} is more than ${LIMITS.maxFutureSkewMs / 3_600_000} h ahead of the server clock (${new Date(nowMs).toISOString()})`;
  }
  return undefined;
}
