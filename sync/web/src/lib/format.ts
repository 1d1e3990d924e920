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

export function count(n: number): string {
  return n.toLocaleString();
}

/** Hours of outage the site holds (disk or queue limit), in words. */
export function hours(h: number | null): string {
  if (h === null) return 'not growing';
  if (h >= 48) return `${Math.floor(h / 24).toLocaleString()} days`;
  return `${h.toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;
}
