// Which billing months the costs view asks for, and how its amounts read. Pure, so it can be checked without a
// browser. Billing months are calendar months in the site's time zone (the API's rule), so the range is too.
import { wallClock } from '../../chart-axes';
import { oneOf } from '../../url-state';

export const COST_PERIODS = ['this-month', 'last-month', 'this-year', 'custom'] as const;
export type CostPeriodKey = (typeof COST_PERIODS)[number];
export const COST_PERIOD_OPTIONS: { value: CostPeriodKey; label: string }[] = [
  { value: 'this-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'this-year', label: 'This year' },
  { value: 'custom', label: 'Custom months' },
];

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The view's settings as the address holds them (?period=custom&from=2025-01&to=2025-03). */
export interface CostChoice {
  period: CostPeriodKey;
  /** First and last billing month of a custom range, YYYY-MM. */
  from: string;
  to: string;
}

/** Year and month (1–12) of an instant on the wall clock of `tz`. */
function localMonth(t: number, tz: string): { year: number; month: number } {
  const wall = new Date(wallClock(t, tz));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1 };
}

const monthText = ({ year, month }: { year: number; month: number }) => `${year}-${String(month).padStart(2, '0')}`;

/** The choice in the address; a hand-edited or stale link falls back to this month (custom: to this month). */
export function costChoiceFrom(q: URLSearchParams, tz: string, now = Date.now()): CostChoice {
  const current = monthText(localMonth(now, tz));
  const from = MONTH.test(q.get('from') ?? '') ? (q.get('from') as string) : current;
  const to = MONTH.test(q.get('to') ?? '') ? (q.get('to') as string) : current;
  return { period: oneOf(q.get('period'), COST_PERIODS, 'this-month'), from, to: to < from ? from : to };
}

/** The instant a month (1–12, 13 rolls over) starts in `tz`: its first local midnight. */
export function monthStart(year: number, month: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, 1);
  // The offset at the guess, then at the instant it gives: right also when a DST change lies between the two.
  const guess = wall - (wallClock(wall, tz) - wall);
  return wall - (wallClock(guess, tz) - guess);
}

/** The query of GET /api/costs for a choice: whole billing months in the site's zone, up to now at the latest. */
export function costRange(choice: CostChoice, tz: string, now = Date.now()): { from: string; to: string } {
  const { year, month } = localMonth(now, tz);
  const iso = (t: number) => new Date(Math.min(t, now)).toISOString();
  const parse = (m: string) => m.split('-').map(Number) as [number, number];
  switch (choice.period) {
    case 'last-month':
      return { from: iso(monthStart(year, month - 1, tz)), to: iso(monthStart(year, month, tz)) };
    case 'this-year':
      return { from: iso(monthStart(year, 1, tz)), to: iso(now) };
    case 'custom': {
      const [fy, fm] = parse(choice.from);
      const [ty, tm] = parse(choice.to);
      return { from: iso(monthStart(fy, fm, tz)), to: iso(monthStart(ty, tm + 1, tz)) };
    }
    default:
      return { from: iso(monthStart(year, month, tz)), to: iso(now) };
  }
}

/** Amounts in the site's currency in the viewer's locale: "€1,234.56". */
export const moneyFormat = (currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format;

/** "Mar 2025": a billing month by its start, named in the site's zone (where the month is counted). */
export const monthLabel = (start: string, tz: string) =>
  new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: tz }).format(new Date(start));

/** "Mar 31, 2025, 10:00 AM GMT+2": a time in the viewer's zone, the zone named (dateStyle refuses timeZoneName). */
export const zonedTime = (iso: string, tz: string) =>
  new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: tz,
    timeZoneName: 'short',
  }).format(new Date(iso));

/** Prices per kWh keep the digits tariffs are written with: "€0.1234". */
export const priceFormat = (currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 4 }).format;
