import { LIMITS } from '@meterit/shared';

/** Readings before this are certainly a meter or agent clock fault. */
export const EARLIEST_READING_TIME = Date.UTC(2000, 0, 1);

// Strict ISO-8601: date, 'T', time with seconds, up to microseconds (PostgreSQL's precision), and a zone.
const ISO_FORMAT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** The instant of a strict ISO-8601 timestamp with zone, or a reason it is not one. */
export function parseStrictIso(v: string): { ms: number } | { problem: string } {
  const m = ISO_FORMAT.exec(v);
  if (!m) {
    return {
      problem:
        'must be an ISO-8601 timestamp with seconds and a time zone, e.g. 2025-01-31T12:00:00.000Z (at most 6 fractional digits)',
    };
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    calendar.getUTCFullYear() !== y ||
    calendar.getUTCMonth() !== mo - 1 ||
    calendar.getUTCDate() !== d ||
    calendar.getUTCHours() !== h ||
    calendar.getUTCMinutes() !== mi ||
    calendar.getUTCSeconds() !== s
  ) {
    return { problem: 'is not a real calendar date and time' };
  }
  if (m[9] !== undefined && (Number(m[10]) > 14 || Number(m[11]) > 59))
    return { problem: 'has an impossible UTC offset' };
  const ms = Date.parse(v.replace(/\.(\d{1,6})/, (_f, frac: string) => `.${frac.padEnd(3, '0').slice(0, 3)}`));
  if (Number.isNaN(ms)) return { problem: 'could not be parsed as a date' };
  return { ms };
}

/** Why a reading timestamp is unacceptable, or undefined. `nowMs` is the server's clock. */
export function readingTimestampProblem(v: unknown, nowMs: number): string | undefined {
  if (v === undefined) return 'timestamp is required';
  if (typeof v !== 'string') return 'timestamp must be an ISO-8601 string';
  const parsed = parseStrictIso(v);
  if ('problem' in parsed) return `timestamp ${parsed.problem}`;
  if (parsed.ms < EARLIEST_READING_TIME)
    return `timestamp ${v} is before 2000-01-01; the meter or agent clock is wrong`;
  if (parsed.ms > nowMs + LIMITS.maxFutureSkewMs) {
    return `timestamp ${v} is more than ${LIMITS.maxFutureSkewMs / 3_600_000} h ahead of the server clock (${new Date(nowMs).toISOString()})`;
  }
  return undefined;
}
