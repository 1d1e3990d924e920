import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComparePeriodsResponseSchema, type ComparePeriodsResponse, type SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login, registerAndSend } from './operator-helpers.js';

// A site in Europe/Berlin (CEST, UTC+2 in June) with one kWh counter read every 15 minutes, uploaded through the real
// sync endpoint in two years: Tue 10 June 2025 local (the day compared), Mon 9 June 2025 (the day before) and
// Mon 10 June 2024 (the same date a year earlier), each with an hour of readings either side.
//
// Draw per quarter hour: 10 June 2025 1 kWh (4 kW), plus 1 kWh more 10:00–10:15 local (8 kW, the peak);
// 9 June 2025 0.5 kWh (2 kW); 10 June 2024 0.75 kWh (3 kW).
// Energy: 96 + 1 = 97 kWh; 48 kWh; 72 kWh. Base load (00:00–05:00 local): 4, 2 and 3 kW.
// A flat tariff of 0.20 EUR/kWh from 2025-01-01, no fees: 19.40 and 9.60 EUR; June 2024 has no tariff (no cost).
// CO₂: the site's factor 0.4 kg/kWh; June 2024 has a month factor of its own, 0.5: 38.8, 19.2 and 36 kg.
// Changes against the day before: energy and cost (97 − 48) / 48 = 102.1 %, peak (8 − 2) / 2 = 300 %, base load 100 %;
// against last year: energy (97 − 72) / 72 = 34.7 %, CO₂ (38.8 − 36) / 36 = 7.8 %, peak 166.7 %, base load 33.3 %.
const Q = 900_000;
const DAY = '2025-06-09T22:00:00.000Z'; // Tue 10 Jun 2025 00:00 CEST
const DAY_END = '2025-06-10T22:00:00.000Z';
const BEFORE = '2025-06-08T22:00:00.000Z'; // Mon 9 Jun 2025 00:00 CEST
const YEAR_AGO = '2024-06-09T22:00:00.000Z'; // Mon 10 Jun 2024 00:00 CEST
const YEAR_AGO_END = '2024-06-10T22:00:00.000Z';
const PEAK = '2025-06-10T08:00:00.000Z'; // 10:00 CEST
const utc = (s: string) => Date.parse(s);
const HOUR = 3_600_000;

/** Counter readings every quarter hour over [from − 1 h, to + 1 h], advancing by draw(t) kWh after each. */
function counter(from: string, to: string, start: number, draw: (t: number) => number): SyncReading[] {
  const out: SyncReading[] = [];
  let total = start;
  for (let t = utc(from) - HOUR; t <= utc(to) + HOUR; t += Q) {
    const timestamp = new Date(t).toISOString();
    out.push({
      meter_external_id: 'main',
      data_point: 'total_kwh',
      timestamp,
      unit: 'kWh',
      quality: 'good',
      value: total,
    });
    total += draw(t);
  }
  return out;
}
const readings = (): SyncReading[] => [
  ...counter(YEAR_AGO, YEAR_AGO_END, 1000, () => 0.75),
  ...counter(BEFORE, DAY_END, 5000, (t) => (t < utc(DAY) ? 0.5 : t === utc(PEAK) ? 2 : 1)),
];

let api: RunningClientApi;
let works: TestSite;
let other: TestSite;
let admin: string;
let mainId: number;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  works = await createSite(api, 'Works');
  other = await createSite(api, 'Other works');
  const main = meter('main', {
    data_points: [
      { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
    ],
  });
  await registerAndSend(api, works.key, [main], readings());
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  mainId = (await api.db.knex('meters').where({ external_id: 'main' }).first<{ id: number }>('id'))!.id;
  const ok = async (method: string, path: string, body: unknown, status = 200) => {
    const res = await as(api, admin, method, path, body);
    expect(res.status, JSON.stringify(res.json)).toBe(status);
    return res.json;
  };
  await ok('PATCH', `/api/sites/${works.id}`, { time_zone: 'Europe/Berlin', currency: 'EUR', co2_kg_per_kwh: 0.4 });
  await ok('PUT', `/api/sites/${works.id}/emission-factors/2024-06`, { kg_per_kwh: 0.5 });
  const flat = { day_kinds: ['weekday', 'weekend', 'holiday'], from_hour: 0, to_hour: 24 };
  const created = await ok(
    'POST',
    '/api/tariffs',
    {
      name: 'Flat',
      currency: 'EUR',
      versions: [
        {
          valid_from: '2025-01-01',
          bands: [{ name: 'flat', price_per_kwh: 0.2, hours: [flat] }],
          demand_price_per_kw: 0,
          day_fee: 0,
          month_fee: 0,
          export_price_per_kwh: 0,
        },
      ],
    },
    201,
  );
  await ok('POST', `/api/sites/${works.id}/tariffs`, { tariff_id: created.tariff.id, valid_from: '2025-01-01' }, 201);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function compare(query: string, token = admin): Promise<ComparePeriodsResponse> {
  const res = await as(api, token, 'GET', `/api/energy/compare?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return ComparePeriodsResponseSchema.parse(res.json);
}

describe('when an operator compares a local day with the day before and the same day last year', () => {
  it('then energy, cost, CO₂, peak with its time and base load are the hand computation, with their changes', async () => {
    const r = await compare(`site_id=${works.id}&period=day&at=2025-06-10T12:00:00%2B02:00`);
    expect(r).toMatchObject({ site_name: 'Works', time_zone: 'Europe/Berlin', currency: 'EUR', meter_id: null });
    expect(r.current).toMatchObject({ from: DAY, to: DAY_END, energy_kwh: 97, has_data: true, complete: true });
    expect(r.current.cost).toBeCloseTo(19.4, 9);
    expect(r.current.co2_kg).toBeCloseTo(38.8, 9);
    expect(r.current.peak).toMatchObject({ kw: 8, at: PEAK });
    expect(r.current.base_load?.kw).toBeCloseTo(4, 9);

    expect(r.previous).toMatchObject({ from: BEFORE, to: DAY, energy_kwh: 48, complete: true });
    expect(r.previous.cost).toBeCloseTo(9.6, 9);
    expect(r.previous.co2_kg).toBeCloseTo(19.2, 9);
    expect(r.previous.peak?.kw).toBeCloseTo(2, 9);
    expect(r.previous.base_load?.kw).toBeCloseTo(2, 9);

    expect(r.last_year).toMatchObject({ from: YEAR_AGO, to: YEAR_AGO_END, energy_kwh: 72, cost: null, complete: true });
    expect(r.last_year.co2_kg).toBeCloseTo(36, 9);
    expect(r.last_year.peak?.kw).toBeCloseTo(3, 9);

    expect(r.change.previous).toEqual({
      energy_kwh: 102.1,
      cost: 102.1,
      co2_kg: 102.1,
      peak_kw: 300,
      base_load_kw: 100,
    });
    expect(r.change.last_year).toEqual({
      energy_kwh: 34.7,
      cost: null,
      co2_kg: 7.8,
      peak_kw: 166.7,
      base_load_kw: 33.3,
    });
    expect(r.lacking_data).toEqual([]);
  });

  it('then one meter of the site gives the same figures under its name', async () => {
    const r = await compare(`site_id=${works.id}&meter_id=${mainId}&period=day&at=${DAY}`);
    expect(r).toMatchObject({ meter_id: mainId, meter_name: 'Meter main' });
    expect(r.current.energy_kwh).toBe(97);
    expect(r.current.cost).toBeCloseTo(19.4, 9);
    expect(r.change.last_year.energy_kwh).toBe(34.7);
  });

  it('then a custom range is compared with as long a range just before it', async () => {
    // 10:00–12:00 local on 10 June: 9 kWh (8 quarter hours + the peak's extra kWh); 08:00–10:00: 8 kWh.
    const r = await compare(
      `site_id=${works.id}&period=custom&from=2025-06-10T10:00:00%2B02:00&to=2025-06-10T12:00:00%2B02:00`,
    );
    expect(r.current).toMatchObject({ from: '2025-06-10T08:00:00.000Z', energy_kwh: 9 });
    expect(r.previous).toMatchObject({
      from: '2025-06-10T06:00:00.000Z',
      to: '2025-06-10T08:00:00.000Z',
      energy_kwh: 8,
    });
    expect(r.last_year).toMatchObject({ from: '2024-06-10T08:00:00.000Z', energy_kwh: 6 });
    expect(r.change.previous.energy_kwh).toBe(12.5);
  });
});

describe('when a compared period has no readings for part or all of it', () => {
  it('then the answer names it, and a period without any reading has no energy and no change', async () => {
    const r = await compare(`site_id=${works.id}&period=month&at=${DAY}`);
    expect(r.current).toMatchObject({ from: '2025-05-31T22:00:00.000Z', to: '2025-06-30T22:00:00.000Z' });
    expect(r.previous).toMatchObject({ from: '2025-04-30T22:00:00.000Z', has_data: false, energy_kwh: null });
    expect(r.change.previous.energy_kwh).toBeNull();
    expect(r.lacking_data).toEqual(['current', 'previous', 'last_year']);
  });
});

describe('when the question is wrong or not the user’s to ask', () => {
  it('then a user limited to another site finds no such site, and bad input gets a 400 that says why', async () => {
    const limited = await createUser(api, 'other@example.test', 'operator', [other.id]);
    const hidden = await as(api, limited, 'GET', `/api/energy/compare?site_id=${works.id}&period=day`);
    expect(hidden.status).toBe(404);

    const cases: [string, number, RegExp][] = [
      ['period=day', 400, /site_id is required/],
      [`site_id=${works.id}&period=custom&from=${DAY}`, 400, /needs both from and to/],
      [`site_id=${works.id}&period=day&from=${DAY}`, 400, /from and to go with period=custom/],
      [`site_id=${works.id}&period=custom&from=${DAY_END}&to=${DAY}`, 400, /from must be before to/],
      [`site_id=${works.id}&period=fortnight`, 400, /period/],
      [`site_id=${other.id}&meter_id=${mainId}&period=day`, 404, /no meter/],
    ];
    for (const [query, status, message] of cases) {
      const res = await as(api, admin, 'GET', `/api/energy/compare?${query}`);
      expect(res.status, query).toBe(status);
      expect(JSON.stringify(res.json), query).toMatch(message);
    }
  });
});
