// Time-of-use bands of a tariff version: which band each local hour of each day kind is in. One table for the
// request's check (every hour of every day kind exactly once), the cost engine and any week grid in the web app.
// Browser-safe: no imports.

/** Weekday: Monday to Friday; weekend: Saturday and Sunday; holiday: a date of the tariff's holiday calendar (wins over both). */
export const DAY_KINDS = ['weekday', 'weekend', 'holiday'] as const;
export type DayKind = (typeof DAY_KINDS)[number];

/** Local hours [from_hour, to_hour) of the listed day kinds. */
export interface BandHours {
  day_kinds: readonly DayKind[];
  from_hour: number;
  to_hour: number;
}

export interface BandDefinition {
  name: string;
  hours: readonly BandHours[];
}

/** The band name of each local hour (index 0–23) of each day kind; null where no band covers the hour. */
export type BandTable = Record<DayKind, (string | null)[]>;

export interface BandProblem {
  /** Relative to the version: ['bands', 1, 'hours', 0] or ['bands']. */
  path: (string | number)[];
  message: string;
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** Hours as ranges: [0,1,2,7] → "00:00–03:00, 07:00–08:00". */
function ranges(hours: number[]): string {
  const out: string[] = [];
  let start = hours[0];
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i] as number;
    const next = hours[i + 1];
    if (next === h + 1) continue;
    out.push(`${hh(start as number)}–${hh(h + 1)}`);
    start = next;
  }
  return out.join(', ');
}

/**
 * Fill the table from the bands and say what is wrong: a band name used twice, an hour range that ends before it
 * starts, an hour two bands claim, and the hours no band covers.
 */
export function bandTable(bands: readonly BandDefinition[]): { table: BandTable; problems: BandProblem[] } {
  const table: BandTable = {
    weekday: Array(24).fill(null),
    weekend: Array(24).fill(null),
    holiday: Array(24).fill(null),
  };
  const problems: BandProblem[] = [];
  const seen = new Set<string>();
  bands.forEach((band, i) => {
    if (seen.has(band.name))
      problems.push({
        path: ['bands', i, 'name'],
        message: `band name "${band.name}" is used twice; give each band one entry listing all its hours`,
      });
    seen.add(band.name);
    band.hours.forEach((r, j) => {
      if (r.to_hour <= r.from_hour) {
        problems.push({
          path: ['bands', i, 'hours', j, 'to_hour'],
          message: `to_hour must be after from_hour (hours run from 0 to 24), got ${r.from_hour} to ${r.to_hour}`,
        });
        return;
      }
      for (const kind of r.day_kinds) {
        const taken = new Map<string, number[]>();
        for (let h = r.from_hour; h < r.to_hour; h++) {
          const owner = table[kind][h];
          if (owner === null || owner === undefined) table[kind][h] = band.name;
          else taken.set(owner, [...(taken.get(owner) ?? []), h]);
        }
        for (const [owner, hours] of taken)
          problems.push({
            path: ['bands', i, 'hours', j],
            message: `${kind} ${ranges(hours)} is in band "${owner}" and in band "${band.name}"; every hour of every day kind must be in exactly one band`,
          });
      }
    });
  });
  const uncovered = DAY_KINDS.flatMap((kind) => {
    const free = table[kind].flatMap((b, h) => (b === null ? [h] : []));
    return free.length > 0 ? [`${kind} ${ranges(free)}`] : [];
  });
  if (uncovered.length > 0)
    problems.push({
      path: ['bands'],
      message: `no band covers ${uncovered.join('; ')}; the bands must cover every hour of weekdays, weekends and holidays`,
    });
  return { table, problems };
}
