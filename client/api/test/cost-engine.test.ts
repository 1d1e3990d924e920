import { describe, expect, it } from 'vitest';
import { bandTable, type BandDefinition } from '@meterit/shared';
import { computeCosts, type CostInput } from '../src/components/tariffs/cost-engine.js';
import type { QuarterEnergy } from '../src/components/tariffs/interval-energy-source.js';
import { LocalClock } from '../src/components/tariffs/local-clock.js';
import type { TariffSpec, VersionSpec } from '../src/components/tariffs/tariff-timeline.js';

// The cost engine on cases computed by hand. Every figure in a comment is the hand computation the test checks.
const Q = 900_000;
const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(iso);
const ALL = ['weekday', 'weekend', 'holiday'] as const;

/** A version from its bands (as the API stores them) and its other prices (0 unless given). */
function version(
  id: number,
  validFrom: string,
  bands: (BandDefinition & { price: number })[],
  extra: Partial<Omit<VersionSpec, 'id' | 'validFrom' | 'hours' | 'prices'>> = {},
): VersionSpec {
  const { table, problems } = bandTable(bands);
  expect(problems).toEqual([]);
  return {
    id,
    validFrom,
    hours: table as VersionSpec['hours'],
    prices: new Map(bands.map((b) => [b.name, b.price])),
    demandPricePerKw: 0,
    dayFee: 0,
    monthFee: 0,
    exportPricePerKwh: 0,
    ...extra,
  };
}
const flat = (price: number): (BandDefinition & { price: number })[] => [
  { name: 'flat', price, hours: [{ day_kinds: ALL, from_hour: 0, to_hour: 24 }] },
];
function tariff(id: number, versions: VersionSpec[], holidays: string[] = []): TariffSpec {
  return { id, name: `Tariff ${id}`, currency: 'EUR', holidays: new Set(holidays), versions };
}
const q = (meterId: number, start: number, importKwh: number, more: Partial<QuarterEnergy> = {}): QuarterEnergy => ({
  meterId,
  start,
  importKwh,
  exportKwh: 0,
  quality: 'measured',
  ...more,
});
/** `kwh` in every quarter hour of [from, to). */
const steady = (meterId: number, from: number, to: number, kwh: number) =>
  Array.from({ length: (to - from) / Q }, (_, i) => q(meterId, from + i * Q, kwh));

function costs(o: Partial<CostInput> & Pick<CostInput, 'from' | 'to' | 'energy'>, tariffs: TariffSpec[]) {
  return computeCosts({
    tz: 'UTC',
    period: 'month',
    meterIds: [...new Set(o.energy.map((e) => e.meterId))],
    tariffs: new Map(tariffs.map((t) => [t.id, t])),
    plan: { site: [{ validFrom: '2000-01-01', tariffId: tariffs[0]!.id }], meters: new Map() },
    ...o,
  });
}

describe('cost engine: bands by day kind and hour', () => {
  // Weekdays 08–20 peak 0.30, otherwise off-peak 0.20; weekends 0.15; holidays 0.10.
  const tou = tariff(
    1,
    [
      version(11, '2025-01-01', [
        { name: 'peak', price: 0.3, hours: [{ day_kinds: ['weekday'], from_hour: 8, to_hour: 20 }] },
        {
          name: 'off-peak',
          price: 0.2,
          hours: [
            { day_kinds: ['weekday'], from_hour: 0, to_hour: 8 },
            { day_kinds: ['weekday'], from_hour: 20, to_hour: 24 },
          ],
        },
        { name: 'weekend', price: 0.15, hours: [{ day_kinds: ['weekend'], from_hour: 0, to_hour: 24 }] },
        { name: 'holiday', price: 0.1, hours: [{ day_kinds: ['holiday'], from_hour: 0, to_hour: 24 }] },
      ]),
    ],
    ['2025-06-09'],
  );

  it('when energy falls on a weekday at peak and off-peak, a weekend day and a holiday Monday, then each quarter hour has the price of its band', () => {
    const r = costs(
      {
        from: utc('2025-06-01T00:00:00Z'),
        to: utc('2025-07-01T00:00:00Z'),
        energy: [
          q(1, utc('2025-06-02T07:45:00Z'), 1), // Monday 07:45 off-peak: 0.20
          q(1, utc('2025-06-02T08:00:00Z'), 1), // Monday 08:00 peak: 0.30
          q(1, utc('2025-06-07T12:00:00Z'), 2), // Saturday: 2 × 0.15 = 0.30
          q(1, utc('2025-06-09T12:00:00Z'), 1), // Whit Monday, in the calendar: 0.10
        ],
      },
      [tou],
    );
    expect(r.intervals.map((i) => [i.band, i.pricePerKwh, i.amount])).toEqual([
      ['off-peak', 0.2, 0.2],
      ['peak', 0.3, 0.3],
      ['weekend', 0.15, 0.3],
      ['holiday', 0.1, 0.1],
    ]);
    const bill = r.periods[0]!.tariffs[0]!;
    expect(bill.bands.map((b) => [b.band, b.kwh, b.amount])).toEqual([
      ['off-peak', 1, 0.2],
      ['peak', 1, 0.3],
      ['weekend', 2, 0.3],
      ['holiday', 1, 0.1],
    ]);
    expect(r.total.energyCost).toBeCloseTo(0.9, 12);
    expect(r.total.importKwh).toBe(5);
  });

  it('when a gap in the readings across the 08:00 band boundary was spread over its quarter hours, then the estimated energy before 08:00 is off-peak and after it peak', () => {
    // A gap 07:30–08:30 of 4 kWh spread evenly: 1 kWh in each quarter hour, two at 0.20 and two at 0.30.
    const est = { quality: 'estimated' } as const;
    const r = costs(
      {
        from: utc('2025-06-02T00:00:00Z'),
        to: utc('2025-06-03T00:00:00Z'),
        energy: [0, 1, 2, 3].map((i) => q(1, utc('2025-06-02T07:30:00Z') + i * Q, 1, est)),
      },
      [tou],
    );
    expect(r.periods[0]!.tariffs[0]!.bands.map((b) => [b.band, b.kwh, b.amount])).toEqual([
      ['off-peak', 2, 0.4],
      ['peak', 2, 0.6],
    ]);
    expect(r.total.estimatedKwh).toBe(4);
    expect(r.total.energyCost).toBeCloseTo(1, 12);
  });
});

describe('cost engine: versions, demand, fees, export', () => {
  it('when a new version starts mid-month, then energy before its date keeps the old price and the demand charge uses the version of the peak’s day', () => {
    // v1 from 06-01: 0.20/kWh, 10/kW; v2 from 06-16: 0.25/kWh, 12/kW.
    // 1 kWh per quarter hour on 06-15 and 06-16 (96 kWh each), plus 06-16 10:00 has 2 kWh (8 kW, the peak).
    // Energy: 96 × 0.20 + 97 × 0.25 = 19.2 + 24.25 = 43.45; demand 8 kW × 12 = 96.
    const t = tariff(1, [
      version(1, '2025-06-01', flat(0.2), { demandPricePerKw: 10 }),
      version(2, '2025-06-16', flat(0.25), { demandPricePerKw: 12 }),
    ]);
    const energy = steady(1, utc('2025-06-15T00:00:00Z'), utc('2025-06-17T00:00:00Z'), 1).map((e) =>
      e.start === utc('2025-06-16T10:00:00Z') ? { ...e, importKwh: 2 } : e,
    );
    const r = costs({ from: utc('2025-06-01T00:00:00Z'), to: utc('2025-07-01T00:00:00Z'), energy }, [t]);
    const bill = r.periods[0]!.tariffs[0]!;
    expect(bill.bands.map((b) => [b.versionId, b.kwh, b.amount])).toEqual([
      [1, 96, expect.closeTo(19.2, 9)],
      [2, 97, expect.closeTo(24.25, 9)],
    ]);
    expect(bill.demand).toMatchObject({ versionId: 2, peakKw: 8, at: utc('2025-06-16T10:00:00Z'), amount: 96 });
    expect(bill.total).toBeCloseTo(43.45 + 96, 9);
  });

  it('when two meters draw at the same time, then the demand charge is on their coincident peak and each meter carries its share of it', () => {
    // 10:00: 1 + 2 kWh = 3 kWh → 12 kW; 11:00: 2.5 kWh → 10 kW. Peak 12 kW × 10 = 120: meter 1 4 kW (40), meter 2 8 kW (80).
    const t = tariff(1, [version(1, '2025-06-01', flat(0), { demandPricePerKw: 10 })]);
    const r = costs(
      {
        from: utc('2025-06-01T00:00:00Z'),
        to: utc('2025-06-02T00:00:00Z'),
        energy: [
          q(1, utc('2025-06-01T10:00:00Z'), 1),
          q(2, utc('2025-06-01T10:00:00Z'), 2),
          q(1, utc('2025-06-01T11:00:00Z'), 2.5),
        ],
      },
      [t],
    );
    const bill = r.periods[0]!.tariffs[0]!;
    expect(bill.demand).toMatchObject({ peakKw: 12, at: utc('2025-06-01T10:00:00Z'), pricePerKw: 10, amount: 120 });
    expect(bill.meters.map((m) => [m.meterId, m.demandKw, m.demandCharge])).toEqual([
      [1, 4, 40],
      [2, 8, 80],
    ]);
    expect(bill.demandCharge).toBe(120);
  });

  it('when a range covers part of a month, then every local day pays the day fee and the month fee counts each day as 1/30 of June', () => {
    // 06-10 to 06-20: 10 days × 2 = 20; month fee 30 × 10/30 = 10. No energy: fees only.
    const t = tariff(1, [version(1, '2025-06-01', flat(0.2), { dayFee: 2, monthFee: 30 })]);
    const r = costs({ from: utc('2025-06-10T00:00:00Z'), to: utc('2025-06-20T00:00:00Z'), energy: [], meterIds: [1] }, [
      t,
    ]);
    expect(r.periods[0]!.tariffs[0]!.fees).toEqual([
      expect.objectContaining({ days: 10, dayAmount: 20, months: expect.closeTo(1 / 3, 12), monthAmount: 10 }),
    ]);
    expect(r.total.fixedFees).toBeCloseTo(30, 12);
  });

  it('when a meter feeds energy in, then its export counter is credited at the export price and subtracted from the total', () => {
    // 4 kWh drawn at 0.30 = 1.20; 10 kWh fed in at 0.08 = 0.80 credit; total 0.40.
    const t = tariff(1, [version(1, '2025-06-01', flat(0.3), { exportPricePerKwh: 0.08 })]);
    const r = costs(
      {
        from: utc('2025-06-01T00:00:00Z'),
        to: utc('2025-06-02T00:00:00Z'),
        energy: [q(1, utc('2025-06-01T09:00:00Z'), 4), q(1, utc('2025-06-01T12:00:00Z'), 0, { exportKwh: 10 })],
      },
      [t],
    );
    expect(r.periods[0]!.tariffs[0]!.exports).toEqual([
      expect.objectContaining({ pricePerKwh: 0.08, kwh: 10, amount: expect.closeTo(0.8, 12) }),
    ]);
    expect(r.total).toMatchObject({ importKwh: 4, exportKwh: 10 });
    expect(r.total.exportCredit).toBeCloseTo(0.8, 12);
    expect(r.total.total).toBeCloseTo(0.4, 12);
  });

  it('when a meter has its own tariff from a date and the site has none before its first, then each is billed on its own and energy before any tariff is unpriced', () => {
    // Site tariff 1 (0.20, day fee 1) from 06-02; meter 2 on tariff 2 (0.50, day fee 3) from 06-01.
    // 06-01: meter 1 unpriced (1 kWh), meter 2 1 kWh × 0.50; 06-02: meter 1 1 × 0.20, meter 2 1 × 0.50.
    // Fees over 06-01..06-03: tariff 1 one day (1), tariff 2 two days (6).
    const t1 = tariff(1, [version(1, '2025-06-01', flat(0.2), { dayFee: 1 })]);
    const t2 = tariff(2, [version(2, '2025-06-01', flat(0.5), { dayFee: 3 })]);
    const r = costs(
      {
        from: utc('2025-06-01T00:00:00Z'),
        to: utc('2025-06-03T00:00:00Z'),
        energy: [1, 2].flatMap((m) => [q(m, utc('2025-06-01T12:00:00Z'), 1), q(m, utc('2025-06-02T12:00:00Z'), 1)]),
        plan: {
          site: [{ validFrom: '2025-06-02', tariffId: 1 }],
          meters: new Map([[2, [{ validFrom: '2025-06-01', tariffId: 2 }]]]),
        },
      },
      [t1, t2],
    );
    const p = r.periods[0]!;
    expect(p.tariffs.map((b) => [b.tariffId, b.meters.map((m) => m.meterId), b.energyCost, b.fixedFees])).toEqual([
      [1, [1], 0.2, 1],
      [2, [2], 1, 6],
    ]);
    expect(p.unpricedKwh).toBe(1);
    expect(p.importKwh).toBe(4);
    expect(p.total).toBeCloseTo(0.2 + 1 + 1 + 6, 12);
  });
});

describe('cost engine: daylight saving time in Europe/Berlin', () => {
  // Night 00–06 at 0.10, day 06–24 at 0.30; a day fee of 1 and a month fee of 31; 0.25 kWh every quarter hour.
  const t = tariff(1, [
    version(
      1,
      '2025-01-01',
      [
        { name: 'night', price: 0.1, hours: [{ day_kinds: ALL, from_hour: 0, to_hour: 6 }] },
        { name: 'day', price: 0.3, hours: [{ day_kinds: ALL, from_hour: 6, to_hour: 24 }] },
      ],
      { dayFee: 1, monthFee: 31 },
    ),
  ]);
  const day = (from: string, to: string) => {
    const energy = steady(1, utc(from), utc(to), 0.25);
    return costs({ tz: 'Europe/Berlin', from: utc(from), to: utc(to), energy }, [t]);
  };

  it('when the clocks go forward (30 March, 23 hours), then the day has 5 night hours (02:00 never happens) and pays one day fee', () => {
    // 00:00 CET = 29 Mar 23:00Z to 24:00 CEST = 30 Mar 22:00Z. Night: 00, 01, 03, 04, 05 = 5 kWh × 0.10 = 0.50;
    // day 06–24 = 18 kWh × 0.30 = 5.40; fees: 1 day (1) + 1/31 of March (1).
    const r = day('2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z');
    const bill = r.periods[0]!.tariffs[0]!;
    expect(r.total.importKwh).toBe(23);
    expect(bill.bands.map((b) => [b.band, b.kwh])).toEqual([
      ['night', 5],
      ['day', 18],
    ]);
    expect(bill.energyCost).toBeCloseTo(5.9, 12);
    expect(bill.fees).toEqual([expect.objectContaining({ days: 1, dayAmount: 1, monthAmount: expect.closeTo(1, 12) })]);
    expect(r.periods.map((p) => [p.from, p.to])).toEqual([[utc('2025-03-29T23:00:00Z'), utc('2025-03-30T22:00:00Z')]]);
  });

  it('when the clocks go back (26 October, 25 hours), then 02:00–03:00 happens twice at the night price and the day still pays one day fee', () => {
    // 00:00 CEST = 25 Oct 22:00Z to 24:00 CET = 26 Oct 23:00Z. Night: 00, 01, 02, 02, 03, 04, 05 = 7 kWh × 0.10 = 0.70;
    // day 18 kWh × 0.30 = 5.40; 1 day fee; 1/31 of October's month fee.
    const r = day('2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z');
    const bill = r.periods[0]!.tariffs[0]!;
    expect(r.total.importKwh).toBe(25);
    expect(bill.bands.map((b) => [b.band, b.kwh])).toEqual([
      ['night', 7],
      ['day', 18],
    ]);
    expect(bill.energyCost).toBeCloseTo(6.1, 12);
    expect(bill.fees).toEqual([expect.objectContaining({ days: 1, dayAmount: 1, monthAmount: expect.closeTo(1, 12) })]);
  });

  it('when a range spans March and April in Berlin, then the billing periods are the local months or quarters (the switch at local midnight, not UTC)', () => {
    const clock = new LocalClock('Europe/Berlin');
    const from = utc('2025-02-28T23:00:00Z');
    const to = utc('2025-04-30T22:00:00Z');
    expect(clock.periods(from, to, 'month')).toEqual([
      { from, to: utc('2025-03-31T22:00:00Z') },
      { from: utc('2025-03-31T22:00:00Z'), to },
    ]);
    expect(clock.days(from, to).length).toBe(61);
    // Quarters start with January, April, July and October; a range from mid-February is clipped to it.
    const midFeb = utc('2025-02-14T23:00:00Z');
    expect(clock.periods(midFeb, to, 'quarter')).toEqual([
      { from: midFeb, to: utc('2025-03-31T22:00:00Z') },
      { from: utc('2025-03-31T22:00:00Z'), to },
    ]);
    expect(clock.days(utc('2025-03-29T23:00:00Z'), utc('2025-03-30T22:00:00Z'))).toEqual([
      { date: '2025-03-30', start: utc('2025-03-29T23:00:00Z'), end: utc('2025-03-29T23:00:00Z') + 23 * HOUR },
    ]);
  });
});
