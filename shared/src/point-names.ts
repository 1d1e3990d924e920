// Names people understand for the data points meters report ("Energy (kWh)", not `total_kwh`).
// Browser-safe, no dependencies: the web apps, the MCP servers and e-mails can all use it.

/** The common data point names and what they measure; the unit comes from the reading or the meter. */
const KNOWN: Readonly<Record<string, string>> = {
  total_kwh: 'Energy',
  energy: 'Energy',
  energy_kwh: 'Energy',
  import_kwh: 'Energy imported',
  export_kwh: 'Energy exported',
  total_kvarh: 'Reactive energy',
  current_kw: 'Power',
  power: 'Power',
  power_kw: 'Power',
  active_power: 'Power',
  reactive_power: 'Reactive power',
  apparent_power: 'Apparent power',
  power_factor: 'Power factor',
  pf: 'Power factor',
  voltage: 'Voltage',
  current: 'Current',
  frequency: 'Frequency',
  temperature: 'Temperature',
};

/** Phases and line-to-line pairs as suffixes: `voltage_l1` → "Voltage L1", `voltage_l1_l2` → "Voltage L1–L2". */
const PHASE = /^(.*?)_(l[1-3]|n)(?:_(l[1-3]|n))?$/;

/** Units a point's name may carry at its end when the reading has none (`total_kwh` → kWh). */
const UNIT_SUFFIX: Readonly<Record<string, string>> = {
  kwh: 'kWh',
  wh: 'Wh',
  mwh: 'MWh',
  kw: 'kW',
  w: 'W',
  kvar: 'kvar',
  kvarh: 'kvarh',
  kva: 'kVA',
  v: 'V',
  a: 'A',
  hz: 'Hz',
};

/** snake_case or camelCase as words with a capital first letter: `boiler_flow_temp` → "Boiler flow temp". */
function words(name: string): string {
  const spaced = name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1) : name;
}

/** What a data point measures, in words: `total_kwh` → "Energy", `voltage_l1` → "Voltage L1", else its words. */
export function pointName(name: string): string {
  const known = KNOWN[name.toLowerCase()];
  if (known) return known;
  const phase = PHASE.exec(name.toLowerCase());
  if (phase) {
    const base = KNOWN[phase[1]!] ?? words(phase[1]!);
    const p = (s: string) => s.toUpperCase();
    return `${base} ${p(phase[2]!)}${phase[3] ? `–${p(phase[3])}` : ''}`;
  }
  // A unit at the end says the unit, not what it is: `boiler_kwh` → "Boiler".
  const suffix = /^(.+)_([a-z]+)$/i.exec(name);
  if (suffix && UNIT_SUFFIX[suffix[2]!.toLowerCase()]) return words(suffix[1]!);
  return words(name);
}

/**
 * Whether an energy counter counts energy fed into the grid (export, feed-in) rather than drawn from it: its name
 * starts with "export", "exported" or "feed_in"/"feedin" (`export_kwh`, `exported_energy_wh`, `feed_in_kwh`), in any case. Costs
 * credit such a counter at the export price and never charge it as consumption.
 */
export function isExportPoint(name: string): boolean {
  return /^(export(ed)?|feed_?in)(_|$)/i.test(name);
}

/** The unit a point's name implies (`total_kwh` → "kWh"), for readings stored without one. */
export function unitFromName(name: string): string | null {
  const suffix = /_([a-z]+)$/i.exec(name);
  return suffix ? (UNIT_SUFFIX[suffix[1]!.toLowerCase()] ?? null) : null;
}

/** A data point's label with its unit, as in a table heading or a chart axis: "Energy (kWh)", "Voltage L1 (V)". */
export function pointLabel(name: string, unit?: string | null): string {
  const u = unit?.trim() || unitFromName(name);
  return u ? `${pointName(name)} (${u})` : pointName(name);
}
