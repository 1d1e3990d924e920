import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartResponseSchema, type ChartResponse, type SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';

let api: RunningClientApi;
let site: TestSite;
let token: string;
let meterId: number;

// current_kw every minute from 10:00 to 10:59, except 10:20–10:49 (a 30-minute outage), values 1, 2, 3 …;
// one more reading at 11:30:20 (after the 10:00–11:00 chart range) which only a longer range's "latest" sees.
const at = (minute: number, seconds = 0) =>
  new Date(Date.UTC(2025, 5, 1, 10, minute, seconds)).toISOString().replace('.000Z', 'Z');
const OUTAGE = (m: number) => m >= 20 && m < 50;
const POWER: SyncReading[] = [];
for (let m = 0; m < 60; m++) {
  if (OUTAGE(m)) continue;
  POWER.push({
    meter_external_id: 'm-1',
    data_point: 'current_kw',
    timestamp: at(m, 5),
    value: m + 1,
    unit: 'kW',
    quality: m === 55 ? 'fault' : 'good',
  });
}
POWER.push({ ...POWER[0]!, timestamp: at(90, 20), value: 123.25 });

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  site = await createSite(api, 'Chart site');
  await registerAndSend(api, site.key, [meter('m-1')], POWER);
  meterId = (await api.db.knex.raw<{ rows: { id: number }[] }>("SELECT id FROM meters WHERE external_id = 'm-1'"))
    .rows[0]!.id;
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

async function chart(query: string): Promise<ChartResponse> {
  const r = await as(api, token, 'GET', `/api/readings/chart?meter_id=${meterId}&${query}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return ChartResponseSchema.parse(r.json);
}
const HOUR = `from=${at(0)}&to=${at(60)}`;

describe('when a meter stopped for 30 minutes in the middle of the range', () => {
  it('then every empty 1-minute bucket is a null point (a gap), and the buckets around it carry their readings', async () => {
    const c = await chart(`data_point=current_kw&bucket=1m&agg=avg&${HOUR}`);
    const s = c.series.find((x) => x.data_point === 'current_kw')!;
    expect(s.points).toHaveLength(60);
    expect(s.gaps).toBe(30);
    s.points.forEach((p, m) => {
      expect(p.ts).toBe(new Date(Date.UTC(2025, 5, 1, 10, m)).toISOString());
      expect(p.value).toBe(OUTAGE(m) ? null : m + 1);
    });
    expect(s.points[55]?.quality).toBe('fault');
    expect(s.unit).toBe('kW');
  });

  it('then 15-minute buckets fully inside the outage are null and the partly covered ones average what was read', async () => {
    const s = (await chart(`data_point=current_kw&bucket=15m&agg=avg&${HOUR}`)).series[0]!;
    // 10:00 → 1..15, 10:15 → 16..20 (5 readings), 10:30 → none, 10:45 → 51..60 (10:50–10:59)
    expect(s.points.map((p) => [p.value, p.count ?? 0])).toEqual([
      [8, 15],
      [18, 5],
      [null, 0],
      [55.5, 10],
    ]);
  });

  it('then raw readings get one null point in the middle of the pause, none between regular readings', async () => {
    const s = (await chart(`data_point=current_kw&bucket=raw&${HOUR}`)).series[0]!;
    expect(s.points).toHaveLength(31);
    expect(s.gaps).toBe(1);
    const gap = s.points.findIndex((p) => p.value === null);
    const iso = (minute: number, seconds: number) => new Date(at(minute, seconds)).toISOString();
    expect(s.points[gap - 1]?.ts).toBe(iso(19, 5));
    expect(s.points[gap + 1]?.ts).toBe(iso(50, 5));
    expect(s.points[gap]?.ts).toBe(iso(34, 35));
  });
});

describe('when the chart shows "latest"', () => {
  it('then it is the newest raw reading before the range end with its time, not the last bucket’s average', async () => {
    const hour = (await chart(`data_point=current_kw&bucket=15m&agg=avg&${HOUR}`)).series[0]!;
    expect(hour.points.at(-1)?.value).toBe(55.5);
    expect(hour.latest).toEqual({ ts: '2025-06-01T10:59:05.000Z', value: 60, unit: 'kW', quality: 'good' });
    const longer = (await chart(`bucket=1h&from=${at(0)}&to=${at(180)}`)).series;
    expect(longer.find((x) => x.data_point === 'current_kw')?.latest?.value).toBe(123.25);
    expect(longer.find((x) => x.data_point === 'current_kw')?.latest?.ts).toBe('2025-06-01T11:30:20.000Z');
    // A configured point that never reported is listed with no points and no latest reading.
    expect(longer.find((x) => x.data_point === 'total_kwh')).toMatchObject({ latest: null, gaps: 3 });
  });
});

describe('when the chart query is wrong', () => {
  it('then it answers 400 with what to change, and 404 for a meter that does not exist', async () => {
    const noMeter = await as(api, token, 'GET', `/api/readings/chart?${HOUR}`);
    expect(noMeter.status).toBe(400);
    expect(JSON.stringify(noMeter.json)).toContain('meter_id is required');
    const tooFine = await as(
      api,
      token,
      'GET',
      `/api/readings/chart?meter_id=${meterId}&bucket=1m&from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z`,
    );
    expect(tooFine.status).toBe(400);
    expect(JSON.stringify(tooFine.json)).toContain('choose a larger bucket');
    expect((await as(api, token, 'GET', `/api/readings/chart?meter_id=999999&${HOUR}`)).status).toBe(404);
  });
});
