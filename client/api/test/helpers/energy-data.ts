import { expect } from 'vitest';
import type { Knex } from 'knex';
import type { SyncReading } from '@meterit/shared';
import { createRandom } from '@meterit/simulator';

// Generated meter data for the energy tests, and what the rollup tables hold.

export const MINUTE = 60_000;
export const QUARTER = 15 * MINUTE;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface CounterPlan {
  meter: string;
  /** Readings at from, from + step, … up to and including `to` (ms). */
  from: number;
  to: number;
  stepMs: number;
  /** Power drawn from a reading's time until the next one, kW. */
  kw: (t: number) => number;
  startKwh?: number;
  /** Offset of reading i from its slot (a meter's polling is never exact). */
  jitterMs?: (i: number) => number;
  /** Readings that never arrive (the counter keeps counting meanwhile). */
  skip?: (t: number) => boolean;
  /** The counter restarts from 0 just after the reading before this one. */
  resetAt?: (t: number) => boolean;
  /** Also a current_kw reading at each time (the power at that moment). */
  power?: boolean;
}

/** What a meter with a cumulative kWh counter (data point total_kwh) sent under the plan. */
export function counterReadings(p: CounterPlan): SyncReading[] {
  const out: SyncReading[] = [];
  const base = { meter_external_id: p.meter, quality: 'good' };
  let counter = p.startKwh ?? 1000;
  let prev: number | undefined;
  for (let i = 0; p.from + i * p.stepMs <= p.to; i++) {
    const t = p.from + i * p.stepMs + (p.jitterMs?.(i) ?? 0);
    if (prev !== undefined) {
      const kwh = (p.kw(prev) * (t - prev)) / HOUR;
      counter = p.resetAt?.(t) ? kwh : counter + kwh;
    }
    prev = t;
    if (p.skip?.(t)) continue;
    const timestamp = new Date(t).toISOString();
    out.push({ ...base, data_point: 'total_kwh', timestamp, value: counter, unit: 'kWh' });
    if (p.power) out.push({ ...base, data_point: 'current_kw', timestamp, value: p.kw(t), unit: 'kW' });
  }
  return out;
}

/** A deterministic pseudo-random sequence in [0, 1) (the simulator's mulberry32), so a failing run can be repeated. */
export const seeded = createRandom;

export interface RollupRow {
  /** The interval the row stands for, ms. */
  from: number;
  to: number;
  /** The whole row as stored, computed_at included. */
  row: string;
}

/** Every rollup row of a site (quarter hours, power, hours/days/months, site rows, counter events), by key. */
export async function rollupRows(knex: Knex, siteId: number): Promise<Map<string, RollupRow>> {
  const out = new Map<string, RollupRow>();
  type Row = Record<string, unknown>;
  const read = async (sql: string, key: (r: Row) => string, span: (r: Row) => [Date, Date]) => {
    const { rows } = await knex.raw<{ rows: Row[] }>(sql, [siteId]);
    for (const r of rows) {
      const [from, to] = span(r);
      out.set(key(r), { from: from.getTime(), to: to.getTime(), row: JSON.stringify(r) });
    }
  };
  const plusQuarter = (r: Row): [Date, Date] => [r.start as Date, new Date((r.start as Date).getTime() + QUARTER)];
  await read(
    'SELECT * FROM energy_quarter_hours WHERE site_id = ?',
    (r) => `quarter ${r.meter_id} ${r.data_point} ${(r.start as Date).toISOString()}`,
    plusQuarter,
  );
  await read(
    'SELECT * FROM power_quarter_hours WHERE site_id = ?',
    (r) => `power ${r.meter_id} ${r.data_point} ${(r.start as Date).toISOString()}`,
    plusQuarter,
  );
  await read(
    'SELECT * FROM energy_rollups WHERE site_id = ?',
    (r) => `${r.grain} ${r.meter_id} ${r.data_point} ${(r.start as Date).toISOString()}`,
    (r) => [r.start as Date, r.ends_at as Date],
  );
  await read(
    'SELECT * FROM site_energy_rollups WHERE site_id = ?',
    (r) => `site ${r.grain} ${(r.start as Date).toISOString()}`,
    (r) => [r.start as Date, r.ends_at as Date],
  );
  await read(
    'SELECT * FROM energy_counter_events WHERE site_id = ?',
    (r) => `event ${r.meter_id} ${r.data_point} ${(r.t1 as Date).toISOString()}`,
    (r) => [r.t0 as Date, r.t1 as Date],
  );
  return out;
}

/** Deep equality where numbers may differ by float summation order (1e-6, the answers' rounding). */
export function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(2e-6);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length, `${path}: length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), `${path}: keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}
