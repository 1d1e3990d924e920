// GET /api/costs and the MCP tool get_cost_breakdown: what a site's (or one meter's) energy cost per billing period,
// by tariff, band, demand charge, fixed fees and export credit. Browser-safe: no Node imports. Money in the
// tariff's currency (the site's), energy in kWh, power in kW, times ISO-8601 UTC.
import { z } from 'zod';
import { boolQuery, enumQuery, idQuery, isoQuery } from './query-kit.js';
import { isoTime, utcTime } from './schema-kit.js';

/** Billing periods are calendar months (or quarters) in the site's time zone. */
export const BILLING_PERIODS = ['month', 'quarter'] as const;
export type BillingPeriod = (typeof BILLING_PERIODS)[number];
/** measured: from readings at both ends; estimated: a share of energy across a gap in the readings, spread over time. */
export const ENERGY_QUALITIES = ['measured', 'estimated'] as const;
export type EnergyQuality = (typeof ENERGY_QUALITIES)[number];

export const COST_LIMITS = {
  /** Longest range of one answer (a year and a month). */
  maxDays: 397,
  /** Most meter-days one answer reads (meters of the site × days). */
  maxMeterDays: 20_000,
  /** Most priced 15-minute intervals an answer lists with intervals=true (meters × quarter hours). */
  maxIntervals: 10_000,
} as const;

const siteRequired = (id: number | undefined, ctx: z.RefinementCtx) => {
  if (id === undefined)
    ctx.addIssue({
      code: 'custom',
      message: "site_id is required: costs are per site, in the site's time zone and currency",
    });
};

export const CostsQuerySchema = z.object({
  site_id: idQuery().superRefine(siteRequired),
  /** One meter of the site: its own share of the site's bill (no fixed fees). */
  meter_id: idQuery(),
  from: isoQuery(),
  to: isoQuery(),
  period: enumQuery(BILLING_PERIODS),
  /** Also every priced 15-minute interval (at most COST_LIMITS.maxIntervals). */
  intervals: boolQuery(),
});
export type CostsQuery = z.infer<typeof CostsQuerySchema>;

/** get_cost_breakdown's arguments: the same question as GET /api/costs, as JSON. */
export const CostBreakdownArgsSchema = z.object({
  site_id: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .describe('The site (id from get_site_status); its time zone and currency apply'),
  meter_id: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional()
    .describe("Only this meter of the site (id from query_meters): its share of the site's bill, without fixed fees"),
  from: isoTime()
    .optional()
    .describe('Start (inclusive), ISO-8601 with zone; default the start of the current month in the site’s time zone'),
  to: isoTime().optional().describe('End (exclusive), ISO-8601 with zone; default now'),
  period: z
    .enum(BILLING_PERIODS)
    .default('month')
    .describe('Billing periods: calendar months (default) or quarters in the site’s time zone'),
});
export type CostBreakdownArgs = z.infer<typeof CostBreakdownArgsSchema>;

const money = z.number();

/** The figures every level of the answer has: the whole range, a period, a tariff's bill, one meter's share. */
const totals = {
  import_kwh: z.number().describe('Energy drawn'),
  estimated_kwh: z
    .number()
    .describe(
      'Of import_kwh, the energy of quarter hours marked estimated (part of it spread across a gap in the readings)',
    ),
  export_kwh: z.number().describe('Energy fed in (export counters)'),
  energy_cost: money.describe('Energy drawn × the price of its time-of-use band'),
  demand_charge: money.describe('Highest 15-minute average kW of the billing period × the price per kW'),
  fixed_fees: money.describe('Day fees plus month fees'),
  export_credit: money.describe('Energy fed in × the export price; subtracted from the total'),
  total: money.describe('energy_cost + demand_charge + fixed_fees − export_credit'),
};

export const BandCostSchema = z.object({
  version_id: z.number(),
  valid_from: z.string(),
  band: z.string(),
  price_per_kwh: z.number(),
  kwh: z.number(),
  amount: money,
});
export type BandCost = z.infer<typeof BandCostSchema>;

export const DemandCostSchema = z.object({
  version_id: z.number(),
  peak_kw: z.number().describe('The bill’s highest 15-minute average kW in the period'),
  kw: z.number().describe('The kW charged: peak_kw, or for one meter its own kW in that quarter hour'),
  at: utcTime.describe('Start of the quarter hour of the peak'),
  price_per_kw: z.number(),
  amount: money,
});
export type DemandCost = z.infer<typeof DemandCostSchema>;

export const FeeCostSchema = z.object({
  version_id: z.number(),
  valid_from: z.string(),
  days: z.number().describe('Local days billed (a day partly in the range counts its share)'),
  day_fee: z.number(),
  day_amount: money,
  months: z.number().describe('Share of calendar months billed: each day counts 1 / the days of its month'),
  month_fee: z.number(),
  month_amount: money,
});
export type FeeCost = z.infer<typeof FeeCostSchema>;

export const ExportCostSchema = z.object({
  version_id: z.number(),
  valid_from: z.string(),
  price_per_kwh: z.number(),
  kwh: z.number(),
  amount: money,
});
export type ExportCost = z.infer<typeof ExportCostSchema>;

export const MeterCostSchema = z.object({ meter_id: z.number(), meter_name: z.string(), ...totals });
export type MeterCost = z.infer<typeof MeterCostSchema>;

export const TariffCostSchema = z.object({
  tariff_id: z.number(),
  tariff_name: z.string(),
  ...totals,
  energy: z.array(BandCostSchema).describe('Per tariff version and band'),
  demand: DemandCostSchema.nullable().describe('null: no energy drawn on this tariff in the period'),
  fees: z.array(FeeCostSchema).describe('Per tariff version'),
  export: z.array(ExportCostSchema).describe('Per tariff version'),
  meters: z.array(MeterCostSchema).describe('Each meter billed on this tariff: its share (no fixed fees)'),
});
export type TariffCost = z.infer<typeof TariffCostSchema>;

export const CostPeriodSchema = z.object({
  from: utcTime,
  to: utcTime,
  ...totals,
  unpriced_kwh: z.number().describe('Energy drawn while no tariff (or no version of it yet) applied: in no amount'),
  tariffs: z.array(TariffCostSchema),
});
export type CostPeriod = z.infer<typeof CostPeriodSchema>;

export const CostIntervalSchema = z.object({
  meter_id: z.number(),
  start: utcTime,
  tariff_id: z.number().nullable(),
  version_id: z.number().nullable(),
  band: z.string().nullable(),
  import_kwh: z.number(),
  price_per_kwh: z.number().nullable(),
  amount: money,
  export_kwh: z.number(),
  export_price_per_kwh: z.number().nullable(),
  export_credit: money,
  quality: z.enum(ENERGY_QUALITIES),
});
export type CostInterval = z.infer<typeof CostIntervalSchema>;

export const CostBreakdownResponseSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
  time_zone: z.string(),
  currency: z.string().describe('ISO 4217; every amount is in it'),
  from: utcTime,
  to: utcTime,
  period: z.enum(BILLING_PERIODS),
  periods: z.array(CostPeriodSchema).describe('Billing periods, clipped to from..to'),
  total: z.object({ ...totals, unpriced_kwh: z.number() }),
  intervals: z.array(CostIntervalSchema).nullable().describe('Every priced quarter hour, with intervals=true'),
});
export type CostBreakdownResponse = z.infer<typeof CostBreakdownResponseSchema>;
