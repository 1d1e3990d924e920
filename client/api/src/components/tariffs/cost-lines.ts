// The figures of a bill and how they add up: the cost engine's output types and its accumulation helpers.
import type { EnergyQuality } from '@meterit/shared';
import type { QuarterEnergy } from './interval-energy-source.js';

/** The figures every level has (range, period, tariff bill, meter share). Money unrounded, in the tariff's currency. */
export interface Totals {
  importKwh: number;
  estimatedKwh: number;
  exportKwh: number;
  energyCost: number;
  demandCharge: number;
  fixedFees: number;
  exportCredit: number;
  /** energyCost + demandCharge + fixedFees − exportCredit. */
  total: number;
}

export interface BandLine {
  versionId: number;
  validFrom: string;
  band: string;
  pricePerKwh: number;
  kwh: number;
  amount: number;
}

export interface ExportLine {
  versionId: number;
  validFrom: string;
  pricePerKwh: number;
  kwh: number;
  amount: number;
}

export interface FeeLine {
  versionId: number;
  validFrom: string;
  /** Local days billed; a day partly in the range counts the share of its length (23 or 25 h on DST days) inside. */
  days: number;
  dayFee: number;
  dayAmount: number;
  /** Each billed day counts 1 / the number of days of its month. */
  months: number;
  monthFee: number;
  monthAmount: number;
}

export interface DemandLine {
  versionId: number;
  /** The bill's highest 15-minute average kW in the period (import kWh × 4, all its meters together). */
  peakKw: number;
  /** Start of that quarter hour (the earliest on ties). */
  at: number;
  pricePerKw: number;
  amount: number;
  /** Each meter's own kW in that quarter hour: its share of the charge. */
  meterKw: ReadonlyMap<number, number>;
}

export interface MeterBill extends Totals {
  meterId: number;
  bands: BandLine[];
  exports: ExportLine[];
  /** The meter's kW in the bill's peak quarter hour (0 without one). */
  demandKw: number;
}

export interface TariffBill extends Totals {
  tariffId: number;
  bands: BandLine[];
  demand: DemandLine | null;
  fees: FeeLine[];
  exports: ExportLine[];
  meters: MeterBill[];
}

/** Energy of quarter hours no tariff (or no version of it yet) priced. */
export type UnpricedEnergy = Pick<Totals, 'importKwh' | 'estimatedKwh' | 'exportKwh'>;

export interface PeriodCost extends Totals {
  from: number;
  to: number;
  /** Energy drawn while no tariff (or no version of it yet) applied. */
  unpricedKwh: number;
  unpricedMeters: ReadonlyMap<number, UnpricedEnergy>;
  tariffs: TariffBill[];
}

/** One quarter hour of one meter, priced. Without a tariff: every price null and the amounts 0. */
export interface PricedInterval extends QuarterEnergy {
  tariffId: number | null;
  versionId: number | null;
  band: string | null;
  pricePerKwh: number | null;
  amount: number;
  exportPricePerKwh: number | null;
  exportCredit: number;
  quality: EnergyQuality;
}

export interface CostResult {
  intervals: PricedInterval[];
  periods: PeriodCost[];
  total: Totals & { unpricedKwh: number };
}

export const zeroTotals = (): Totals => ({
  importKwh: 0,
  estimatedKwh: 0,
  exportKwh: 0,
  energyCost: 0,
  demandCharge: 0,
  fixedFees: 0,
  exportCredit: 0,
  total: 0,
});

const TOTAL_KEYS = Object.keys(zeroTotals()) as (keyof Totals)[];

/** Add every figure of `parts` into `into` (total included). */
export function addTotals<T extends Totals>(into: T, parts: readonly Totals[]): T {
  for (const p of parts) for (const k of TOTAL_KEYS) into[k] += p[k];
  return into;
}

/** Set `total` from its parts. */
export function settle<T extends Totals>(t: T): T {
  t.total = t.energyCost + t.demandCharge + t.fixedFees - t.exportCredit;
  return t;
}

/** The entry of `map` under `key`, made by `create` the first time. */
export function entry<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

/** Lines with the same key summed (kWh, amounts), in first-seen order. */
export function mergeLines<L extends { kwh: number; amount: number }>(lines: readonly L[], key: (l: L) => string): L[] {
  const out = new Map<string, L>();
  for (const l of lines) {
    const m = out.get(key(l));
    if (m) {
      m.kwh += l.kwh;
      m.amount += l.amount;
    } else out.set(key(l), { ...l });
  }
  return [...out.values()];
}
