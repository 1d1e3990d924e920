import type { BillingPeriod } from '@meterit/shared';
import {
  addTotals,
  entry,
  mergeLines,
  settle,
  zeroTotals,
  type BandLine,
  type CostResult,
  type DemandLine,
  type ExportLine,
  type FeeLine,
  type MeterBill,
  type PeriodCost,
  type PricedInterval,
  type TariffBill,
  type UnpricedEnergy,
} from './cost-lines.js';
import type { QuarterEnergy } from './interval-energy-source.js';
import { daysInMonth, LocalClock } from './local-clock.js';
import { dayKind, TariffTimeline, type AssignmentPlan, type Rate, type TariffSpec } from './tariff-timeline.js';

export interface CostInput {
  /** The site's IANA time zone: its days, hours, months and billing periods. */
  tz: string;
  from: number;
  to: number;
  period: BillingPeriod;
  /** Every meter of the site (also those without energy): a meter's own tariff is in force, and charges its fees, with or without energy. */
  meterIds: readonly number[];
  tariffs: ReadonlyMap<number, TariffSpec>;
  plan: AssignmentPlan;
  energy: readonly QuarterEnergy[];
}

const QUARTERS_PER_HOUR = 4;

interface MeterAcc {
  bands: Map<string, BandLine>;
  exports: Map<number, ExportLine>;
  importKwh: number;
  estimatedKwh: number;
  exportKwh: number;
}

interface TariffAcc {
  tariff: TariffSpec;
  meters: Map<number, MeterAcc>;
  /** Quarter-hour start → each meter's kW in it (import only). */
  quarters: Map<number, Map<number, number>>;
  fees: Map<number, FeeLine>;
}

interface PeriodAcc {
  from: number;
  to: number;
  /** Per meter, energy of quarter hours no tariff priced: in the period's kWh, in no amount. */
  unpriced: Map<number, UnpricedEnergy>;
  tariffs: Map<number, TariffAcc>;
}

const newMeterAcc = (): MeterAcc => ({
  bands: new Map(),
  exports: new Map(),
  importKwh: 0,
  estimatedKwh: 0,
  exportKwh: 0,
});

/** Index of the period holding `t` (periods are contiguous and ascending). */
function periodOf(periods: readonly PeriodAcc[], t: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((periods[mid] as PeriodAcc).from <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The priced interval, its fields written out: `{ ...q, … }` made V8 copy slowly (4 s for a year of 10 meters). */
function priced(
  q: QuarterEnergy,
  rate: Rate | null,
  band: string | null,
  price: number | null,
  amount: number,
  exportCredit: number,
): PricedInterval {
  return {
    meterId: q.meterId,
    start: q.start,
    importKwh: q.importKwh,
    exportKwh: q.exportKwh,
    quality: q.quality,
    tariffId: rate?.tariff.id ?? null,
    versionId: rate?.version.id ?? null,
    band,
    pricePerKwh: price,
    amount,
    exportPricePerKwh: rate?.version.exportPricePerKwh ?? null,
    exportCredit,
  };
}

/** Price one quarter hour and book it on its period's bill. */
function priceInterval(q: QuarterEnergy, rate: Rate | null, band: string | null, p: PeriodAcc): PricedInterval {
  if (!rate || band === null) {
    const u = entry(p.unpriced, q.meterId, () => ({ importKwh: 0, estimatedKwh: 0, exportKwh: 0 }));
    u.importKwh += q.importKwh;
    u.exportKwh += q.exportKwh;
    if (q.quality === 'estimated') u.estimatedKwh += q.importKwh;
    return priced(q, null, null, null, 0, 0);
  }
  const { tariff, version } = rate;
  const price = version.prices.get(band) ?? 0;
  const amount = q.importKwh * price;
  const exportCredit = q.exportKwh * version.exportPricePerKwh;
  const acc = entry(p.tariffs, tariff.id, () => newTariffAcc(tariff));
  const m = entry(acc.meters, q.meterId, newMeterAcc);
  m.importKwh += q.importKwh;
  m.exportKwh += q.exportKwh;
  if (q.quality === 'estimated') m.estimatedKwh += q.importKwh;
  if (q.importKwh !== 0) {
    const line = entry(m.bands, `${version.id}|${band}`, () => ({
      versionId: version.id,
      validFrom: version.validFrom,
      band,
      pricePerKwh: price,
      kwh: 0,
      amount: 0,
    }));
    line.kwh += q.importKwh;
    line.amount += amount;
  }
  if (q.exportKwh !== 0) {
    const ex = entry(m.exports, version.id, () => ({
      versionId: version.id,
      validFrom: version.validFrom,
      pricePerKwh: version.exportPricePerKwh,
      kwh: 0,
      amount: 0,
    }));
    ex.kwh += q.exportKwh;
    ex.amount += exportCredit;
  }
  entry(acc.quarters, q.start, () => new Map<number, number>()).set(q.meterId, q.importKwh * QUARTERS_PER_HOUR);
  return priced(q, rate, band, price, amount, exportCredit);
}

const newTariffAcc = (tariff: TariffSpec): TariffAcc => ({
  tariff,
  meters: new Map(),
  quarters: new Map(),
  fees: new Map(),
});

/** Day and month fees of every tariff in force on each local day of the period. */
function bookFees(p: PeriodAcc, clock: LocalClock, timeline: TariffTimeline, meterIds: readonly number[]): void {
  for (const day of clock.days(p.from, p.to)) {
    const share = (Math.min(day.end, p.to) - Math.max(day.start, p.from)) / (day.end - day.start);
    if (share <= 0) continue;
    const ofMonth = share / daysInMonth(day.date);
    for (const { tariff, version } of timeline.inForceOn(day.date, meterIds)) {
      const acc = entry(p.tariffs, tariff.id, () => newTariffAcc(tariff));
      const fee = entry(acc.fees, version.id, () => ({
        versionId: version.id,
        validFrom: version.validFrom,
        days: 0,
        dayFee: version.dayFee,
        dayAmount: 0,
        months: 0,
        monthFee: version.monthFee,
        monthAmount: 0,
      }));
      fee.days += share;
      fee.dayAmount += share * version.dayFee;
      fee.months += ofMonth;
      fee.monthAmount += ofMonth * version.monthFee;
    }
  }
}

/** The highest quarter hour of a bill (all its meters together; the earliest on ties), priced at the version of its day. */
function demandOf(acc: TariffAcc, clock: LocalClock, timeline: TariffTimeline): DemandLine | null {
  let peak: { at: number; kw: number; meters: Map<number, number> } | null = null;
  for (const at of [...acc.quarters.keys()].sort((a, b) => a - b)) {
    const meters = acc.quarters.get(at) as Map<number, number>;
    let kw = 0;
    for (const v of meters.values()) kw += v;
    if (!peak || kw > peak.kw) peak = { at, kw, meters };
  }
  if (!peak) return null;
  const version = timeline.version(acc.tariff, clock.local(peak.at).date);
  const price = version?.demandPricePerKw ?? 0;
  return {
    versionId: version?.id ?? 0,
    peakKw: peak.kw,
    at: peak.at,
    pricePerKw: price,
    amount: peak.kw * price,
    meterKw: peak.meters,
  };
}

function meterBill(meterId: number, m: MeterAcc, demand: DemandLine | null): MeterBill {
  const bands = [...m.bands.values()];
  const exports = [...m.exports.values()];
  const demandKw = demand?.meterKw.get(meterId) ?? 0;
  return settle({
    meterId,
    bands,
    exports,
    demandKw,
    importKwh: m.importKwh,
    estimatedKwh: m.estimatedKwh,
    exportKwh: m.exportKwh,
    energyCost: bands.reduce((s, l) => s + l.amount, 0),
    demandCharge: demandKw * (demand?.pricePerKw ?? 0),
    fixedFees: 0,
    exportCredit: exports.reduce((s, l) => s + l.amount, 0),
    total: 0,
  });
}

function tariffBill(acc: TariffAcc, clock: LocalClock, timeline: TariffTimeline): TariffBill {
  const demand = demandOf(acc, clock, timeline);
  const meters = [...acc.meters].sort(([a], [b]) => a - b).map(([id, m]) => meterBill(id, m, demand));
  const fees = [...acc.fees.values()];
  const sum = addTotals(zeroTotals(), meters);
  return settle({
    ...sum,
    tariffId: acc.tariff.id,
    bands: mergeLines(
      meters.flatMap((m) => m.bands),
      (l) => `${l.versionId}|${l.band}`,
    ),
    demand,
    demandCharge: demand?.amount ?? 0,
    fees,
    fixedFees: fees.reduce((s, f) => s + f.dayAmount + f.monthAmount, 0),
    exports: mergeLines(
      meters.flatMap((m) => m.exports),
      (l) => String(l.versionId),
    ),
    meters,
  });
}

/**
 * The cost of a site's energy, pure: each quarter hour of each meter priced at the band of its local day kind and
 * hour under the tariff version in force for that meter on that local day; per billing period and tariff the energy
 * per band, the demand charge (highest 15-minute kW of the meters billed on that tariff, priced at the version of
 * the peak's day), the day and month fees of every day the tariff is in force, and the export credit. Amounts are
 * plain doubles, never rounded here (a double holds a cent of a billion exactly enough; rounding is for display).
 */
export function computeCosts(input: CostInput): CostResult {
  const clock = new LocalClock(input.tz);
  const timeline = new TariffTimeline(input.tariffs, input.plan);
  const periods: PeriodAcc[] = clock
    .periods(input.from, input.to, input.period)
    .map((p) => ({ ...p, unpriced: new Map(), tariffs: new Map() }));
  const intervals: PricedInterval[] = [];
  if (periods.length === 0) return { intervals, periods: [], total: { ...zeroTotals(), unpricedKwh: 0 } };

  const energy = [...input.energy].sort((a, b) => a.start - b.start || a.meterId - b.meterId);
  for (const q of energy) {
    const p = periods[periodOf(periods, Math.max(q.start, input.from))] as PeriodAcc;
    const t = clock.local(q.start);
    const rate = timeline.rate(q.meterId, t.date);
    const band = rate ? (rate.version.hours[dayKind(rate.tariff, t)][t.hour] ?? null) : null;
    intervals.push(priceInterval(q, rate, band, p));
  }

  const out: PeriodCost[] = periods.map((p) => {
    bookFees(p, clock, timeline, input.meterIds);
    const tariffs = [...p.tariffs.values()]
      .sort((a, b) => a.tariff.id - b.tariff.id)
      .map((acc) => tariffBill(acc, clock, timeline));
    const unpriced = [...p.unpriced.values()].map((u) => ({ ...zeroTotals(), ...u }));
    return settle({
      ...addTotals(zeroTotals(), [...tariffs, ...unpriced]),
      from: p.from,
      to: p.to,
      unpricedKwh: unpriced.reduce((s, u) => s + u.importKwh, 0),
      unpricedMeters: p.unpriced,
      tariffs,
    });
  });
  const total = settle(addTotals({ ...zeroTotals(), unpricedKwh: 0 }, out));
  total.unpricedKwh = out.reduce((s, p) => s + p.unpricedKwh, 0);
  return { intervals, periods: out, total };
}
