import type { MeterHealth, SiteSummary } from '@meterit/shared';
import { browserTimeZone, usePreferences } from './store/preferences';
// Times are shown in the viewer's time zone (the profile's, else the browser's), numbers in the viewer's locale.
export const viewerTimeZone = (): string => usePreferences.getState().time_zone ?? browserTimeZone();

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

export const fmtDateTime = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');
export const fmtTime = (d: Date): string => timeOnly.format(d);
export const fmtDay = (iso: string): string => dayOnly.format(new Date(iso));

export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return 'just now';
  return `${fmtDuration(s)} ago`;
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 6) / 10;
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

export function fmtNumber(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(undefined, {
    maximumFractionDigits: digits,
    minimumFractionDigits: Math.abs(v) < 10 && digits > 0 ? Math.min(1, digits) : 0,
  });
}

export function fmtValue(v: number | null | undefined, unit: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${fmtNumber(v, Math.abs(v) >= 1000 ? 1 : 2)}${unit ? ` ${unit}` : ''}`;
}

/** Local midnight `daysAgo` days before today, as an ISO instant. */
export function localMidnight(daysAgo = 0, now = new Date()): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysAgo);
  return d.toISOString();
}

export const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000, bucket: '1m' },
  { key: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000, bucket: '1m' },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000, bucket: '15m' },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, bucket: '1h' },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, bucket: '1d' },
] as const;
export type RangeKey = (typeof RANGES)[number]['key'];

/** The bucket that keeps a chart between ~50 and ~1500 points for a range. */
export function autoBucket(rangeMs: number): '1m' | '15m' | '1h' | '1d' {
  if (rangeMs <= 12 * 3_600_000) return '1m';
  if (rangeMs <= 3 * 86_400_000) return '15m';
  if (rangeMs <= 20 * 86_400_000) return '1h';
  return '1d';
}

const STATUS_WORDS: Partial<Record<MeterHealth, string>> = {
  not_answering: 'not answering',
  wrong_device: 'wrong device',
  stale: 'stale',
};

/** "excl. Chiller (not answering)": the meters a total leaves out because their values are not current. */
export function leftOutText(site: Pick<SiteSummary, 'totals_left_out'>): string | undefined {
  const l = site.totals_left_out ?? [];
  if (l.length === 0) return undefined;
  return `excl. ${l
    .slice(0, 3)
    .map((m) => `${m.name} (${STATUS_WORDS[m.status] ?? m.status.replace('_', ' ')})`)
    .join(', ')}${l.length > 3 ? ` and ${l.length - 3} more` : ''}`;
}
