import { describe, expect, it } from 'vitest';
import { co2Kg, emissionFactorAt, monthIn } from '../src/components/emissions/emission-factors.js';

// The CO₂ arithmetic of the energy views, on hand-computed cases. No database: the functions are pure.
const berlin = { time_zone: 'Europe/Berlin', co2_kg_per_kwh: 0.4 };
const months = [
  { month: '2026-01', kg_per_kwh: 0.45 },
  { month: '2026-03', kg_per_kwh: 0.31 },
];
const at = (iso: string) => new Date(iso);

describe('the emission factor at an instant', () => {
  it('when the month has a factor of its own, then it wins over the constant; in other months the constant applies', () => {
    expect(emissionFactorAt(berlin, months, at('2026-01-15T12:00:00Z'))).toBe(0.45);
    expect(emissionFactorAt(berlin, months, at('2026-02-15T12:00:00Z'))).toBe(0.4);
    expect(emissionFactorAt(berlin, months, at('2026-03-31T12:00:00Z'))).toBe(0.31);
  });

  it('when an instant is already the next month on the site’s wall clock but not in UTC, then the site’s month counts', () => {
    // 23:30 UTC on 28 Feb is 00:30 on 1 March in Berlin (UTC+1): March.
    expect(emissionFactorAt(berlin, months, at('2026-02-28T23:30:00Z'))).toBe(0.31);
    expect(emissionFactorAt({ ...berlin, time_zone: 'UTC' }, months, at('2026-02-28T23:30:00Z'))).toBe(0.4);
    // 03:00 UTC on 1 March is still 28 February, 19:00, in Los Angeles (UTC−8): not March.
    const la = { time_zone: 'America/Los_Angeles', co2_kg_per_kwh: 0.2 };
    expect(emissionFactorAt(la, months, at('2026-03-01T03:00:00Z'))).toBe(0.2);
    expect(emissionFactorAt(la, months, at('2026-03-01T08:00:00Z'))).toBe(0.31);
  });

  it('when summer time has begun, then the month still turns at local midnight (UTC+2 in Berlin)', () => {
    // 31 May 22:30 UTC is 1 June 00:30 CEST.
    expect(monthIn('Europe/Berlin', at('2026-05-31T22:30:00Z'))).toBe('2026-06');
    expect(monthIn('Europe/Berlin', at('2026-05-31T21:30:00Z'))).toBe('2026-05');
  });

  it('when the site has neither a constant factor nor one for the month, then the factor is unknown (null), not 0', () => {
    expect(emissionFactorAt({ time_zone: 'UTC', co2_kg_per_kwh: null }, [], at('2026-02-01T00:00:00Z'))).toBeNull();
    expect(emissionFactorAt({ time_zone: 'UTC', co2_kg_per_kwh: null }, months, at('2026-03-01T00:00:00Z'))).toBe(0.31);
  });

  it('when a month’s own factor is 0 (all renewable that month), then 0 wins over the constant', () => {
    expect(emissionFactorAt(berlin, [{ month: '2026-07', kg_per_kwh: 0 }], at('2026-07-10T10:00:00Z'))).toBe(0);
  });
});

describe('CO₂ of an energy', () => {
  it('when kWh and a factor are known, then kg CO₂e is their product', () => {
    // 1,234.5 kWh × 0.38 kg/kWh = 469.11 kg.
    expect(co2Kg(1234.5, 0.38)).toBeCloseTo(469.11, 9);
    expect(co2Kg(0, 0.5)).toBe(0);
    expect(co2Kg(250, 0)).toBe(0);
  });

  it('when either is unknown, then so is the CO₂ (null): a missing factor never reads as zero emissions', () => {
    expect(co2Kg(100, null)).toBeNull();
    expect(co2Kg(null, 0.4)).toBeNull();
    expect(co2Kg(Number.NaN, 0.4)).toBeNull();
  });

  it('when a month is summed from its days, then each day’s CO₂ uses the factor of the month it lies in', () => {
    // 31 January and 1 February in Berlin, 100 kWh each: 100 × 0.45 + 100 × 0.4 = 85 kg.
    const days = [at('2026-01-30T23:00:00Z'), at('2026-01-31T23:00:00Z')];
    const total = days.reduce((sum, d) => sum + (co2Kg(100, emissionFactorAt(berlin, months, d)) ?? 0), 0);
    expect(total).toBeCloseTo(85, 9);
  });
});
