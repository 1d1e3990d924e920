// GET /api/energy: energy per day, week or month for several sites or meters, against the previous period, with
// peak demand and base load. Browser-safe: no Node imports. Energies in kWh, power in kW, times ISO-8601 UTC.
import { z } from 'zod';
import { enumQuery, idListQuery, intQuery, isoQuery, tzQuery } from './query-kit.js';
import { describeType, utcTime } from './schema-kit.js';
import { ConsumptionGapSchema, CounterResetSchema } from './operator-answers.js';

export const ENERGY_INTERVALS = ['day', 'week', 'month'] as const;
export type EnergyInterval = (typeof ENERGY_INTERVALS)[number];

/** Peak demand is the highest average power over one interval this long (the usual demand-charge window). */
export const DEMAND_MINUTES = 15;
/**
 * Base load is the lowest 15-minute average power whose interval starts from 00:00 up to (not including) 05:00
 * local time: the hours when a building is closest to idle, so what it draws then runs all day.
 */
export const BASE_LOAD_HOURS = { from: 0, to: 5 } as const;

/** Longest range per interval (ranges over a day read the rollups; the raw reads of shorter ones stay bounded). */
export const ENERGY_MAX_DAYS: Record<EnergyInterval, number> = { day: 92, week: 371, month: 397 };
/** Most meter-days one answer reads (meters × days, ×2 with the comparison). */
export const ENERGY_MAX_METER_DAYS = 20_000;

const MAX_ID = 2 ** 31;
/** meter_id: one meter id or a comma-separated list. */
const meterIdList = () =>
  z
    .string({ error: (iss) => `meter_id must be given once, got ${describeType(iss.input)}` })
    .refine((v) => /^[1-9]\d{0,9}(,[1-9]\d{0,9}){0,199}$/.test(v) && v.split(',').every((n) => Number(n) < MAX_ID), {
      error: (iss) =>
        `meter_id must be a meter id or a comma-separated list of at most 200, got ${describeType(iss.input)}`,
      abort: true,
    })
    .transform((v) => [...new Set(v.split(',').map(Number))])
    .optional();

export const EnergyQuerySchema = z.object({
  /** Sites to include (only those the user may see); left out: every site of the user. */
  site_id: idListQuery(),
  /** Meters to include instead of whole sites. */
  meter_id: meterIdList(),
  from: isoQuery(),
  to: isoQuery(),
  interval: enumQuery(ENERGY_INTERVALS),
  /** previous: also the period just before, of as many intervals, aligned interval by interval. */
  compare: enumQuery(['previous', 'none']),
  /** One series per site (its meters summed) or per meter; left out: per meter when meter_id is given. */
  group: enumQuery(['site', 'meter']),
  tz: tzQuery(),
  /** Counter steps longer than this are gaps (as in /api/consumption). */
  gap_minutes: intQuery(1, 360),
});
export type EnergyQuery = z.infer<typeof EnergyQuerySchema>;

export const POWER_SOURCES = ['kw_point', 'kwh_counter', 'mixed'] as const;
export const PowerSourceSchema = z
  .enum(POWER_SOURCES)
  .describe(
    'kw_point: the 15-min average of the meter’s kW data point; kwh_counter: the kWh counter’s advance in 15 min × 4; mixed: a sum over meters of both kinds',
  );
export type PowerSource = z.infer<typeof PowerSourceSchema>;

export const DemandSchema = z.object({
  kw: z.number(),
  at: utcTime.describe('Start of the 15-minute interval'),
  source: PowerSourceSchema,
});
export type Demand = z.infer<typeof DemandSchema>;

export const EnergyBucketSchema = z.object({
  start: utcTime,
  end: utcTime,
  energy_kwh: z.number().nullable().describe('null: no reading covers this interval'),
  coverage: z.number().describe('Share of the interval covered by readings, 0 to 1'),
  complete: z.boolean().describe('False when part of the interval has no data'),
  peak: DemandSchema.nullable().describe('Highest 15-minute average power (null: no complete 15 minutes)'),
  base_load: DemandSchema.nullable().describe('Lowest 15-minute average power from 00:00 to 05:00 local'),
});
export type EnergyBucket = z.infer<typeof EnergyBucketSchema>;

export const EnergyPeriodSchema = z.object({
  from: utcTime,
  to: utcTime,
  total_kwh: z.number().describe('Energy placed in intervals'),
  unattributed_kwh: z.number().describe('Energy across gaps that span intervals, counted in none'),
  peak: DemandSchema.nullable(),
  base_load: DemandSchema.nullable(),
  buckets: z.array(EnergyBucketSchema),
  /** Gaps of the meters' counters (as /api/consumption reports them): attributed false = in no interval. */
  gaps: z.array(ConsumptionGapSchema.extend({ meter_name: z.string() })),
  resets: z
    .array(CounterResetSchema.extend({ meter_name: z.string() }))
    .describe('Counter resets (restarts near 0; a rollover at the wrap value counts as an advance)'),
});
export type EnergyPeriod = z.infer<typeof EnergyPeriodSchema>;

export const EnergySeriesSchema = z.object({
  /** "site:<id>" or "meter:<id>". */
  key: z.string(),
  kind: z.enum(['site', 'meter']),
  site_id: z.number(),
  site_name: z.string(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
  /** Meters with a kWh counter in this series. */
  meters: z.number(),
  current: EnergyPeriodSchema,
  /** The period before, bucket i against the current bucket i; null without compare=previous. */
  previous: EnergyPeriodSchema.nullable(),
  change_pct: z.number().nullable().describe('Current total against the previous one, in percent'),
});
export type EnergySeries = z.infer<typeof EnergySeriesSchema>;

export const EnergyResponseSchema = z.object({
  from: utcTime,
  to: utcTime,
  interval: z.enum(ENERGY_INTERVALS),
  tz: z.string(),
  compare: z.enum(['previous', 'none']),
  group: z.enum(['site', 'meter']),
  gap_threshold_s: z.number(),
  demand_minutes: z.literal(DEMAND_MINUTES),
  base_load_window: z.object({ from: z.literal('00:00'), to: z.literal('05:00') }).describe('Local time'),
  series: z.array(EnergySeriesSchema),
  total: z.object({
    current_kwh: z.number(),
    previous_kwh: z.number().nullable(),
    change_pct: z.number().nullable(),
  }),
});
export type EnergyResponse = z.infer<typeof EnergyResponseSchema>;

/** Percent change from `previous` to `current`, one decimal; null when either is unknown or previous is 0. */
export function changePct(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1000) / 10;
}
