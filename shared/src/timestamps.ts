// Strict timestamps and time zones, the same on every side. Browser-safe: no Node imports.

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

/** A time zone name both JavaScript and PostgreSQL know (IANA). */
export function isTimeZone(tz: string): boolean {
  if (!/^(UTC|[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2})$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Local time minus UTC in `tz` at the instant `ms` (to the second), in ms: +7_200_000 for Berlin in summer. */
export function utcOffsetMs(tz: string, ms: number): number {
  let f = offsetFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(tz, f);
  }
  const at = Math.floor(ms / 1000) * 1000;
  const parts = f.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at;
}

/** Midnight today in `tz`, as an instant. */
export function startOfDay(tz: string, now: Date): Date {
  const local = new Date(Math.floor(now.getTime() / 1000) * 1000 + utcOffsetMs(tz, now.getTime()));
  const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  // On a day the clocks change, midnight has another offset than now: take the offset at midnight itself.
  return new Date(wall - utcOffsetMs(tz, wall - utcOffsetMs(tz, now.getTime())));
}
