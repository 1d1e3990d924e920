import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnergyResponseSchema, type EnergyResponse, type EnergySeries, type SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, createUser, login, registerAndSend } from './operator-helpers.js';

// June 2025 (UTC), a reading every 15 minutes from 06-01 00:00 to 07-01 00:00, sent through the sync ingest path.
//
// Meter "plant" (site North): 2 kW from 00:00 to 05:00, 10 kW the rest of the day until 06-16, 12 kW from then on;
// 40 kW once, 06-18 14:00–14:15. It has a kW data point (one reading per quarter hour) besides its kWh counter,
// so its demand comes from the kW point.
//   a day: 5 h × 2 + 19 h × 10 = 200 kWh (until 06-15), 5 h × 2 + 19 h × 12 = 238 kWh (from 06-16);
//   06-18: 238 + (40 − 12) / 4 = 245 kWh.
// Meter "office" (site South): 1 kW from 00:00 to 05:00, 4 kW otherwise = 5 + 76 = 81 kWh a day; 20 kW once
// (06-20 09:30–09:45: +4 kWh), 0.4 kW once (06-24 03:00–03:15: −0.15 kWh). Only a kWh counter, so its demand
// comes from the counter (×4). Its counter resets to zero on 06-10 at 11:45 (the 12:00 reading says 1 kWh).
const START = Date.UTC(2025, 5, 1);
const QUARTER = 900_000;
const SLOTS = 30 * 96;

const iso = (ms: number) => new Date(ms).toISOString();
const hourOf = (ms: number) => new Date(ms).getUTCHours();

function plantKw(t: number): number {
  if (t === Date.UTC(2025, 5, 18, 14)) return 40;
  if (hourOf(t) < 5) return 2;
  return t >= Date.UTC(2025, 5, 16) ? 12 : 10;
}
function officeKw(t: number): number {
  if (t === Date.UTC(2025, 5, 20, 9, 30)) return 20;
  if (t === Date.UTC(2025, 5, 24, 3)) return 0.4;
  return hourOf(t) < 5 ? 1 : 4;
}
const OFFICE_RESET = Date.UTC(2025, 5, 10, 12);

function readings(external: string, kw: (t: number) => number, opts: { power: boolean; resetAt?: number }) {
  const out: SyncReading[] = [];
  const base = { meter_external_id: external, quality: 'good' };
  let counter = 5000;
  for (let i = 0; i <= SLOTS; i++) {
    const t = START + i * QUARTER;
    if (i > 0) {
      const step = kw(t - QUARTER) / 4;
      counter = t === opts.resetAt ? step : counter + step;
    }
    out.push({ ...base, data_point: 'total_kwh', timestamp: iso(t), value: counter, unit: 'kWh' });
    if (opts.power && i < SLOTS) {
      out.push({ ...base, data_point: 'current_kw', timestamp: iso(t), value: kw(t), unit: 'kW' });
    }
  }
  return out;
}

let api: RunningClientApi;
let north: TestSite;
let south: TestSite;
let admin: string;
let northOnly: string;
let plantId: number;
let officeId: number;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  north = await createSite(api, 'North works');
  south = await createSite(api, 'South offices');
  await registerAndSend(api, north.key, [meter('plant')], readings('plant', plantKw, { power: true }));
  await registerAndSend(
    api,
    south.key,
    [meter('office')],
    readings('office', officeKw, { power: false, resetAt: OFFICE_RESET }),
  );
  const ids = await api.db.knex.raw<{ rows: { id: number; external_id: string }[] }>(
    'SELECT id, external_id FROM meters',
  );
  plantId = ids.rows.find((r) => r.external_id === 'plant')!.id;
  officeId = ids.rows.find((r) => r.external_id === 'office')!.id;
  admin = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  northOnly = await createUser(api, 'north@example.test', 'viewer', [north.id]);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

async function energy(query: string, token = admin): Promise<EnergyResponse> {
  const res = await as(api, token, 'GET', `/api/energy?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  // The answer is what the shared schema (the web app's and any client's type) says.
  return EnergyResponseSchema.parse(res.json);
}
const seriesOf = (r: EnergyResponse, key: string) => r.series.find((s) => s.key === key) as EnergySeries;
const totals = (s: EnergySeries, which: 'current' | 'previous' = 'current') =>
  s[which]?.buckets.map((b) => [b.start.slice(0, 10), b.energy_kwh, b.complete]);

describe('when a month of 15-minute counter readings is viewed per day, week and month', () => {
  it('then each day holds what the counter advanced that day, across the counter reset too', async () => {
    const r = await energy(
      `meter_id=${plantId},${officeId}&interval=day&from=2025-06-09T00:00:00Z&to=2025-06-12T00:00:00Z`,
    );
    expect(r.group).toBe('meter');
    expect(totals(seriesOf(r, `meter:${plantId}`))).toEqual([
      ['2025-06-09', 200, true],
      ['2025-06-10', 200, true],
      ['2025-06-11', 200, true],
    ]);
    // The reset day: the step to the reset reading counts its new value (1 kWh), so nothing is lost or doubled.
    expect(totals(seriesOf(r, `meter:${officeId}`))).toEqual([
      ['2025-06-09', 81, true],
      ['2025-06-10', 81, true],
      ['2025-06-11', 81, true],
    ]);
    expect(seriesOf(r, `meter:${officeId}`).meter_name).toBe('Meter office');
    expect(seriesOf(r, `meter:${officeId}`).current.resets).toEqual([
      { at: '2025-06-10T12:00:00.000Z', from_value: 5000 + 9 * 81 + 32, to_value: 1, meter_name: 'Meter office' },
    ]);
    expect(seriesOf(r, `meter:${plantId}`).current.resets).toEqual([]);
    expect(r.total.current_kwh).toBe(3 * 200 + 3 * 81);
  });

  it('then weeks run Monday to Monday and months are calendar months', async () => {
    const weeks = await energy(
      `site_id=${north.id},${south.id}&interval=week&from=2025-06-02T00:00:00Z&to=2025-06-30T00:00:00Z`,
    );
    expect(weeks.group).toBe('site');
    expect(totals(seriesOf(weeks, `site:${north.id}`))).toEqual([
      ['2025-06-02', 1400, true],
      ['2025-06-09', 1400, true],
      ['2025-06-16', 7 * 238 + 7, true],
      ['2025-06-23', 7 * 238, true],
    ]);
    expect(totals(seriesOf(weeks, `site:${south.id}`))).toEqual([
      ['2025-06-02', 567, true],
      ['2025-06-09', 567, true],
      ['2025-06-16', 571, true],
      ['2025-06-23', 566.85, true],
    ]);
    const month = await energy(
      `site_id=${north.id},${south.id}&interval=month&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z`,
    );
    expect(seriesOf(month, `site:${north.id}`).current.total_kwh).toBe(15 * 200 + 15 * 238 + 7);
    expect(seriesOf(month, `site:${south.id}`).current.total_kwh).toBe(30 * 81 + 4 - 0.15);
    expect(seriesOf(month, `site:${south.id}`).site_name).toBe('South offices');
  });
});

describe('when the current weeks are compared with the previous period', () => {
  it('then the two weeks before line up bucket by bucket, with the totals and the change in percent', async () => {
    const r = await energy(
      `site_id=${north.id},${south.id}&interval=week&compare=previous&from=2025-06-16T00:00:00Z&to=2025-06-30T00:00:00Z`,
    );
    const n = seriesOf(r, `site:${north.id}`);
    expect(n.previous?.from).toBe('2025-06-02T00:00:00.000Z');
    expect(n.previous?.to).toBe('2025-06-16T00:00:00.000Z');
    expect(totals(n, 'previous')).toEqual([
      ['2025-06-02', 1400, true],
      ['2025-06-09', 1400, true],
    ]);
    expect(n.current.total_kwh).toBe(3339);
    expect(n.previous?.total_kwh).toBe(2800);
    expect(n.change_pct).toBe(19.3); // (3339 − 2800) / 2800
    const s = seriesOf(r, `site:${south.id}`);
    expect(s.previous?.total_kwh).toBe(1134);
    expect(s.change_pct).toBe(0.3); // (1137.85 − 1134) / 1134 = 0.34 %
    expect(r.total).toEqual({ current_kwh: 4476.85, previous_kwh: 3934, change_pct: 13.8 });
  });

  it('then a period with no readings before it compares with nothing rather than with zero', async () => {
    const r = await energy(
      `site_id=${north.id}&interval=month&compare=previous&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z`,
    );
    const n = seriesOf(r, `site:${north.id}`);
    expect(n.previous?.from).toBe('2025-05-01T00:00:00.000Z');
    expect(n.previous?.buckets.map((b) => b.energy_kwh)).toEqual([null]);
    expect(n.change_pct).toBeNull();
  });
});

describe('when peak demand and base load are asked for', () => {
  it('then the peak is the highest 15-minute average with its time, and base load the lowest between 00:00 and 05:00', async () => {
    const r = await energy(
      `site_id=${north.id},${south.id}&interval=week&compare=previous&from=2025-06-16T00:00:00Z&to=2025-06-30T00:00:00Z`,
    );
    expect(r.demand_minutes).toBe(15);
    expect(r.base_load_window).toEqual({ from: '00:00', to: '05:00' });
    const n = seriesOf(r, `site:${north.id}`);
    expect(n.current.buckets.map((b) => [b.peak, b.base_load])).toEqual([
      [
        { kw: 40, at: '2025-06-18T14:00:00.000Z', source: 'kw_point' },
        { kw: 2, at: '2025-06-16T00:00:00.000Z', source: 'kw_point' },
      ],
      [
        { kw: 12, at: '2025-06-23T05:00:00.000Z', source: 'kw_point' },
        { kw: 2, at: '2025-06-23T00:00:00.000Z', source: 'kw_point' },
      ],
    ]);
    expect(n.previous?.peak).toEqual({ kw: 10, at: '2025-06-02T05:00:00.000Z', source: 'kw_point' });
    // South has no kW point: its demand is the counter's advance per quarter hour × 4.
    const s = seriesOf(r, `site:${south.id}`);
    expect(s.current.buckets.map((b) => [b.peak, b.base_load])).toEqual([
      [
        { kw: 20, at: '2025-06-20T09:30:00.000Z', source: 'kwh_counter' },
        { kw: 1, at: '2025-06-16T00:00:00.000Z', source: 'kwh_counter' },
      ],
      [
        { kw: 4, at: '2025-06-23T05:00:00.000Z', source: 'kwh_counter' },
        { kw: 0.4, at: '2025-06-24T03:00:00.000Z', source: 'kwh_counter' },
      ],
    ]);
    expect(s.current.peak).toEqual({ kw: 20, at: '2025-06-20T09:30:00.000Z', source: 'kwh_counter' });
    expect(s.current.base_load).toEqual({ kw: 0.4, at: '2025-06-24T03:00:00.000Z', source: 'kwh_counter' });
  });

  it('then the base-load window follows the viewer’s time zone', async () => {
    // In Berlin (UTC+2 in June) the local day starts at 22:00 UTC and 00:00–05:00 local is 22:00–03:00 UTC.
    const r = await energy(
      `meter_id=${plantId}&interval=day&tz=Europe/Berlin&from=2025-06-09T22:00:00Z&to=2025-06-10T22:00:00Z`,
    );
    const day = seriesOf(r, `meter:${plantId}`).current.buckets[0]!;
    expect(day.start).toBe('2025-06-09T22:00:00.000Z');
    // Local 00:00–02:00 (22:00–00:00 UTC) draws 10 kW, local 02:00–05:00 (00:00–03:00 UTC) 2 kW.
    expect(day.base_load).toEqual({ kw: 2, at: '2025-06-10T00:00:00.000Z', source: 'kw_point' });
  });
});

describe('when a user may see only some sites', () => {
  it('then another site’s energy, meters and demand are not in the answer', async () => {
    const r = await energy(`site_id=${north.id},${south.id}&interval=week&compare=previous`, northOnly);
    expect(r.series.map((s) => s.site_name)).toEqual(['North works']);
    const everything = await energy('interval=month&from=2025-06-01T00:00:00Z&to=2025-07-01T00:00:00Z', northOnly);
    expect(everything.series.map((s) => s.key)).toEqual([`site:${north.id}`]);
    expect(JSON.stringify(everything)).not.toContain('South');
    const meterOfSouth = await as(api, northOnly, 'GET', `/api/energy?meter_id=${officeId}&interval=day`);
    expect(meterOfSouth.status).toBe(404);
    expect(JSON.stringify(meterOfSouth.json)).not.toContain('office');
  });

  it('then bad parameters are 400s that name them', async () => {
    for (const bad of ['interval=year', 'compare=last', 'meter_id=1;2', 'group=all', 'tz=Mars/Base', 'from=soon']) {
      const res = await as(api, admin, 'GET', `/api/energy?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.message).toContain(bad.split('=')[0]);
    }
    const long = await as(
      api,
      admin,
      'GET',
      '/api/energy?interval=day&from=2025-01-01T00:00:00Z&to=2025-07-01T00:00:00Z',
    );
    expect(long.status).toBe(400);
    expect(long.json.error.message).toContain('92 days');
  });
});
