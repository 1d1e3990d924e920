import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CostBreakdownResponseSchema,
  TariffAssignmentsResponseSchema,
  TariffsResponseSchema,
  type CostBreakdownResponse,
  type SyncReading,
  type TariffVersionWrite,
} from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login, registerAndSend } from './operator-helpers.js';

// A site in Europe/Berlin with one meter reading its import counter (total_kwh) and its export counter (export_kwh)
// every 15 minutes, sent through the real sync endpoint, from Sunday 30 March 2025 (the 23-hour day the clocks go
// forward) to Tuesday 1 April 2025 (a holiday in the tariff's calendar). A tariff in EUR has a new price from April.
//
// Draw: 1 kWh every quarter hour (4 kW), plus 2 kWh more on Mon 31 Mar 10:00–10:15 local (12 kW, March's peak) and
// 1 kWh more on Tue 1 Apr 14:00–14:15 (8 kW, April's peak). Feed-in: 0.5 kWh a quarter hour 12:00–14:00 local on
// both weekdays (4 kWh a day). No readings from Mon 06:30 to 07:30 local: the counters' 4 kWh across that gap are
// spread over its four quarter hours (estimated), two before the 07:00 band boundary and two after.
//
// Version 1 (from 2025-03-01): day 07–19 weekdays 0.30, night 0.20, weekend 0.15, holiday 0.10; 10/kW; day fee 1,
//   month fee 31, export 0.08.
// Version 2 (from 2025-04-01): day 0.40, night 0.25, weekend 0.20, holiday 0.12; 12/kW; day fee 2, month fee 60, export 0.07.
//
// March (30–31, local): Sunday 23 h × 4 = 92 kWh × 0.15 = 13.80; Monday night (00–07, 19–24) 48 kWh × 0.20 = 9.60,
//   day 48 + 2 = 50 kWh × 0.30 = 15.00 → energy 38.40. Demand 12 kW × 10 = 120. Fees 2 days × 1 + 2/31 × 31 = 4.
//   Export 4 × 0.08 = 0.32. Total 38.40 + 120 + 4 − 0.32 = 162.08.
// April (1, holiday, v2): 97 kWh × 0.12 = 11.64; demand 8 kW × 12 = 96; fees 2 + 60/30 = 4; export 4 × 0.07 = 0.28.
//   Total 111.36. Both: 273.44.
const Q = 900_000;
const FROM = '2025-03-29T23:00:00.000Z'; // Sun 30 Mar 00:00 CET
const APRIL = '2025-03-31T22:00:00.000Z'; // Tue 1 Apr 00:00 CEST
const TO = '2025-04-01T22:00:00.000Z'; // Wed 2 Apr 00:00 CEST
const utc = (s: string) => Date.parse(s);
const GAP = { from: utc('2025-03-31T04:30:00Z'), to: utc('2025-03-31T05:30:00Z') }; // Mon 06:30–07:30 CEST

function drawKwh(t: number): number {
  if (t === utc('2025-03-31T08:00:00Z')) return 3; // Mon 10:00 CEST
  if (t === utc('2025-04-01T12:00:00Z')) return 2; // Tue 14:00 CEST
  return 1;
}
function feedKwh(t: number): number {
  const local = new Date(t + 2 * 3_600_000); // CEST on both weekdays
  const weekday = local.getUTCDay() === 1 || local.getUTCDay() === 2;
  return weekday && local.getUTCHours() >= 12 && local.getUTCHours() < 14 ? 0.5 : 0;
}

/** Counter readings every quarter hour from an hour before FROM to an hour after TO, none inside the gap. */
function readings(): SyncReading[] {
  const out: SyncReading[] = [];
  let total = 1000;
  let exported = 50;
  for (let t = utc(FROM) - 3_600_000; t <= utc(TO) + 3_600_000; t += Q) {
    if (t > GAP.from && t < GAP.to) {
      total += drawKwh(t - Q);
      exported += feedKwh(t - Q);
      continue;
    }
    const timestamp = new Date(t).toISOString();
    const base = { meter_external_id: 'main', timestamp, unit: 'kWh', quality: 'good' };
    out.push({ ...base, data_point: 'total_kwh', value: total });
    out.push({ ...base, data_point: 'export_kwh', value: exported });
    total += drawKwh(t);
    exported += feedKwh(t);
  }
  return out;
}

const bands = (day: number, night: number, weekend: number, holiday: number) => [
  { name: 'day', price_per_kwh: day, hours: [{ day_kinds: ['weekday'], from_hour: 7, to_hour: 19 }] },
  {
    name: 'night',
    price_per_kwh: night,
    hours: [
      { day_kinds: ['weekday'], from_hour: 0, to_hour: 7 },
      { day_kinds: ['weekday'], from_hour: 19, to_hour: 24 },
    ],
  },
  { name: 'weekend', price_per_kwh: weekend, hours: [{ day_kinds: ['weekend'], from_hour: 0, to_hour: 24 }] },
  { name: 'holiday', price_per_kwh: holiday, hours: [{ day_kinds: ['holiday'], from_hour: 0, to_hour: 24 }] },
];
const V1 = {
  valid_from: '2025-03-01',
  bands: bands(0.3, 0.2, 0.15, 0.1),
  demand_price_per_kw: 10,
  day_fee: 1,
  month_fee: 31,
  export_price_per_kwh: 0.08,
} as TariffVersionWrite;
const V2 = {
  valid_from: '2025-04-01',
  bands: bands(0.4, 0.25, 0.2, 0.12),
  demand_price_per_kw: 12,
  day_fee: 2,
  month_fee: 60,
  export_price_per_kwh: 0.07,
} as TariffVersionWrite;

let api: RunningClientApi;
let works: TestSite;
let other: TestSite;
let admin: string;
let tariffId: number;
let mainId: number;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  works = await createSite(api, 'Works');
  other = await createSite(api, 'Other works');
  const main = meter('main', {
    data_points: [
      { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
      { object_type: 'analogInput', instance: 1, property: 'presentValue', name: 'export_kwh', unit: 'kWh' },
    ],
  });
  await registerAndSend(api, works.key, [main], readings());
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  const settings = await as(api, admin, 'PATCH', `/api/sites/${works.id}`, {
    time_zone: 'Europe/Berlin',
    currency: 'EUR',
  });
  expect(settings.status, JSON.stringify(settings.json)).toBe(200);
  mainId = (await api.db.knex('meters').where({ external_id: 'main' }).first<{ id: number }>('id'))!.id;

  const calendar = await as(api, admin, 'POST', '/api/holiday-calendars', {
    name: 'Works holidays',
    dates: ['2025-04-01', '2025-12-25'],
  });
  expect(calendar.status, JSON.stringify(calendar.json)).toBe(201);
  const created = await as(api, admin, 'POST', '/api/tariffs', {
    name: 'Works TOU',
    currency: 'EUR',
    holiday_calendar_id: calendar.json.calendar.id,
    versions: [V1],
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  tariffId = created.json.tariff.id;
  // A new price from April: a second version, appended.
  const added = await as(api, admin, 'POST', `/api/tariffs/${tariffId}/versions`, V2);
  expect(added.status, JSON.stringify(added.json)).toBe(201);
  const assigned = await as(api, admin, 'POST', `/api/sites/${works.id}/tariffs`, {
    tariff_id: tariffId,
    valid_from: '2025-03-01',
  });
  expect(assigned.status, JSON.stringify(assigned.json)).toBe(201);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function costs(query: string, token = admin): Promise<CostBreakdownResponse> {
  const res = await as(api, token, 'GET', `/api/costs?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return CostBreakdownResponseSchema.parse(res.json);
}
const range = `from=${FROM}&to=${TO}`;

describe('when a tariff with a new price from April prices readings the site uploaded', () => {
  it('then the cost per local month is the hand computation: bands by day kind, demand, fees and export credit', async () => {
    const r = await costs(`site_id=${works.id}&${range}&period=month`);
    expect(r).toMatchObject({ time_zone: 'Europe/Berlin', currency: 'EUR', meter_id: null });
    expect(r.periods.map((p) => [p.from, p.to])).toEqual([
      [FROM, APRIL],
      [APRIL, TO],
    ]);
    const [march, april] = r.periods;
    const bill = march!.tariffs[0]!;
    expect(bill.energy.map((b) => [b.valid_from, b.band, b.kwh, b.amount])).toEqual([
      ['2025-03-01', 'weekend', 92, 13.8],
      ['2025-03-01', 'night', 48, 9.6],
      ['2025-03-01', 'day', 50, 15],
    ]);
    expect(bill.demand).toMatchObject({ peak_kw: 12, at: '2025-03-31T08:00:00.000Z', price_per_kw: 10, amount: 120 });
    expect(bill.fees).toEqual([
      expect.objectContaining({
        valid_from: '2025-03-01',
        days: 2,
        day_amount: 2,
        months: expect.closeTo(2 / 31, 9),
        month_amount: 2,
      }),
    ]);
    expect(bill.export).toEqual([expect.objectContaining({ kwh: 4, amount: 0.32 })]);
    expect(march).toMatchObject({ import_kwh: 190, estimated_kwh: 4, export_kwh: 4, unpriced_kwh: 0 });
    expect(march!.total).toBeCloseTo(162.08, 9);

    const aprilBill = april!.tariffs[0]!;
    expect(aprilBill.energy.map((b) => [b.valid_from, b.band, b.kwh, b.amount])).toEqual([
      ['2025-04-01', 'holiday', 97, 11.64],
    ]);
    expect(aprilBill.demand).toMatchObject({ peak_kw: 8, at: '2025-04-01T12:00:00.000Z', amount: 96 });
    expect(aprilBill.fixed_fees).toBeCloseTo(4, 9);
    expect(aprilBill.export_credit).toBeCloseTo(0.28, 9);
    expect(april!.total).toBeCloseTo(111.36, 9);
    expect(r.total.total).toBeCloseTo(273.44, 9);
  });

  it('then the gap across the 07:00 band boundary is spread over its quarter hours, estimated, half night and half day', async () => {
    const from = new Date(GAP.from).toISOString();
    const to = new Date(GAP.to).toISOString();
    const r = await costs(`site_id=${works.id}&from=${from}&to=${to}&intervals=true`);
    expect(r.intervals!.map((i) => [i.start.slice(11, 16), i.band, i.import_kwh, i.quality])).toEqual([
      ['04:30', 'night', 1, 'estimated'],
      ['04:45', 'night', 1, 'estimated'],
      ['05:00', 'day', 1, 'estimated'],
      ['05:15', 'day', 1, 'estimated'],
    ]);
    expect(r.total.energy_cost).toBeCloseTo(2 * 0.2 + 2 * 0.3, 9);
  });

  it("then one meter's costs are its energy, export and demand share, without the bill's fixed fees", async () => {
    const r = await costs(`site_id=${works.id}&meter_id=${mainId}&${range}`);
    expect(r.meter_name).toBe('Meter main');
    const [march, april] = r.periods;
    expect(march!.tariffs[0]!.fees).toEqual([]);
    expect(march!.fixed_fees).toBe(0);
    expect(march!.total).toBeCloseTo(162.08 - 4, 9);
    expect(april!.tariffs[0]!.demand).toMatchObject({ kw: 8, peak_kw: 8, amount: 96 });
    expect(r.total.total).toBeCloseTo(273.44 - 8, 9);
  });

  it('then the tariff lists both versions (history, in effect) and the site it bills', async () => {
    const res = await as(api, admin, 'GET', '/api/tariffs');
    const [t] = TariffsResponseSchema.parse(res.json).tariffs;
    expect(t!.versions.map((v) => [v.valid_from, v.in_effect])).toEqual([
      ['2025-03-01', true],
      ['2025-04-01', true],
    ]);
    expect(t!.versions[0]!.bands[1]).toEqual(V1.bands[1]);
    expect(t!.sites).toEqual([{ id: works.id, name: 'Works' }]);
    const a = TariffAssignmentsResponseSchema.parse(
      (await as(api, admin, 'GET', `/api/sites/${works.id}/tariffs`)).json,
    );
    expect(a.assignments.map((x) => [x.meter_id, x.valid_from, x.tariff_name, x.in_effect])).toEqual([
      [null, '2025-03-01', 'Works TOU', true],
    ]);
  });
});

describe('when bad tariffs, versions and assignments are sent', () => {
  const tariff = (extra: Record<string, unknown>) => ({ name: 'Bad', currency: 'EUR', versions: [V1], ...extra });
  const expectError = async (method: string, path: string, body: unknown, status: number, message: RegExp) => {
    const res = await as(api, admin, method, path, body);
    expect(res.status, JSON.stringify(res.json)).toBe(status);
    expect(res.json.error.message).toMatch(message);
  };

  it('then each is a 4xx naming what is wrong, and nothing is stored', async () => {
    const before = await api.db.knex('tariff_versions').count<{ n: string }[]>('* as n');
    const overlap = {
      ...V1,
      bands: [...V1.bands, { name: 'extra', price_per_kwh: 1, hours: [V1.bands[0]!.hours[0]] }],
    };
    await expectError(
      'POST',
      '/api/tariffs',
      tariff({ versions: [overlap] }),
      400,
      /weekday 07:00–19:00 is in band "day" and in band "extra"/,
    );
    const gap = { ...V1, bands: V1.bands.slice(1) };
    await expectError('POST', '/api/tariffs', tariff({ versions: [gap] }), 400, /no band covers weekday 07:00–19:00/);
    await expectError(
      'POST',
      '/api/tariffs',
      tariff({ currency: 'EU' }),
      400,
      /currency must be an ISO 4217 currency code of three capital letters/,
    );
    await expectError(
      'POST',
      '/api/tariffs',
      tariff({ versions: [V2, V1] }),
      400,
      /version dates out of order: 2025-03-01 must be after 2025-04-01/,
    );
    await expectError(
      'POST',
      `/api/tariffs/${tariffId}/versions`,
      { ...V1, valid_from: '2025-03-15' },
      409,
      /version dates out of order: a new version must start after the latest one \(2025-04-01\)/,
    );
    const v1 = (await as(api, admin, 'GET', `/api/tariffs/${tariffId}`)).json.tariff.versions[0].id as number;
    await expectError(
      'PUT',
      `/api/tariffs/${tariffId}/versions/${v1}`,
      V2,
      409,
      /in force since 2025-03-01 and is history now/,
    );
    await expectError('DELETE', `/api/tariffs/${tariffId}`, undefined, 409, /is assigned to a site or meter/);
    await expectError(
      'POST',
      '/api/tariffs',
      tariff({ name: 'Works TOU' }),
      409,
      /a tariff named "Works TOU" already exists/,
    );
    const chf = await as(api, admin, 'POST', '/api/tariffs', tariff({ name: 'Swiss', currency: 'CHF' }));
    expect(chf.status).toBe(201);
    await expectError(
      'POST',
      `/api/sites/${works.id}/tariffs`,
      { tariff_id: chf.json.tariff.id, valid_from: '2099-01-01' },
      409,
      /is in CHF and site Works bills in EUR/,
    );
    await expectError(
      'POST',
      `/api/sites/${works.id}/tariffs`,
      { tariff_id: tariffId, valid_from: '2025-02-01' },
      409,
      /assignment dates out of order/,
    );
    await expectError(
      'POST',
      `/api/sites/${works.id}/tariffs`,
      { tariff_id: tariffId, valid_from: '2099-01-01', meter_id: 999_999 },
      404,
      /no meter with id 999999 on site Works/,
    );
    await expectError(
      'POST',
      '/api/sites/999999/tariffs',
      { tariff_id: tariffId, valid_from: '2099-01-01' },
      404,
      /no site with id 999999/,
    );
    await expectError('GET', `/api/costs?${range}`, undefined, 400, /site_id is required/);
    await expectError(
      'GET',
      `/api/costs?site_id=${works.id}&from=${TO}&to=${FROM}`,
      undefined,
      400,
      /from must be before to/,
    );
    const after = await api.db.knex('tariff_versions').count<{ n: string }[]>('* as n');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + 1); // the Swiss tariff's one version
  });

  it('then a version or assignment not yet in force can still be changed or withdrawn', async () => {
    const future = { ...V2, valid_from: '2099-01-01' };
    const added = await as(api, admin, 'POST', `/api/tariffs/${tariffId}/versions`, future);
    expect(added.status, JSON.stringify(added.json)).toBe(201);
    const id = added.json.tariff.versions.at(-1).id as number;
    expect(added.json.tariff.versions.at(-1).in_effect).toBe(false);
    const moved = await as(api, admin, 'PUT', `/api/tariffs/${tariffId}/versions/${id}`, {
      ...future,
      valid_from: '2099-02-01',
    });
    expect(moved.json.tariff.versions.at(-1).valid_from).toBe('2099-02-01');
    expect((await as(api, admin, 'DELETE', `/api/tariffs/${tariffId}/versions/${id}`)).status).toBe(204);
    const assigned = await as(api, admin, 'POST', `/api/sites/${works.id}/tariffs`, {
      tariff_id: null,
      valid_from: '2099-01-01',
      meter_id: mainId,
    });
    expect(assigned.status, JSON.stringify(assigned.json)).toBe(201);
    expect(
      (await as(api, admin, 'DELETE', `/api/sites/${works.id}/tariffs/${assigned.json.assignment.id}`)).status,
    ).toBe(204);
  });

  it('then a site whose stored time zone is no IANA zone answers 409 naming it, not a 500', async () => {
    // A zone the site settings API refuses, written into the database by hand (an older row, a manual fix).
    await api.db.knex('sites').where({ id: other.id }).update({ time_zone: 'Mars/Olympus' });
    await expectError(
      'GET',
      `/api/costs?site_id=${other.id}`,
      undefined,
      409,
      /time zone "Mars\/Olympus", which is no IANA time zone/,
    );
  });
});

describe('when a user limited to another site asks', () => {
  it("then the site's costs, assignments and tariffs do not exist for them, and assigning is refused", async () => {
    const limited = await createUser(api, 'other@example.test', 'operator', [other.id]);
    for (const path of [
      `/api/costs?site_id=${works.id}&${range}`,
      `/api/sites/${works.id}/tariffs`,
      `/api/tariffs/${tariffId}`,
    ]) {
      const res = await as(api, limited, 'GET', path);
      expect(res.status, path).toBe(404);
    }
    const list = TariffsResponseSchema.parse((await as(api, limited, 'GET', '/api/tariffs')).json);
    expect(list.tariffs).toEqual([]);
    const assign = await as(api, limited, 'POST', `/api/sites/${works.id}/tariffs`, {
      tariff_id: tariffId,
      valid_from: '2099-01-01',
    });
    expect(assign.status).toBe(403);
  });
});
