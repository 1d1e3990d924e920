import { BASE_LOAD_HOURS, type ConsumptionBucket, type Demand, type PowerSource } from '@meterit/shared';
import type { PowerSlotRow } from './energy-repository.js';

/** Start of a 15-minute interval (ms) → average power in kW. */
export type Slots = Map<number, number>;

export interface MeterSlots {
  source: Exclude<PowerSource, 'mixed'>;
  slots: Slots;
}

const SLOTS_PER_HOUR = 4;
const roundKw = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Average power per 15 minutes from a meter's counters, attributed to 15-minute intervals by attributeSteps:
 * the energy × 4. Only intervals every counter covers completely count; a partly covered one would read low
 * and pass for the base load.
 */
export function slotsFromCounters(perCounter: ConsumptionBucket[][]): Slots {
  const out: Slots = new Map();
  const first = perCounter[0];
  if (!first) return out;
  first.forEach((b, i) => {
    let kwh = 0;
    for (const c of perCounter) {
      const part = c[i];
      if (!part || !part.complete || part.energy_kwh === null) return;
      kwh += part.energy_kwh;
    }
    out.set(Date.parse(b.start), kwh * SLOTS_PER_HOUR);
  });
  return out;
}

/** Average power per 15 minutes from a kW (or W, MW) data point's readings, scaled to kW by `factor`. */
export function slotsFromPower(rows: PowerSlotRow[], factor: number): Slots {
  return new Map(rows.map((r) => [r.slot.getTime(), r.value * factor]));
}

/**
 * Coincident power of several meters: per 15 minutes the sum over them (a site's demand is what all its meters
 * draw at once). A 15-minute interval counts only where every meter with any data in the period has a value,
 * so a meter's missing quarter hour never passes for a low load.
 */
export function sumSlots(meters: MeterSlots[]): { source: PowerSource | null; slots: Slots } {
  const withData = meters.filter((m) => m.slots.size > 0);
  const [first, ...rest] = withData;
  if (!first) return { source: null, slots: new Map() };
  const out: Slots = new Map();
  for (const [t, kw] of first.slots) {
    let sum = kw;
    let all = true;
    for (const m of rest) {
      const v = m.slots.get(t);
      if (v === undefined) {
        all = false;
        break;
      }
      sum += v;
    }
    if (all) out.set(t, sum);
  }
  const sources = new Set(withData.map((m) => m.source));
  return { source: sources.size === 1 ? first.source : 'mixed', slots: out };
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether a 15-minute interval starting at `ms` starts in the base-load window (00:00 to 05:00 in `tz`). */
export function inBaseLoadWindow(ms: number, tz: string): boolean {
  let f = hourFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' });
    hourFormats.set(tz, f);
  }
  const hour = Number(f.format(ms));
  return hour >= BASE_LOAD_HOURS.from && hour < BASE_LOAD_HOURS.to;
}

export interface BucketDemand {
  peak: Demand | null;
  base_load: Demand | null;
}

/**
 * Per interval (`boundaries`: starts plus the end of the last): the highest 15-minute power and the lowest one
 * starting in the base-load window. Ties go to the earliest.
 */
export function demandPerBucket(
  slots: Slots,
  source: PowerSource | null,
  boundaries: number[],
  tz: string,
): BucketDemand[] {
  const out: BucketDemand[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) out.push({ peak: null, base_load: null });
  if (source === null) return out;
  const times = [...slots.keys()].sort((a, b) => a - b);
  let i = 0;
  for (const t of times) {
    while (i + 1 < boundaries.length && t >= (boundaries[i + 1] as number)) i++;
    if (i + 1 >= boundaries.length) break;
    if (t < (boundaries[i] as number)) continue;
    const kw = roundKw(slots.get(t) as number);
    const d = out[i] as BucketDemand;
    const here = () => ({ kw, at: new Date(t).toISOString(), source });
    if (!d.peak || kw > d.peak.kw) d.peak = here();
    if (inBaseLoadWindow(t, tz) && (!d.base_load || kw < d.base_load.kw)) d.base_load = here();
  }
  return out;
}

/** The highest peak and the lowest base load of a whole period (the earliest on ties). */
export function periodDemand(buckets: BucketDemand[]): BucketDemand {
  let peak: Demand | null = null;
  let base: Demand | null = null;
  for (const b of buckets) {
    if (b.peak && (!peak || b.peak.kw > peak.kw)) peak = b.peak;
    if (b.base_load && (!base || b.base_load.kw < base.kw)) base = b.base_load;
  }
  return { peak, base_load: base };
}
