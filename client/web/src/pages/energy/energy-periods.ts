// Which periods the energy views offer, how they are named and how their totals read. Pure, so it can be checked
// without a browser.
import type { EnergyInterval, EnergyPeriod } from '@meterit/shared';

export const INTERVAL_OPTIONS: { value: EnergyInterval; label: string }[] = [
  { value: 'day', label: 'Per day' },
  { value: 'week', label: 'Per week' },
  { value: 'month', label: 'Per month' },
];

/** How many intervals back one can look, per interval (the API caps the range: 92 days, 53 weeks, 13 months). */
export const COUNT_OPTIONS: Record<EnergyInterval, { value: number; label: string }[]> = {
  day: [7, 14, 31].map((n) => ({ value: n, label: `Last ${n} days` })),
  week: [4, 8, 12].map((n) => ({ value: n, label: `Last ${n} weeks` })),
  month: [3, 6, 12].map((n) => ({ value: n, label: `Last ${n} months` })),
};
export const DEFAULT_COUNT: Record<EnergyInterval, number> = { day: 7, week: 4, month: 3 };

export interface PeriodChoice {
  interval: EnergyInterval;
  count: number;
  compare: boolean;
}

/**
 * The start of the interval `count - 1` intervals before the current one, in the viewer's time zone (the
 * browser's): local midnight, Monday (ISO weeks, as the API counts them) or the first of the month.
 */
export function periodStart(interval: EnergyInterval, count: number, now = new Date()): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  if (interval === 'day') d.setDate(d.getDate() - (count - 1));
  if (interval === 'week') d.setDate(d.getDate() - ((d.getDay() + 6) % 7) - 7 * (count - 1));
  if (interval === 'month') {
    d.setDate(1);
    d.setMonth(d.getMonth() - (count - 1));
  }
  return d;
}

/** The query of /api/energy for a choice (times in `tz`, up to now). */
export function energyParams(choice: PeriodChoice, tz: string, now = new Date()) {
  return {
    interval: choice.interval,
    from: periodStart(choice.interval, choice.count, now).toISOString(),
    to: now.toISOString(),
    compare: choice.compare ? 'previous' : 'none',
    tz,
  };
}

const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const monthName = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });

/** "Mon 2 Jun", "Week of 2 Jun", "Jun 2025": an interval by its start. */
export function intervalLabel(interval: EnergyInterval, start: string): string {
  const d = new Date(start);
  if (interval === 'day') return dayName.format(d);
  if (interval === 'week') return `Week of ${shortDay.format(d)}`;
  return monthName.format(d);
}

/** "+19.3 %", "−4 %", "—". */
export function fmtChange(pct: number | null): string {
  if (pct === null) return '—';
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
  return `${sign}${Math.abs(pct).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
}

/** What a period's total says: nothing measured at all, part of it missing, or whole. */
export type TotalNote = 'no data' | 'data missing' | null;

/**
 * A period's total as it should read. The API answers a period without a single reading with total 0 and every
 * interval null: that is no data, not a measured 0 kWh, so the total is null then ("—").
 */
export interface PeriodTotal {
  kwh: number | null;
  note: TotalNote;
}

export function periodTotal(p: EnergyPeriod | null | undefined): PeriodTotal {
  if (!p) return { kwh: null, note: null };
  if (p.buckets.every((b) => b.energy_kwh === null)) return { kwh: null, note: 'no data' };
  return { kwh: p.total_kwh, note: p.buckets.some((b) => !b.complete) ? 'data missing' : null };
}

/** The total over several series (the "All" row): no data when not one of them has any. */
export function combinedTotal(periods: (EnergyPeriod | null)[], kwh: number | null): PeriodTotal {
  return periods.every((p) => periodTotal(p).note === 'no data') ? { kwh: null, note: 'no data' } : { kwh, note: null };
}
