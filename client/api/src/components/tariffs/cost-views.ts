import type {
  BillingPeriod,
  CostBreakdownResponse,
  CostInterval,
  CostPeriod,
  MeterCost,
  TariffCost,
} from '@meterit/shared';
import {
  addTotals,
  settle,
  zeroTotals,
  type BandLine,
  type CostResult,
  type DemandLine,
  type ExportLine,
  type MeterBill,
  type PeriodCost,
  type PricedInterval,
  type TariffBill,
  type Totals,
} from './cost-lines.js';

/**
 * Figures on the wire: 9 decimals, which hides the noise of double arithmetic (0.30000000000000004) and keeps far
 * more than any currency's minor unit. Totals are sums of unrounded amounts, so a total can differ from the sum of
 * its rounded lines in the last decimal; the web app rounds to the currency's minor unit only for display.
 */
const r9 = (v: number) => Math.round(v * 1e9) / 1e9 || 0;
const iso = (ms: number) => new Date(ms).toISOString();

function totalsView(t: Totals) {
  return {
    import_kwh: r9(t.importKwh),
    estimated_kwh: r9(t.estimatedKwh),
    export_kwh: r9(t.exportKwh),
    energy_cost: r9(t.energyCost),
    demand_charge: r9(t.demandCharge),
    fixed_fees: r9(t.fixedFees),
    export_credit: r9(t.exportCredit),
    total: r9(t.total),
  };
}

export interface Names {
  meters: ReadonlyMap<number, string>;
  tariffs: ReadonlyMap<number, string>;
}

const meterView = (m: MeterBill, names: Names): MeterCost => ({
  meter_id: m.meterId,
  meter_name: names.meters.get(m.meterId) ?? `meter ${m.meterId}`,
  ...totalsView(m),
});

const line = (l: ExportLine) => ({
  version_id: l.versionId,
  valid_from: l.validFrom,
  price_per_kwh: l.pricePerKwh,
  kwh: r9(l.kwh),
  amount: r9(l.amount),
});
const band = (l: BandLine) => ({ ...line(l), band: l.band });

/** The bill's peak, charged for `kw` (the peak itself, or one meter's kW in that quarter hour). */
const demandView = (d: DemandLine, kw: number, amount: number) => ({
  version_id: d.versionId,
  peak_kw: r9(d.peakKw),
  kw: r9(kw),
  at: iso(d.at),
  price_per_kw: d.pricePerKw,
  amount: r9(amount),
});

function tariffView(b: TariffBill, names: Names): TariffCost {
  return {
    tariff_id: b.tariffId,
    tariff_name: names.tariffs.get(b.tariffId) ?? `tariff ${b.tariffId}`,
    ...totalsView(b),
    energy: b.bands.map(band),
    demand: b.demand && demandView(b.demand, b.demand.peakKw, b.demand.amount),
    fees: b.fees.map((f) => ({
      version_id: f.versionId,
      valid_from: f.validFrom,
      days: r9(f.days),
      day_fee: f.dayFee,
      day_amount: r9(f.dayAmount),
      months: r9(f.months),
      month_fee: f.monthFee,
      month_amount: r9(f.monthAmount),
    })),
    export: b.exports.map(line),
    meters: b.meters.map((m) => meterView(m, names)),
  };
}

/** One meter's part of a bill: its energy, export and share of the demand charge; the fixed fees stay with the bill. */
function meterOnly(b: TariffBill, m: MeterBill, names: Names): TariffCost {
  return {
    ...tariffView({ ...b, ...m, bands: m.bands, exports: m.exports, fees: [], meters: [m] }, names),
    demand: b.demand && demandView(b.demand, m.demandKw, m.demandCharge),
  };
}

/** One meter's bills of a period and its unpriced energy, with their sum (unrounded). */
function meterPeriod(p: PeriodCost, meterId: number) {
  const parts = p.tariffs.flatMap((bill) => {
    const meter = bill.meters.find((m) => m.meterId === meterId);
    return meter ? [{ bill, meter }] : [];
  });
  const unpriced = { ...zeroTotals(), ...p.unpricedMeters.get(meterId) };
  return { parts, unpriced, sum: settle(addTotals(zeroTotals(), [...parts.map((x) => x.meter), unpriced])) };
}

function periodView(p: PeriodCost, names: Names, meterId: number | null): CostPeriod {
  const span = { from: iso(p.from), to: iso(p.to) };
  if (meterId === null)
    return {
      ...span,
      ...totalsView(p),
      unpriced_kwh: r9(p.unpricedKwh),
      tariffs: p.tariffs.map((b) => tariffView(b, names)),
    };
  const m = meterPeriod(p, meterId);
  return {
    ...span,
    ...totalsView(m.sum),
    unpriced_kwh: r9(m.unpriced.importKwh),
    tariffs: m.parts.map((x) => meterOnly(x.bill, x.meter, names)),
  };
}

const intervalView = (i: PricedInterval): CostInterval => ({
  meter_id: i.meterId,
  start: iso(i.start),
  tariff_id: i.tariffId,
  version_id: i.versionId,
  band: i.band,
  import_kwh: r9(i.importKwh),
  price_per_kwh: i.pricePerKwh,
  amount: r9(i.amount),
  export_kwh: r9(i.exportKwh),
  export_price_per_kwh: i.exportPricePerKwh,
  export_credit: r9(i.exportCredit),
  quality: i.quality,
});

/** The engine's result as GET /api/costs answers it: the whole site, or (meter) one meter's share. */
export function costBreakdownView(
  r: CostResult,
  o: {
    site: { id: number; name: string; time_zone: string; currency: string };
    meter: { id: number; name: string } | null;
    from: number;
    to: number;
    period: BillingPeriod;
    names: Names;
    withIntervals: boolean;
  },
): CostBreakdownResponse {
  const meterId = o.meter?.id ?? null;
  const periods = r.periods.map((p) => periodView(p, o.names, meterId));
  const total =
    meterId === null
      ? { ...totalsView(r.total), unpriced_kwh: r9(r.total.unpricedKwh) }
      : (() => {
          const parts = r.periods.map((p) => meterPeriod(p, meterId));
          const sum = settle(
            addTotals(
              zeroTotals(),
              parts.map((x) => x.sum),
            ),
          );
          return { ...totalsView(sum), unpriced_kwh: r9(parts.reduce((t, x) => t + x.unpriced.importKwh, 0)) };
        })();
  const intervals = o.withIntervals
    ? r.intervals.filter((i) => meterId === null || i.meterId === meterId).map(intervalView)
    : null;
  return {
    site_id: o.site.id,
    site_name: o.site.name,
    meter_id: meterId,
    meter_name: o.meter?.name ?? null,
    time_zone: o.site.time_zone,
    currency: o.site.currency,
    from: iso(o.from),
    to: iso(o.to),
    period: o.period,
    periods,
    total,
    intervals,
  };
}
