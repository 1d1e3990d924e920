import { utcOffsetMs, type BillingPeriod } from '@meterit/shared';

export const QUARTER_MS = 900_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A local calendar day, YYYY-MM-DD. String order is date order. */
export type LocalDate = string;

export interface LocalTime {
  date: LocalDate;
  /** 0–23, local. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** The calendar day after `d`. */
export const nextDate = (d: LocalDate): LocalDate =>
  new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** How many days the month of `d` has. */
export function daysInMonth(d: LocalDate): number {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Wall-clock time in one IANA time zone, for instants on quarter-hour boundaries. Every zone's UTC offset is a
 * multiple of 15 minutes, so a UTC quarter hour is always exactly one local quarter hour, inside one local hour
 * and one local day. Offsets come from Intl (utcOffsetMs; the tz database PostgreSQL uses too), cached per UTC hour:
 * an hour whose two ends have different offsets holds a DST change and is asked per instant.
 */
export class LocalClock {
  private readonly hourOffsets = new Map<number, number>();
  private lastDay = Number.NaN;
  private lastDate = '';

  constructor(readonly tz: string) {}

  /** Local time minus UTC at `ms`, in ms. */
  offset(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
    let o = this.hourOffsets.get(hour);
    if (o === undefined) {
      const a = utcOffsetMs(this.tz, hour);
      o = a === utcOffsetMs(this.tz, hour + HOUR_MS - 1000) ? a : Number.NaN;
      this.hourOffsets.set(hour, o);
    }
    return Number.isNaN(o) ? utcOffsetMs(this.tz, ms) : o;
  }

  local(ms: number): LocalTime {
    const wall = ms + this.offset(ms);
    const day = Math.floor(wall / DAY_MS);
    // Quarter hours come in order: the date text is made once per local day (toISOString was most of a year's cost).
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.lastDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
    }
    // 1 January 1970 was a Thursday (4).
    return {
      date: this.lastDate,
      hour: Math.floor((wall - day * DAY_MS) / HOUR_MS),
      weekday: (((day + 4) % 7) + 7) % 7,
    };
  }

  /** The first instant of local day `d`: its midnight, or where a DST change skips midnight, the first quarter hour it has. */
  dayStart(d: LocalDate): number {
    const wall = Date.parse(`${d}T00:00:00Z`);
    let t = wall - this.offset(wall);
    t = wall - this.offset(t);
    while (this.local(t - QUARTER_MS).date === d) t -= QUARTER_MS;
    while (this.local(t).date !== d) t += QUARTER_MS;
    return t;
  }

  /** The local days that overlap [from, to), each with its start and end instant (23 or 25 h apart on DST days). */
  days(from: number, to: number): { date: LocalDate; start: number; end: number }[] {
    const out: { date: LocalDate; start: number; end: number }[] = [];
    let date = this.local(from).date;
    let start = this.dayStart(date);
    while (start < to) {
      const next = nextDate(date);
      const end = this.dayStart(next);
      out.push({ date, start, end });
      date = next;
      start = end;
    }
    return out;
  }

  /** Billing periods over [from, to): local calendar months or quarters, the first and last clipped to the range. */
  periods(from: number, to: number, period: BillingPeriod): { from: number; to: number }[] {
    const months = period === 'quarter' ? 3 : 1;
    const first = this.local(from).date;
    let y = Number(first.slice(0, 4));
    let m = Number(first.slice(5, 7)) - 1;
    m -= m % months;
    const out: { from: number; to: number }[] = [];
    let start = from;
    while (start < to) {
      m += months;
      if (m >= 12) {
        y += 1;
        m -= 12;
      }
      const end = Math.min(to, this.dayStart(`${y}-${String(m + 1).padStart(2, '0')}-01`));
      out.push({ from: start, to: end });
      start = end;
    }
    return out;
  }
}
