import type { EnergyQuality } from '@meterit/shared';

/** A meter's energy in one 15-minute interval (UTC quarter hour, which is a local quarter hour in every zone). */
export interface QuarterEnergy {
  meterId: number;
  /** Start of the quarter hour, ms since the epoch. */
  start: number;
  /** Energy drawn, kWh: the meter's import counters together. */
  importKwh: number;
  /** Energy fed in, kWh: the meter's export counters (isExportPoint) together. */
  exportKwh: number;
  /** estimated: part of it is energy across a gap in the readings, spread over the gap in proportion to time. */
  quality: EnergyQuality;
}

export interface IntervalEnergyRequest {
  siteId: number;
  /** Meters of the site. */
  meterIds: number[];
  from: Date;
  to: Date;
}

/**
 * The port the cost service reads energy through: per meter and quarter hour over [from, to), import and export
 * kWh with their quality. Quarter hours with no energy known (before a meter's first reading, after its last) are
 * left out; energy across a gap in the readings is spread over the gap's quarter hours and marked estimated, so no
 * kWh the counters advanced is left unbilled. A quarter hour partly outside [from, to) holds only the part inside.
 *
 * Implementation: interval-energy.ts (the energy component's sources: rollups for ranges over a day, raw readings otherwise).
 */
export interface IntervalEnergySource {
  quarterHours(q: IntervalEnergyRequest): Promise<QuarterEnergy[]>;
}
