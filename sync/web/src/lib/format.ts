// Times are shown in the viewer's time zone (the browser's), numbers in the viewer's locale.
import { duration } from '@meterit/shared/words';

export { duration };

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const minuteTick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const secondTick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * How a chart's time axis labels its ticks: hours and minutes, or with seconds while the data spans under half an
 * hour (a fresh install), where ticks a minute apart or less would otherwise read the same.
 */
export function timeTick(times: readonly Date[]): (d: Date) => string {
  const span = times.length > 1 ? +times[times.length - 1]! - +times[0]! : 0;
  const fmt = span < 30 * 60_000 ? secondTick : minuteTick;
  return (d) => fmt.format(d);
}

export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "14:03:22" today, "21 Nov, 14:03:22" on other days; "—" for nothing. */
export function clock(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Date(now).toDateString() === d.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** "3 min ago", "just now"; "never" for nothing. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  if (ms < 5000) return 'just now';
  return `${duration(ms)} ago`;
}

/** A measured value with sensible precision for its size. */
export function value(v: number | null | undefined, unit?: string | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  const n = v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${n} ${unit}` : n;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
/** Short numbers for chart axes: "328K", "48.2", "230". */
export function axisNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 10_000) return compact.format(v);
  return v.toLocaleString(undefined, { maximumFractionDigits: abs >= 100 ? 0 : abs >= 1 ? 1 : 3 });
}

/**
 * The value axis's labels for a chart of `values`: `axisNumber` while its short form still tells ticks apart, else
 * as many decimals as a tenth of the data's span needs (a meter's kW moving in its second decimal over a few
 * minutes would otherwise read "55.8" at every tick, a kWh counter "1.5M").
 */
export function valueTick(values: readonly (number | null)[]): (v: number) => string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return axisNumber;
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const step = (hi - lo) / 10;
  const top = Math.max(Math.abs(lo), Math.abs(hi));
  // What axisNumber keeps: 1 decimal of K/M/… above 10,000, else 0, 1 or 3 decimals by size.
  const kept = top >= 10_000 ? 1000 ** Math.floor(Math.log10(top) / 3) / 10 : top >= 100 ? 1 : top >= 1 ? 0.1 : 0.001;
  if (step === 0 || step >= kept) return axisNumber;
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step))));
  return (v) => v.toLocaleString(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function count(n: number): string {
  return n.toLocaleString();
}

/** Hours of outage the site holds (disk or queue limit), in words. */
export function hours(h: number | null): string {
  if (h === null) return 'not growing';
  if (h >= 48) return `${Math.floor(h / 24).toLocaleString()} days`;
  return `${h.toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;
}
