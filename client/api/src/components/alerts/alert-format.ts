/** How alerts write durations and values in titles, details and e-mails. */

/** A duration for people: seconds, minutes, hours or days. */
export const fmtMinutes = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 6) / 10;
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
};

/** A duration as an alert's value in minutes, to two decimals. */
export const minutesOf = (ms: number): number => Math.round((ms / 60_000) * 100) / 100;

/** A reading's value: one decimal from 100 up, three below. */
export const fmtNum = (v: number): string =>
  Math.abs(v) >= 100 ? String(Math.round(v * 10) / 10) : String(Math.round(v * 1000) / 1000);
