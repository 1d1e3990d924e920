// A site's emission factor at an instant, and the CO₂ of an energy: the arithmetic the energy views (day, week, month,
// per site and across sites) put beside kWh. Pure: no clock, no database; the views load the factors once
// (EmissionsService.factorsFor) and ask per interval. A component of its own rather than a file of sites/: the energy
// component imports it without reaching into sites (status, keys, heartbeats), and it holds its table's SQL and routes.

/** What of a site the factor depends on (a SiteStatus / SiteSummary has these fields). */
export interface EmissionSite {
  /** IANA zone its calendar months are counted in. */
  time_zone: string;
  /** The constant factor, kg CO₂e per kWh; null when none is set. */
  co2_kg_per_kwh: number | null;
}

/** A month's own factor: `month` is YYYY-MM in the site's time zone. */
export interface MonthEmissionFactor {
  month: string;
  kg_per_kwh: number;
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM of the calendar month `at` falls in, in `timeZone` (the site's wall calendar, not UTC's). */
export function monthIn(timeZone: string, at: Date): string {
  let f = monthFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit' });
    monthFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const year = parts.find((p) => p.type === 'year')?.value;
  const month = parts.find((p) => p.type === 'month')?.value;
  return `${year}-${month}`;
}

/**
 * kg CO₂e per kWh at `at`: the site's own factor for the month `at` falls in (in the site's time zone) where one is
 * set, else its constant factor, else null (unknown: no CO₂ figure rather than a made-up one). Ask by an interval's
 * start: a day, hour or quarter hour of the site's zone lies in one month; a week or a period across a month's end is
 * summed from its days.
 */
export function emissionFactorAt(
  site: EmissionSite,
  monthFactors: readonly MonthEmissionFactor[],
  at: Date,
): number | null {
  if (monthFactors.length > 0) {
    const month = monthIn(site.time_zone, at);
    const own = monthFactors.find((f) => f.month === month);
    if (own) return own.kg_per_kwh;
  }
  return site.co2_kg_per_kwh;
}

/**
 * kg CO₂e of `kwh` at `factor` kg/kWh, unrounded (the view rounds what it shows). null when either is unknown, so a
 * missing factor or a missing energy never reads as zero emissions. Exported energy (negative kWh) gives a negative
 * figure: what the site's export displaced at the same factor.
 */
export function co2Kg(kwh: number | null, factor: number | null): number | null {
  if (kwh === null || factor === null || !Number.isFinite(kwh) || !Number.isFinite(factor)) return null;
  return kwh * factor;
}
