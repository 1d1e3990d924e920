// GET /api/energy/compare: one site's (or one meter's) period against the period before and the same period a year
// earlier: energy, cost, CO₂, peak demand and base load, with the change of each. Browser-safe: no Node imports.
// Energies in kWh, power in kW, money in the site's currency, times ISO-8601 UTC.
import { z } from 'zod';
import { enumQuery, idQuery, isoQuery } from './query-kit.js';
import { utcTime } from './schema-kit.js';
import { DemandSchema } from './energy-contracts.js';

/** Calendar periods in the site's time zone, or custom: from and to as given. */
export const COMPARE_PERIODS = ['day', 'week', 'month', 'year', 'custom'] as const;
export type ComparePeriod = (typeof COMPARE_PERIODS)[number];
export const COMPARISONS = ['previous', 'last_year'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const ComparePeriodsQuerySchema = z
  .object({
    site_id: idQuery(),
    /** One meter of the site instead of the whole site. */
    meter_id: idQuery(),
    period: enumQuery(COMPARE_PERIODS),
    /** An instant inside the day, week, month or year to compare; left out: now. */
    at: isoQuery(),
    /** period=custom: the range itself. */
    from: isoQuery(),
    to: isoQuery(),
  })
  .superRefine((q, ctx) => {
    if (q.site_id === undefined)
      ctx.addIssue({ code: 'custom', path: ['site_id'], message: "site_id is required: periods are the site's own" });
    const custom = q.period === 'custom';
    if (custom && (q.from === undefined || q.to === undefined))
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'period=custom needs both from and to' });
    if (!custom && (q.from !== undefined || q.to !== undefined))
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'from and to go with period=custom; otherwise give at' });
    if (custom && q.at !== undefined)
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'at goes with a calendar period, not with period=custom' });
  });
export type ComparePeriodsQuery = z.infer<typeof ComparePeriodsQuerySchema>;

export const PeriodFiguresSchema = z.object({
  from: utcTime,
  to: utcTime,
  energy_kwh: z.number().nullable().describe('Energy drawn; null when no reading covers any of the period'),
  has_data: z.boolean(),
  complete: z.boolean().describe('False when part of the period has no readings'),
  cost: z.number().nullable().describe("Total cost in the site's currency; null when no tariff priced the period"),
  co2_kg: z.number().nullable().describe('kg CO₂e at the site’s factor; null without a factor or energy'),
  peak: DemandSchema.nullable().describe('Highest 15-minute average power'),
  base_load: DemandSchema.nullable().describe('Lowest 15-minute average power from 00:00 to 05:00 local'),
});
export type PeriodFigures = z.infer<typeof PeriodFiguresSchema>;

export const FigureChangesSchema = z
  .object({
    energy_kwh: z.number().nullable(),
    cost: z.number().nullable(),
    co2_kg: z.number().nullable(),
    peak_kw: z.number().nullable(),
    base_load_kw: z.number().nullable(),
  })
  .describe('Change of the current figure against the compared one, in percent (null when either is unknown or 0)');
export type FigureChanges = z.infer<typeof FigureChangesSchema>;

export const ComparePeriodsResponseSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
  time_zone: z.string(),
  currency: z.string(),
  period: z.enum(COMPARE_PERIODS),
  current: PeriodFiguresSchema,
  previous: PeriodFiguresSchema.describe('The period just before, as long (a calendar period: the one before)'),
  last_year: PeriodFiguresSchema.describe('The same local dates a year earlier'),
  change: z.object({ previous: FigureChangesSchema, last_year: FigureChangesSchema }),
  lacking_data: z
    .array(z.enum(['current', ...COMPARISONS]))
    .describe('Periods with no readings for part or all of their time: their figures and changes are partial'),
});
export type ComparePeriodsResponse = z.infer<typeof ComparePeriodsResponseSchema>;
