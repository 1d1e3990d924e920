import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReading } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';

let api: RunningClientApi;
let site: TestSite;
let token: string;
let meterId: number;

const kwh = (time: string, value: number): SyncReading => ({
  meter_external_id: 'm-1',
  data_point: 'total_kwh',
  timestamp: `2025-06-01T${time}:00.000Z`,
  value,
  unit: 'kWh',
  quality: 'good',
});
const kw = (time: string, value: number, quality = 'good'): SyncReading => ({
  ...kwh(time, value),
  data_point: 'current_kw',
  unit: 'kW',
  quality,
});

// A cumulative kWh counter, hand-computed per hour (gap threshold 15 min):
//   hour 00: 100→104 in 15-min steps                                  = 4 kWh, complete
//   hour 01: 104→105, reset to 5 (5 kWh since the reset), gap 01:30→01:59 inside the hour (+3), 01:59→02:00 (+1)
//                                                                     = 10 kWh, complete
//   gap 02:00→03:30 (9→12 = 3 kWh) spans hours 2 and 3: reported, counted in neither
//   hour 02: no data                                                  = null, incomplete
//   hour 03: 12→14                                                    = 2 kWh, incomplete (half the hour is the gap)
// The reading before 00:00 must add nothing.
const COUNTER = [
  { ...kwh('00:00', 99), timestamp: '2025-05-31T23:45:00.000Z' },
  kwh('00:00', 100),
  kwh('00:15', 101),
  kwh('00:30', 102),
  kwh('00:45', 103),
  kwh('01:00', 104),
  kwh('01:15', 105),
  kwh('01:30', 5),
  kwh('01:59', 8),
  kwh('02:00', 9),
  kwh('03:30', 12),
  kwh('03:45', 13),
  kwh('04:00', 14),
];
const POWER = [kw('00:00', 10), kw('00:05', 20), kw('00:10', 30), kw('00:20', 40, 'fault'), kw('01:10', 50)];

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  site = await createSite(api, 'Data site');
  await registerAndSend(api, site.key, [meter('m-1')], [...COUNTER, ...POWER]);
  meterId = (await api.db.knex.raw<{ rows: { id: number }[] }>("SELECT id FROM meters WHERE external_id = 'm-1'"))
    .rows[0]!.id;
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

const get = (path: string) => as(api, token, 'GET', path);
const DAY = 'from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z';

describe('when readings are aggregated into buckets', () => {
  it('then avg/min/max/last/count and the quality flags per 15 min and per hour match the hand-computed values', async () => {
    const q15 = await get(`/api/readings?meter_id=${meterId}&data_point=current_kw&bucket=15m&agg=avg&${DAY}`);
    expect(q15.status).toBe(200);
    expect(
      q15.json.rows.map((r: Record<string, unknown>) => [
        r.ts,
        r.value,
        r.min,
        r.max,
        r.last,
        r.count,
        r.flagged,
        r.quality,
      ]),
    ).toEqual([
      ['2025-06-01T00:00:00.000Z', 20, 10, 30, 30, 3, 0, 'good'],
      ['2025-06-01T00:15:00.000Z', 40, 40, 40, 40, 1, 1, 'fault'],
      ['2025-06-01T01:00:00.000Z', 50, 50, 50, 50, 1, 0, 'good'],
    ]);
    const hourMax = await get(`/api/readings?meter_id=${meterId}&data_point=current_kw&bucket=1h&agg=max&${DAY}`);
    expect(hourMax.json.rows.map((r: Record<string, unknown>) => [r.ts, r.value, r.avg, r.flagged])).toEqual([
      ['2025-06-01T00:00:00.000Z', 40, 25, 1],
      ['2025-06-01T01:00:00.000Z', 50, 50, 0],
    ]);
    const day = await get(`/api/readings?meter_id=${meterId}&data_point=current_kw&bucket=1d&agg=last&${DAY}`);
    expect(day.json.rows.map((r: Record<string, unknown>) => [r.ts, r.value, r.count])).toEqual([
      ['2025-06-01T00:00:00.000Z', 50, 5],
    ]);
  });

  it('then raw rows come in time order with their quality, and the cap says truncated', async () => {
    const raw = await get(`/api/readings?site_id=${site.id}&data_point=current_kw&limit=2&${DAY}`);
    expect(raw.json.truncated).toBe(true);
    expect(raw.json.rows.map((r: Record<string, unknown>) => [r.ts, r.value, r.quality, r.meter_external_id])).toEqual([
      ['2025-06-01T00:00:00.000Z', 10, 'good', 'm-1'],
      ['2025-06-01T00:05:00.000Z', 20, 'good', 'm-1'],
    ]);
    const all = await get(`/api/readings?site_id=${site.id}&data_point=current_kw&${DAY}`);
    expect(all.json.truncated).toBe(false);
    expect(all.json.rows).toHaveLength(5);
  });

  it('then bad filters are 400s naming the parameter, never 500s', async () => {
    for (const bad of [
      'bucket=5m',
      'agg=median',
      'from=yesterday',
      'meter_id=abc',
      'site_id=1;DROP',
      'tz=Mars/Base',
      'limit=0',
      'from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z',
    ]) {
      const res = await get(`/api/readings?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await get(`/api/readings?meter_id=999999&${DAY}`)).status).toBe(404);
    expect((await get('/api/consumption?interval=1w')).status).toBe(400);
    expect((await get('/api/sites/0/status')).status).toBe(400);
    expect((await get('/api/sites/424242/status')).status).toBe(404);
  });
});

describe('when consumption is computed from a kWh counter with a reset and gaps', () => {
  it('then each hour has exactly the energy the counter advanced, the reset and both gaps are reported, and no energy is invented', async () => {
    const res = await get(
      `/api/consumption?meter_id=${meterId}&interval=1h&from=2025-06-01T00:00:00Z&to=2025-06-01T04:00:00Z`,
    );
    expect(res.status).toBe(200);
    const [series] = res.json.series;
    expect(res.json.series).toHaveLength(1);
    expect(series.data_point).toBe('total_kwh');
    expect(series.buckets.map((b: Record<string, unknown>) => [b.start, b.energy_kwh, b.complete])).toEqual([
      ['2025-06-01T00:00:00.000Z', 4, true],
      ['2025-06-01T01:00:00.000Z', 10, true],
      ['2025-06-01T02:00:00.000Z', null, false],
      ['2025-06-01T03:00:00.000Z', 2, false],
    ]);
    expect(series.buckets[3].coverage).toBe(0.5);
    expect(series.total_kwh).toBe(16);
    expect(series.unattributed_kwh).toBe(3);
    expect(series.resets).toEqual([{ at: '2025-06-01T01:30:00.000Z', from_value: 105, to_value: 5 }]);
    expect(series.gaps).toEqual([
      { from: '2025-06-01T01:30:00.000Z', to: '2025-06-01T01:59:00.000Z', energy_kwh: 3, attributed: true },
      { from: '2025-06-01T02:00:00.000Z', to: '2025-06-01T03:30:00.000Z', energy_kwh: 3, attributed: false },
    ]);
    expect(res.json.sites).toEqual([expect.objectContaining({ site_id: site.id, total_kwh: 16, unattributed_kwh: 3 })]);
  });

  it('then per day the gap inside the day counts, and the day is incomplete because the data stop at 04:00', async () => {
    const res = await get(`/api/consumption?site_id=${site.id}&interval=1d&${DAY}`);
    const [series] = res.json.series;
    expect(series.buckets).toEqual([
      {
        start: '2025-06-01T00:00:00.000Z',
        end: '2025-06-02T00:00:00.000Z',
        energy_kwh: 19,
        coverage: expect.any(Number),
        complete: false,
      },
    ]);
    expect(series.gaps.every((g: { attributed: boolean }) => g.attributed)).toBe(true);
    // In another time zone the day starts elsewhere: Berlin's 1 June began at 31 May 22:00 UTC.
    const berlin = await get(
      `/api/consumption?site_id=${site.id}&interval=1d&tz=Europe/Berlin&from=2025-05-31T22:00:00Z&to=2025-06-01T22:00:00Z`,
    );
    expect(berlin.json.series[0].buckets[0].start).toBe('2025-05-31T22:00:00.000Z');
    // 23:45→00:00 (99→100) now lies inside the day as well.
    expect(berlin.json.series[0].buckets[0].energy_kwh).toBe(20);
  });

  it('then a range cut mid-hour holds exactly the steps inside it: 00:30–01:30 ends with the reset step 01:15→01:30', async () => {
    const res = await get(
      `/api/consumption?meter_id=${meterId}&interval=15m&from=2025-06-01T00:30:00Z&to=2025-06-01T01:30:00Z`,
    );
    expect(res.json.series[0].buckets.map((b: { energy_kwh: number }) => b.energy_kwh)).toEqual([1, 1, 1, 5]);
    expect(res.json.series[0].total_kwh).toBe(8);
  });
});

describe('when readings and consumption are exported as CSV', () => {
  it('then the files hold a header and one line per row, with the values as the JSON answer has them', async () => {
    const res = await fetch(`${api.url}/api/readings?meter_id=${meterId}&data_point=current_kw&format=csv&${DAY}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="readings-raw-2025-06-01-2025-06-02.csv"/,
    );
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines).toEqual([
      'site_id,site_name,meter_id,meter_external_id,meter_name,data_point,timestamp,value,unit,quality',
      `${site.id},Data site,${meterId},m-1,Meter m-1,current_kw,2025-06-01T00:00:00.000Z,10,kW,good`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,current_kw,2025-06-01T00:05:00.000Z,20,kW,good`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,current_kw,2025-06-01T00:10:00.000Z,30,kW,good`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,current_kw,2025-06-01T00:20:00.000Z,40,kW,fault`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,current_kw,2025-06-01T01:10:00.000Z,50,kW,good`,
    ]);
    const c = await fetch(
      `${api.url}/api/consumption?meter_id=${meterId}&interval=1h&format=csv&from=2025-06-01T00:00:00Z&to=2025-06-01T04:00:00Z`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect((await c.text()).trimEnd().split('\r\n')).toEqual([
      'site_id,site_name,meter_id,meter_external_id,meter_name,data_point,interval_start,interval_end,energy_kwh,coverage,complete',
      `${site.id},Data site,${meterId},m-1,Meter m-1,total_kwh,2025-06-01T00:00:00.000Z,2025-06-01T01:00:00.000Z,4,1,true`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,total_kwh,2025-06-01T01:00:00.000Z,2025-06-01T02:00:00.000Z,10,1,true`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,total_kwh,2025-06-01T02:00:00.000Z,2025-06-01T03:00:00.000Z,,0,false`,
      `${site.id},Data site,${meterId},m-1,Meter m-1,total_kwh,2025-06-01T03:00:00.000Z,2025-06-01T04:00:00.000Z,2,0.5,false`,
    ]);
  });
});

describe('when the site status is derived from heartbeats', () => {
  const hb = (extra: Record<string, unknown> = {}) => ({
    agent_version: '1.2.3',
    agent_time: new Date().toISOString(),
    collecting: true,
    queue_depth: 0,
    oldest_unsent_at: null,
    dead_letters: 0,
    uplink_down_since: null,
    last_sync_at: new Date().toISOString(),
    meters: { configured: 4, ok: 4, failing: 0, never_answered: 0 },
    ...extra,
  });

  it('then no heartbeat is offline, a healthy one online, failing meters/backlog/skew degraded with the reasons, and silence for 10 min offline', async () => {
    expect((await get(`/api/sites/${site.id}/status`)).json).toMatchObject({
      status: 'offline',
      reasons: [expect.stringMatching(/no heartbeat ever/)],
    });

    await call(api, 'POST', '/api/sync/heartbeat', { key: site.key, body: hb() });
    const online = (await get(`/api/sites/${site.id}/status`)).json;
    expect(online).toMatchObject({
      status: 'online',
      reasons: [],
      agent_version: '1.2.3',
      meters: { configured: 1, answering: 4 },
    });

    await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: hb({
        agent_time: new Date(Date.now() - 120_000).toISOString(),
        queue_depth: 5400,
        oldest_unsent_at: new Date(Date.now() - 40 * 60_000).toISOString(),
        meters: { configured: 4, ok: 3, failing: 1, never_answered: 0 },
      }),
    });
    const degraded = (await get(`/api/sites/${site.id}/status`)).json;
    expect(degraded.status).toBe('degraded');
    expect(degraded.reasons).toEqual([
      '1 of 4 meters not answering',
      expect.stringMatching(/^backlog of 5400 readings, oldest 40 min old/),
      expect.stringMatching(/agent clock is 12\d s behind/),
    ]);
    expect(degraded.backlog).toMatchObject({ readings: 5400, age_s: expect.any(Number) });

    await api.db.knex.raw("UPDATE sites SET last_heartbeat_at = now() - interval '11 minutes' WHERE id = ?", [site.id]);
    await api.db.knex.raw("UPDATE heartbeats SET received_at = received_at - interval '11 minutes' WHERE site_id = ?", [
      site.id,
    ]);
    const offline = (await get(`/api/sites/${site.id}/status`)).json;
    expect(offline.status).toBe('offline');
    expect(offline.reasons[0]).toMatch(/no heartbeat for 11 min/);

    const list = (await get('/api/sites')).json.sites;
    expect(list[0]).toMatchObject({ site_id: site.id, status: 'offline' });
    const conn = (await get(`/api/sites/${site.id}/connectivity`)).json;
    expect(conn.heartbeats).toHaveLength(2);
    expect(conn.offline_periods.at(-1).minutes).toBeGreaterThanOrEqual(10);
  });
});
