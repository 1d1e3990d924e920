// Tariffs (versioned in time), their holiday calendars and their assignment to sites and meters: one zod schema per
// request and answer, types from z.infer. Costs are in cost-contracts.ts. Browser-safe: no Node imports.
import { z } from 'zod';
import { currencyField } from './site-settings.js';
import { DAY_KINDS, bandTable } from './tariff-bands.js';
import {
  describeType,
  fieldName,
  finite,
  idField,
  idParam,
  list,
  oneOf,
  strictBody,
  text,
  type IssueAt,
} from './schema-kit.js';

const at = (iss: IssueAt) => fieldName(iss.path);
const jsonObject = () => 'the body must be a JSON object';
const atMost = (what: string, max: number) => (n: number, name: string) =>
  `${name} may hold at most ${max} ${what}, got ${n}`;

/** Every tariff, version, band and assignment date is between these (a reading before 2000 is refused too). */
const FIRST_DATE = '2000-01-01';
const LAST_DATE = '2199-12-31';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `v` is a real calendar date YYYY-MM-DD from 2000 to 2199. */
export function isLocalDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v && v >= FIRST_DATE && v <= LAST_DATE;
}

/** A calendar date YYYY-MM-DD: a day of the site's own calendar (it starts at local midnight in the site's time zone). */
export const localDate = () => {
  const message = (iss: IssueAt) =>
    `${at(iss)} must be a date YYYY-MM-DD from ${FIRST_DATE} to ${LAST_DATE}, got ${describeType(iss.input)}`;
  return z.string({ error: message }).refine(isLocalDate, { error: message, abort: true });
};

const price = (what: string, min: number, max: number) => finite(`${what} from ${min} to ${max}`, { min, max });
const fee = (what: string) => price(what, 0, 1e7).optional();

const unique = (what: string) => (items: unknown[]) => {
  const dup = items.find((v, i) => items.indexOf(v) !== i);
  return dup === undefined ? undefined : `${what} ${JSON.stringify(dup)} is listed twice`;
};

const HourRangeSchema = strictBody(
  {
    day_kinds: list(oneOf(DAY_KINDS), 3, atMost('day kinds', 3), unique('day kind')).refine((v) => v.length > 0, {
      error: (iss) => `${at(iss)} must name weekday, weekend or holiday`,
      abort: true,
    }),
    from_hour: z
      .number({ error: (iss) => `${at(iss)} must be a whole hour from 0 to 23, got ${describeType(iss.input)}` })
      .refine((v) => Number.isInteger(v) && v >= 0 && v <= 23, {
        error: (iss) => `${at(iss)} must be a whole hour from 0 to 23, got ${describeType(iss.input)}`,
        abort: true,
      }),
    to_hour: z
      .number({ error: (iss) => `${at(iss)} must be a whole hour from 1 to 24, got ${describeType(iss.input)}` })
      .refine((v) => Number.isInteger(v) && v >= 1 && v <= 24, {
        error: (iss) => `${at(iss)} must be a whole hour from 1 to 24, got ${describeType(iss.input)}`,
        abort: true,
      }),
  },
  () => 'each entry of hours must be an object {"day_kinds", "from_hour", "to_hour"}',
);

const BandWriteSchema = strictBody(
  {
    name: text(1, 50, { trim: true, expected: 'a band name of 1 to 50 characters, e.g. "peak"' }),
    price_per_kwh: price('a price per kWh', -1000, 1000),
    hours: list(HourRangeSchema, 72, atMost('hour ranges', 72)).refine((v) => v.length > 0, {
      error: (iss) => `${at(iss)} must list at least one hour range`,
      abort: true,
    }),
  },
  () => 'each band must be an object {"name", "price_per_kwh", "hours"}',
);

/**
 * One version of a tariff, in force from `valid_from` (local midnight at each site) until the next version.
 * Prices are per kWh, demand per kW of the billing period's highest 15-minute average, fees per local day and per
 * calendar month, all in the tariff's currency. The bands must cover every hour of every day kind exactly once.
 */
export const TariffVersionWriteSchema = strictBody(
  {
    valid_from: localDate(),
    bands: list(BandWriteSchema, 24, atMost('bands', 24)),
    demand_price_per_kw: fee('a price per kW'),
    day_fee: fee('a fee per day'),
    month_fee: fee('a fee per month'),
    export_price_per_kwh: price('a price per exported kWh', -1000, 1000).optional(),
  },
  jsonObject,
).superRefine((v, ctx) => {
  for (const p of bandTable(v.bands).problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});
export type TariffVersionWrite = z.infer<typeof TariffVersionWriteSchema>;

/** POST /api/tariffs: a tariff with its versions, oldest first, each from a later date. */
export const TariffCreateSchema = strictBody(
  {
    name: text(1, 255, { trim: true }),
    // The sites' own rule: a tariff is assigned only to sites of its currency.
    currency: currencyField(),
    holiday_calendar_id: idField().nullable().optional(),
    versions: list(TariffVersionWriteSchema, 100, atMost('versions', 100)).superRefine((versions, ctx) => {
      if (versions.length === 0) ctx.addIssue({ code: 'custom', message: 'a tariff needs at least one version' });
      versions.forEach((v, i) => {
        const before = versions[i - 1];
        if (before && v.valid_from <= before.valid_from)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'valid_from'],
            message: `version dates out of order: ${v.valid_from} must be after ${before.valid_from}, the date of the version before it (versions are listed oldest first)`,
          });
      });
    }),
  },
  jsonObject,
);
export type TariffCreate = z.infer<typeof TariffCreateSchema>;

/** PATCH /api/tariffs/:id: only the name (the currency and calendar shape the bills already made). */
export const TariffUpdateSchema = strictBody({ name: text(1, 255, { trim: true }) }, jsonObject);
export type TariffUpdate = z.infer<typeof TariffUpdateSchema>;

export const HolidayCalendarWriteSchema = strictBody(
  {
    name: text(1, 255, { trim: true }),
    dates: list(localDate(), 3660, atMost('dates', 3660), unique('date')),
  },
  jsonObject,
);
export type HolidayCalendarWrite = z.infer<typeof HolidayCalendarWriteSchema>;
export const HolidayCalendarUpdateSchema = HolidayCalendarWriteSchema.partial();
export type HolidayCalendarUpdate = z.infer<typeof HolidayCalendarUpdateSchema>;

/**
 * POST /api/sites/:id/tariffs: from `valid_from` on, the site (or only `meter_id`) is billed on `tariff_id`.
 * null: the site has no tariff from then on; for a meter, the meter goes back to the site's tariff.
 */
export const TariffAssignmentWriteSchema = strictBody(
  { tariff_id: idField().nullable(), valid_from: localDate(), meter_id: idField().optional() },
  jsonObject,
);
export type TariffAssignmentWrite = z.infer<typeof TariffAssignmentWriteSchema>;

export const TariffVersionParamsSchema = z.object({ id: idParam(), versionId: idParam() });
export const TariffAssignmentParamsSchema = z.object({ id: idParam(), assignmentId: idParam() });

// --- answers ---

const named = z.object({ id: z.number(), name: z.string() });
const inEffect = z
  .boolean()
  .describe('true once its date has begun anywhere on Earth: from then on it is history and can no longer change');

export const HolidayCalendarSchema = z.object({
  id: z.number(),
  name: z.string(),
  dates: z.array(z.string()).describe('YYYY-MM-DD, ascending'),
  tariffs: z.array(named).describe('Tariffs that take their holidays from this calendar'),
});
export type HolidayCalendar = z.infer<typeof HolidayCalendarSchema>;
export const HolidayCalendarsResponseSchema = z.object({ calendars: z.array(HolidayCalendarSchema) });
export type HolidayCalendarsResponse = z.infer<typeof HolidayCalendarsResponseSchema>;

export const TariffBandSchema = z.object({
  name: z.string(),
  price_per_kwh: z.number(),
  hours: z.array(z.object({ day_kinds: z.array(z.enum(DAY_KINDS)), from_hour: z.number(), to_hour: z.number() })),
});
export type TariffBand = z.infer<typeof TariffBandSchema>;

export const TariffVersionSchema = z.object({
  id: z.number(),
  valid_from: z.string().describe('YYYY-MM-DD: from local midnight of this date at each site'),
  bands: z.array(TariffBandSchema),
  demand_price_per_kw: z.number(),
  day_fee: z.number(),
  month_fee: z.number(),
  export_price_per_kwh: z.number(),
  in_effect: inEffect,
});
export type TariffVersion = z.infer<typeof TariffVersionSchema>;

export const TariffSchema = z.object({
  id: z.number(),
  name: z.string(),
  currency: z.string(),
  holiday_calendar: named.nullable(),
  versions: z.array(TariffVersionSchema).describe('Oldest first'),
  sites: z.array(named).describe('Sites (of those you may see) that are or were billed on it, whole or for a meter'),
});
export type Tariff = z.infer<typeof TariffSchema>;
export const TariffResponseSchema = z.object({ tariff: TariffSchema });
export const TariffsResponseSchema = z.object({ tariffs: z.array(TariffSchema) });
export type TariffsResponse = z.infer<typeof TariffsResponseSchema>;

export const TariffAssignmentSchema = z.object({
  id: z.number(),
  meter_id: z.number().nullable().describe('null: the whole site'),
  meter_name: z.string().nullable(),
  valid_from: z.string(),
  tariff_id: z.number().nullable().describe("null: no tariff (site) or back to the site's tariff (meter)"),
  tariff_name: z.string().nullable(),
  in_effect: inEffect,
});
export type TariffAssignment = z.infer<typeof TariffAssignmentSchema>;
export const TariffAssignmentsResponseSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  time_zone: z.string(),
  currency: z.string(),
  assignments: z.array(TariffAssignmentSchema).describe('The site first, then each meter; each oldest first'),
});
export type TariffAssignmentsResponse = z.infer<typeof TariffAssignmentsResponseSchema>;
