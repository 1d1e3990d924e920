// Axis ticks and labels for the charts, picked from the range, the space on screen and the values' span, so that
// labels never repeat, never need cutting, and differ in the digits that differ. Pure: unit-tested without a browser.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Step candidates, finest first: fixed ones (wall-clock aligned in the zone), then days, months and years. */
type Step = { kind: 'fixed'; ms: number } | { kind: 'day'; n: number } | { kind: 'month'; n: number };
const STEPS: Step[] = [
  ...[1, 5, 10, 15, 30].map((s) => ({ kind: 'fixed' as const, ms: s * SECOND })),
  ...[1, 2, 5, 10, 15, 30].map((m) => ({ kind: 'fixed' as const, ms: m * MINUTE })),
  ...[1, 2, 3, 6, 12].map((h) => ({ kind: 'fixed' as const, ms: h * HOUR })),
  ...[1, 2, 7, 14].map((n) => ({ kind: 'day' as const, n })),
  ...[1, 3, 6, 12, 24, 60, 120].map((n) => ({ kind: 'month' as const, n })),
];

const partsFormat = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock time in `tz` of instant `t`, as if that wall clock were UTC (ms). */
export function wallClock(t: number, tz: string): number {
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormat.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall + (t % SECOND);
}

/** The instant at which the wall clock in `tz` shows `wall` (the later one in a DST fold). */
export function fromWallClock(wall: number, tz: string): number {
  const guess = wall - (wallClock(wall, tz) - wall);
  return wall - (wallClock(guess, tz) - guess);
}

function wallTicks(from: number, to: number, step: Step, tz: string): number[] {
  const wFrom = wallClock(from, tz);
  const wTo = wallClock(to, tz);
  const walls: number[] = [];
  if (step.kind === 'fixed' || step.kind === 'day') {
    const ms = step.kind === 'fixed' ? step.ms : step.n * DAY;
    for (let w = Math.floor(wFrom / ms) * ms; w <= wTo + ms; w += ms) walls.push(w);
  } else {
    const d = new Date(wFrom);
    let y = d.getUTCFullYear();
    let m = Math.floor(d.getUTCMonth() / Math.min(step.n, 12)) * Math.min(step.n, 12);
    if (step.n > 12) y = Math.floor(y / (step.n / 12)) * (step.n / 12);
    for (let w = Date.UTC(y, m, 1); w <= wTo + DAY; w = Date.UTC(y, m, 1)) {
      walls.push(w);
      m += step.n;
    }
  }
  const out: number[] = [];
  for (const w of walls) {
    const t = fromWallClock(w, tz);
    if (t >= from && t <= to && out[out.length - 1] !== t) out.push(t);
  }
  return out;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function fmt(t: number, tz: string, locale: string | undefined, opts: Intl.DateTimeFormatOptions): string {
  const key = `${tz}|${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone: tz, ...opts })));
  return f.format(new Date(t));
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const TIME_S: Intl.DateTimeFormatOptions = { ...TIME, second: '2-digit' };
const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };

function labelsFor(ticks: number[], step: Step, tz: string, locale?: string): string[] {
  if (step.kind === 'month')
    return ticks.map((t) =>
      fmt(t, tz, locale, step.n >= 12 ? { year: 'numeric' } : { month: 'short', year: 'numeric' }),
    );
  if (step.kind === 'day') {
    const short = ticks.map((t) => fmt(t, tz, locale, DATE));
    return new Set(short).size === short.length
      ? short
      : ticks.map((t) => fmt(t, tz, locale, { ...DATE, year: 'numeric' }));
  }
  const clock = step.ms < MINUTE ? TIME_S : TIME;
  const midnight = (t: number) => wallClock(t, tz) % DAY === 0;
  // A new day shows its date instead of 00:00; if a time of day then repeats, every label carries the date.
  const short = ticks.map((t) =>
    midnight(t) && step.ms >= MINUTE ? fmt(t, tz, locale, DATE) : fmt(t, tz, locale, clock),
  );
  if (new Set(short).size === short.length) return short;
  return ticks.map((t) => (midnight(t) ? fmt(t, tz, locale, DATE) : fmt(t, tz, locale, { ...DATE, ...clock })));
}

/** Roughly how wide a tick label of `text` is at the charts' 12 px font, with the gap to its neighbour. */
export const labelWidth = (text: string): number => text.length * 7 + 32;

export interface TimeTicks {
  ticks: number[];
  labels: string[];
}

/**
 * Time-axis ticks over [from, to] for a plot `widthPx` wide: the finest step whose labels (in `tz`) fit side by
 * side, aligned to the zone's wall clock (whole hours, local midnight, the first of a month), labels all distinct.
 */
export function timeTicks(from: number, to: number, widthPx: number, tz: string, locale?: string): TimeTicks {
  let last: TimeTicks = { ticks: [], labels: [] };
  for (const step of STEPS) {
    const approxMs = step.kind === 'fixed' ? step.ms : step.kind === 'day' ? step.n * DAY : step.n * 30 * DAY;
    if ((to - from) / approxMs > 200) continue;
    const ticks = wallTicks(from, to, step, tz);
    const labels = labelsFor(ticks, step, tz, locale);
    last = { ticks, labels };
    const widest = Math.max(0, ...labels.map(labelWidth));
    if (ticks.length * widest <= widthPx && new Set(labels).size === labels.length) return last;
  }
  return last;
}

/** The full time of a point for a tooltip: date, time with seconds, in `tz`. */
export const pointTime = (t: number, tz: string, locale?: string): string =>
  fmt(t, tz, locale, { ...DATE, year: 'numeric', ...TIME_S });

/** The zone's short name at `t` ("CET", "GMT+1"), to show beside the time axis. */
export function zoneName(t: number, tz: string, locale?: string): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'short' })
    .formatToParts(new Date(t))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? tz;
}

const PREFIXES: Record<number, string> = { 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T' };
const SI_UNIT = /^(k|M|G|T)?(Wh|W|VAh|VA|varh|var)$/;

export interface ValueTicks {
  ticks: number[];
  labels: string[];
  /** The tick values are `value / divisor`; the unit to show on the axis (with the prefix that implies). */
  divisor: number;
  unit: string;
  /** Axis width in px that shows the longest label whole. */
  width: number;
}

/** 1, 2, 2.5 or 5 × 10^k: the smallest such step ≥ `raw`. */
export function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/**
 * Value-axis ticks covering [min, max] for a plot `heightPx` tall: a nice step, an SI prefix for large values
 * (moved into the unit when it is W, Wh, VA or var: 1 483 kWh → 1.483 MWh), and as many decimals as the step
 * needs, so neighbouring labels always differ.
 */
export function valueTicks(
  min: number,
  max: number,
  unit: string | null,
  heightPx: number,
  locale?: string,
): ValueTicks {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : 1;
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const count = Math.max(2, Math.min(8, Math.floor(heightPx / 45)));
  const step = niceStep((hi - lo) / count);
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  // Up to the first tick at or above the highest value, so the line is never cut at the top.
  for (let i = 0; i <= 100; i++) {
    const v = Number((first + i * step).toPrecision(12));
    ticks.push(v);
    if (v >= hi) break;
  }
  const largest = Math.max(...ticks.map(Math.abs));
  const floor3 = (x: number) => 3 * Math.floor(x / 3);
  const stepExp = Math.floor(Math.log10(step));
  const p = Math.max(0, Math.min(largest > 0 ? floor3(Math.log10(largest)) : 0, floor3(stepExp + 2), 12));
  const divisor = 10 ** p;
  const decimals = Math.max(0, p - stepExp + (step / 10 ** stepExp === 2.5 ? 1 : 0));
  const si = unit ? SI_UNIT.exec(unit) : null;
  const baseExp = si ? { '': 0, k: 3, M: 6, G: 9, T: 12 }[si[1] ?? ''] : undefined;
  const scaled = baseExp !== undefined && si ? PREFIXES[baseExp + p] : undefined;
  const suffix = p === 0 || scaled !== undefined ? '' : ` ${PREFIXES[p] ?? `e${p}`}`;
  const format = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const labels = ticks.map((v) => `${format.format(v / divisor)}${suffix}`);
  return {
    ticks,
    labels,
    divisor,
    unit: scaled !== undefined && si ? `${scaled}${si[2]}` : (unit ?? ''),
    width: Math.max(...labels.map((l) => l.length)) * 7.5 + 18,
  };
}

/** How many separate stretches of line the values draw (null breaks the line). */
export function lineSegments(values: (number | null)[]): number {
  let n = 0;
  values.forEach((v, i) => {
    if (v !== null && (i === 0 || values[i - 1] === null)) n++;
  });
  return n;
}
