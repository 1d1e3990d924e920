// What the energy layer needs to know of a site (issue 17): the time zone its days and months are counted in, the
// currency of its costs, its floor area (kWh per m²) and its emission factor (kg CO₂e per kWh, constant or per
// month). The fields of the site requests and answers, and the per-month factors' own contracts. Browser-safe: the
// lists come from the runtime's Intl, so the web app offers what the API accepts.
import { z } from 'zod';
import { describeType, fieldName, idParam, matching, strictBody, text, utcTime, type IssueAt } from './schema-kit.js';

export const DEFAULT_SITE_TIME_ZONE = 'UTC';
export const DEFAULT_SITE_CURRENCY = 'EUR';
/** Largest floor area taken: ten square kilometres of floor is no site, it is a unit mistake (ft², cm²). */
export const SITE_AREA_MAX_M2 = 10_000_000;
/**
 * Largest emission factor taken. Even lignite-fired power emits about 1.1–1.2 kg CO₂e/kWh over its life cycle, so
 * anything above 2 is almost surely grams (380 g/kWh typed as 380) or pounds per kWh.
 */
export const CO2_FACTOR_MAX_KG_PER_KWH = 2;

const at = (iss: IssueAt) => fieldName(iss.path);

let zones: readonly string[] | undefined;
/** IANA time zones a site may be in: UTC and every zone the runtime's Intl lists (canonical names), sorted. */
export function siteTimeZones(): readonly string[] {
  zones ??= [DEFAULT_SITE_TIME_ZONE, ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones;
}
let zoneSet: ReadonlySet<string> | undefined;

let currencies: readonly string[] | undefined;
/** ISO 4217 codes the runtime's Intl knows (those it can format and name), sorted. */
export function siteCurrencies(): readonly string[] {
  currencies ??= Intl.supportedValuesOf('currency');
  return currencies;
}

/**
 * The zone as it is stored, or why it cannot be. A listed zone as written; another name the runtime maps onto a
 * listed zone (an alias such as Asia/Calcutta, Europe/Kyiv on an ICU that lists Europe/Kiev, or another spelling such
 * as europe/berlin) as that zone, so every stored zone is one the server's list has and the database is checked to know.
 */
export function siteTimeZone(tz: string): { zone: string } | { problem: string } {
  zoneSet ??= new Set(siteTimeZones());
  if (zoneSet.has(tz)) return { zone: tz };
  let named: string | undefined;
  try {
    if (/^[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9_+-]+){1,2}$/.test(tz))
      named = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    named = undefined;
  }
  if (named === 'Etc/UTC' || named === 'Etc/GMT') named = DEFAULT_SITE_TIME_ZONE;
  if (named !== undefined && zoneSet.has(named)) return { zone: named };
  return { problem: 'must be an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"' };
}

/** A site's time zone (IANA); an alias is stored as the zone it names. */
export const timeZoneField = () =>
  text(1, 64, { expected: 'an IANA time zone such as "Europe/Berlin" or "UTC"' })
    .refine((v) => 'zone' in siteTimeZone(v), {
      error: (iss) => {
        const r = siteTimeZone(String(iss.input));
        return `${at(iss)} ${'problem' in r ? r.problem : 'is not a time zone'}, got ${describeType(iss.input)}`;
      },
      abort: true,
    })
    .transform((v) => (siteTimeZone(v) as { zone: string }).zone);

const currencyMessage = (iss: IssueAt) =>
  `${at(iss)} must be an ISO 4217 currency code of three capital letters such as "EUR", "USD" or "GBP", got ${describeType(iss.input)}`;
/** ISO 4217: three capital letters, and a code the runtime knows (not any three letters). */
export const currencyField = () =>
  z
    .string({ error: currencyMessage })
    .refine((v) => /^[A-Z]{3}$/.test(v), { error: currencyMessage, abort: true })
    .refine((v) => siteCurrencies().includes(v), {
      error: (iss) =>
        `${at(iss)} ${JSON.stringify(iss.input)} is not an ISO 4217 currency code (such as EUR, USD or GBP)`,
      abort: true,
    });

const areaMessage = (iss: IssueAt) =>
  `${at(iss)} must be the floor area in m², a number above 0 and at most ${SITE_AREA_MAX_M2.toLocaleString('en')} (or null when unknown), got ${describeType(iss.input)}`;
/** Floor area in m², for kWh per m²; null = unknown. */
export const areaField = () =>
  z
    .number({ error: areaMessage })
    .refine((v) => v > 0 && v <= SITE_AREA_MAX_M2, { error: areaMessage, abort: true })
    .nullable();

const factorMessage = (iss: IssueAt) => {
  const v = iss.input;
  const base = `${at(iss)} must be kg CO₂e per kWh from 0 to ${CO2_FACTOR_MAX_KG_PER_KWH}`;
  if (typeof v === 'number' && v > CO2_FACTOR_MAX_KG_PER_KWH)
    return `${base}, got ${v}: even coal-fired power emits only about 1 kg per kWh, so this is most likely grams per kWh (380 g/kWh is 0.38)`;
  return `${base}, got ${describeType(v)}`;
};
/** kg CO₂e per kWh, 0 to 2. */
export const co2FactorField = () =>
  z.number({ error: factorMessage }).refine((v) => v >= 0 && v <= CO2_FACTOR_MAX_KG_PER_KWH, {
    error: factorMessage,
    abort: true,
  });

/** The four settings as a site request takes them: each may be left out; area and factor may be null (unknown). */
export const siteSettingsWriteFields = {
  time_zone: timeZoneField().optional(),
  currency: currencyField().optional(),
  area_m2: areaField().optional(),
  co2_kg_per_kwh: co2FactorField().nullable().optional(),
};

/** The four settings in every site answer (list, one site, status). */
export const siteSettingsAnswerFields = {
  time_zone: z.string().describe('IANA time zone the site’s days, months, tariff bands and billing periods follow'),
  currency: z.string().describe('ISO 4217 code of the site’s costs'),
  area_m2: z.number().nullable().describe('Floor area in m² (for kWh per m²); null when not set'),
  co2_kg_per_kwh: z
    .number()
    .nullable()
    .describe('Emission factor in kg CO₂e per kWh; a month’s own factor wins over it; null when not set'),
};

// --- emission factors per month ---

/** A calendar month of the site's time zone, YYYY-MM. */
export const MONTH_FORMAT = /^20\d\d-(0[1-9]|1[0-2])$/;
export const MonthParamsSchema = z.object({
  id: idParam(),
  month: matching(MONTH_FORMAT, 'must be a month written YYYY-MM from 2000-01 to 2099-12, e.g. 2026-01'),
});
export type MonthParams = z.infer<typeof MonthParamsSchema>;

/** PUT /api/sites/:id/emission-factors/:month: that month's own factor. */
export const MonthFactorWriteSchema = strictBody(
  { kg_per_kwh: co2FactorField() },
  (input) => `the body must be a JSON object {"kg_per_kwh"}, got ${describeType(input)}`,
);
export type MonthFactorWrite = z.infer<typeof MonthFactorWriteSchema>;

export const MonthFactorSchema = z.object({
  month: z.string().describe('Calendar month in the site’s time zone, YYYY-MM'),
  kg_per_kwh: z.number().describe('kg CO₂e per kWh for that month; wins over the site’s constant factor'),
  updated_at: utcTime,
});
export type MonthFactor = z.infer<typeof MonthFactorSchema>;

/** GET /api/sites/:id/emission-factors: the constant factor and every month's own, oldest first. */
export const EmissionFactorsResponseSchema = z.object({
  site_id: z.number(),
  time_zone: siteSettingsAnswerFields.time_zone,
  co2_kg_per_kwh: siteSettingsAnswerFields.co2_kg_per_kwh,
  months: z.array(MonthFactorSchema),
});
export type EmissionFactorsResponse = z.infer<typeof EmissionFactorsResponseSchema>;

export const MonthFactorResponseSchema = z.object({ factor: MonthFactorSchema });
export type MonthFactorResponse = z.infer<typeof MonthFactorResponseSchema>;
