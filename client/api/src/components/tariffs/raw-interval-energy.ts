import { isExportPoint, type ConsumptionGap, type EnergyQuality } from '@meterit/shared';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { attributeSteps, energyCounters } from '../readings/consumption.js';
import { bySeries, keyOf, quarterBoundaries } from '../readings/energy.js';
import type { ReadingsQueryRepository } from '../readings/readings-query-repository.js';
import type { IntervalEnergyRequest, IntervalEnergySource, QuarterEnergy } from './interval-energy-source.js';
import { QUARTER_MS } from './local-clock.js';

/** Two readings further apart than this are a gap: their energy is spread and marked estimated (as /api/consumption's default). */
const DEFAULT_GAP_SECONDS = 15 * 60;

/**
 * The share of an unattributed gap's energy (`attributeSteps` leaves a gap that spans intervals out of all of them)
 * in each quarter hour it overlaps inside `range`, in proportion to time: what a counter read at both ends of the
 * gap says the meter drew, at the same rate throughout.
 */
export function spreadGap(
  gap: Pick<ConsumptionGap, 'from' | 'to' | 'energy_kwh'>,
  range: { from: number; to: number },
): { start: number; kwh: number }[] {
  const t0 = Date.parse(gap.from);
  const t1 = Date.parse(gap.to);
  const lo = Math.max(t0, range.from);
  const hi = Math.min(t1, range.to);
  const out: { start: number; kwh: number }[] = [];
  for (let start = Math.floor(lo / QUARTER_MS) * QUARTER_MS; start < hi; start += QUARTER_MS) {
    const overlap = Math.min(start + QUARTER_MS, hi) - Math.max(start, lo);
    if (overlap > 0) out.push({ start, kwh: (gap.energy_kwh * overlap) / (t1 - t0) });
  }
  return out;
}

/**
 * IntervalEnergySource on the raw readings, with the counter arithmetic the energy views use: counterSteps (resets,
 * rollovers) and attributeSteps on 15-minute boundaries. A meter's import is the sum of its energy counters that are
 * not export counters (isExportPoint), its export the sum of those that are.
 */
export class RawIntervalEnergy implements IntervalEnergySource {
  constructor(
    private readonly steps: ReadingsQueryRepository,
    private readonly meters: MeterDirectory,
    private readonly gapSeconds = DEFAULT_GAP_SECONDS,
  ) {}

  async quarterHours(q: IntervalEnergyRequest): Promise<QuarterEnergy[]> {
    if (q.meterIds.length === 0) return [];
    const meters = await this.meters.list({ siteIds: [q.siteId], meterIds: q.meterIds, includeInactive: true });
    const counters = meters.flatMap((m) =>
      energyCounters(m).map((c) => ({ siteId: m.site_id, meterId: m.id, ...c, exported: isExportPoint(c.dataPoint) })),
    );
    const steps = bySeries(await this.steps.counterSteps(counters, q.from, q.to, '15m', 'UTC', this.gapSeconds));
    const edges = quarterBoundaries(q.from, q.to);
    const range = { from: q.from.getTime(), to: q.to.getTime() };
    const out = new Map<string, QuarterEnergy>();
    const add = (meterId: number, start: number, kwh: number, exported: boolean, quality: EnergyQuality) => {
      const key = `${meterId}|${start}`;
      let e = out.get(key);
      if (!e) {
        e = { meterId, start, importKwh: 0, exportKwh: 0, quality: 'measured' };
        out.set(key, e);
      }
      if (exported) e.exportKwh += kwh;
      else e.importKwh += kwh;
      if (quality === 'estimated') e.quality = 'estimated';
    };
    for (const c of counters) {
      const series = steps.get(keyOf({ meter_id: c.meterId, data_point: c.dataPoint })) ?? [];
      const energy = attributeSteps(series, edges, range, this.gapSeconds * 1000, c.factor);
      for (const b of energy.buckets)
        if (b.energy_kwh !== null) add(c.meterId, Date.parse(b.start), b.energy_kwh, c.exported, 'measured');
      for (const gap of energy.gaps.filter((g) => !g.attributed))
        for (const part of spreadGap(gap, range)) add(c.meterId, part.start, part.kwh, c.exported, 'estimated');
    }
    return [...out.values()].sort((a, b) => a.start - b.start || a.meterId - b.meterId);
  }
}
