// The energy rollups kept from what ingest stores: hand-computed quarter hours, hours, days (23 and 25 hours on DST
// days) and months per meter and per site, estimated gaps, resets and rollovers, late data changing a closed day, a
// restart with work queued, and a week of backlog uploaded through the sync endpoint changing that week and nothing
// else. The worker runs on a manual clock: each test applies the queue with rollups.runOnce().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReading } from '@meterit/shared';
import { ManualClock, type RunningClientApi } from '../src/index.js';
import { call, createSite, createTestDatabase, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';
import { counterReadings, HOUR, QUARTER, rollupRows } from './helpers/energy-data.js';

const T = (iso: string) => Date.parse(iso);
const iso = (d: Date) => d.toISOString();

let api: RunningClientApi;
let token: string;

beforeAll(async () => {
  api = await startTestApi(
    { adminEmail: ADMIN.email, adminPassword: ADMIN.password },
    { rollupClock: new ManualClock() },
  );
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

async function siteIn(name: string, tz: string): Promise<TestSite> {
  const site = await createSite(api, name);
  await api.db.knex.raw('UPDATE sites SET time_zone = ? WHERE id = ?', [tz, site.id]);
  return site;
}
async function meterId(site: TestSite, external: string): Promise<number> {
  const { rows } = await api.db.knex.raw<{ rows: { id: number }[] }>(
    'SELECT id FROM meters WHERE site_id = ? AND external_id = ?',
    [site.id, external],
  );
  return rows[0]!.id;
}
async function rows<T>(sql: string, bindings: unknown[]): Promise<T[]> {
  return (await api.db.knex.raw<{ rows: T[] }>(sql, bindings as never)).rows;
}
const grainRows = (id: number, grain: string) =>
  rows<{ start: Date; ends_at: Date; energy_kwh: number; quality: string; time_zone: string }>(
    `SELECT start, ends_at, energy_kwh, quality, time_zone FROM energy_rollups
      WHERE meter_id = ? AND data_point = 'total_kwh' AND grain = ? ORDER BY start`,
    [id, grain],
  );
const quarterRows = (id: number, from: string, to: string) =>
  rows<{ start: Date; energy_kwh: number; measured_kwh: number; estimated_kwh: number; quality: string }>(
    `SELECT start, energy_kwh, measured_kwh, estimated_kwh, quality FROM energy_quarter_hours
      WHERE meter_id = ? AND start >= ? AND start < ? ORDER BY start`,
    [id, from, to],
  );
const steadyKw = (kw: number) => () => kw;
/** A meter's kWh counter (and kW point) read every 15 minutes from `from` to `to` (ISO, both included). */
const quarterHours = (m: string, from: string, to: string, kw: (t: number) => number, power = false) =>
  counterReadings({ meter: m, from: T(from), to: T(to), stepMs: QUARTER, kw, power });

/**
 * Send a meter's readings in two parts, the rollups applied after each: those `later` leaves out first, then those it
 * keeps (late data, a backlog). Returns every rollup row of the site after the first part and after the second.
 */
async function sendInTwoParts(
  site: TestSite,
  external: string,
  all: SyncReading[],
  later: (r: SyncReading) => boolean,
) {
  await registerAndSend(
    api,
    site.key,
    [meter(external)],
    all.filter((r) => !later(r)),
  );
  await api.rollups!.runOnce();
  const before = await rollupRows(api.db.knex, site.id);
  await registerAndSend(api, site.key, [meter(external)], all.filter(later));
  await api.rollups!.runOnce();
  return { before, after: await rollupRows(api.db.knex, site.id) };
}

describe('when a Berlin site sends a steady 4 kW across both DST changes', () => {
  let site: TestSite;
  let spring: number;
  let autumn: number;
  beforeAll(async () => {
    site = await siteIn('Berlin works', 'Europe/Berlin');
    await registerAndSend(
      api,
      site.key,
      [meter('spring'), meter('autumn')],
      [
        // Local midnight 29 March (UTC+1) to local midnight 2 April (UTC+2).
        ...quarterHours('spring', '2025-03-28T23:00:00Z', '2025-04-01T22:00:00Z', steadyKw(4), true),
        // Local midnight 26 October (UTC+2) to local midnight 27 October (UTC+1).
        ...quarterHours('autumn', '2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z', steadyKw(4), true),
      ],
    );
    await api.rollups!.runOnce();
    spring = await meterId(site, 'spring');
    autumn = await meterId(site, 'autumn');
  });

  it('then its days are counted in Berlin: 24, 23, 24, 24 and 25 hours, 4 kWh an hour', async () => {
    const days = (id: number) =>
      grainRows(id, 'day').then((r) =>
        r.map((d) => [iso(d.start), (d.ends_at.getTime() - d.start.getTime()) / HOUR, d.energy_kwh, d.time_zone]),
      );
    expect(await days(spring)).toEqual([
      ['2025-03-28T23:00:00.000Z', 24, 96, 'Europe/Berlin'],
      ['2025-03-29T23:00:00.000Z', 23, 92, 'Europe/Berlin'],
      ['2025-03-30T22:00:00.000Z', 24, 96, 'Europe/Berlin'],
      ['2025-03-31T22:00:00.000Z', 24, 96, 'Europe/Berlin'],
    ]);
    expect(await days(autumn)).toEqual([['2025-10-25T22:00:00.000Z', 25, 100, 'Europe/Berlin']]);
  });

  it('then months are Berlin months, hours UTC hours and quarter hours 1 kWh each, all measured', async () => {
    expect((await grainRows(spring, 'month')).map((m) => [iso(m.start), iso(m.ends_at), m.energy_kwh])).toEqual([
      ['2025-02-28T23:00:00.000Z', '2025-03-31T22:00:00.000Z', 284],
      ['2025-03-31T22:00:00.000Z', '2025-04-30T22:00:00.000Z', 96],
    ]);
    const hours = await grainRows(spring, 'hour');
    expect(hours).toHaveLength(95);
    expect(new Set(hours.map((h) => `${h.energy_kwh} ${h.quality} ${h.time_zone}`))).toEqual(
      new Set(['4 measured UTC']),
    );
    const quarters = await quarterRows(spring, '2025-03-28T00:00:00Z', '2025-04-02T00:00:00Z');
    expect(quarters).toHaveLength(380);
    expect(new Set(quarters.map((q) => `${q.energy_kwh} ${q.quality}`))).toEqual(new Set(['1 measured']));
    const power = await rows<{ n: number; kw: number }>(
      "SELECT count(*)::int AS n, avg(value) AS kw FROM power_quarter_hours WHERE meter_id = ? AND data_point = 'current_kw'",
      [spring],
    );
    expect(power).toEqual([{ n: 381, kw: 4 }]);
  });

  it('then the site’s own rows sum its meters: March 284 kWh, April 96, October 100', async () => {
    const site_ = await rows<{ start: Date; energy_kwh: number; series: number }>(
      "SELECT start, energy_kwh, series FROM site_energy_rollups WHERE site_id = ? AND grain = 'month' ORDER BY start",
      [site.id],
    );
    expect(site_.map((r) => [iso(r.start), r.energy_kwh, r.series])).toEqual([
      ['2025-02-28T23:00:00.000Z', 284, 1],
      ['2025-03-31T22:00:00.000Z', 96, 1],
      ['2025-09-30T22:00:00.000Z', 100, 1],
    ]);
  });

  it('then the day view in Berlin answers the same 96, 92, 96, 96 kWh from them', async () => {
    const res = await as(
      api,
      token,
      'GET',
      `/api/energy?meter_id=${spring}&interval=day&tz=Europe/Berlin&from=2025-03-28T23:00:00Z&to=2025-04-01T22:00:00Z`,
    );
    expect(res.status).toBe(200);
    expect(res.json.series[0].current.buckets.map((b: { energy_kwh: number }) => b.energy_kwh)).toEqual([
      96, 92, 96, 96,
    ]);
  });
});

describe('when a counter has a gap, a reset and a rollover', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await siteIn('Counter faults', 'UTC');
    const wattHours = {
      ...meter('wrap'),
      data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_wh', unit: 'Wh', wraps_at: 2 ** 32 }],
    };
    const r = (m: string, point: string, unit: string, time: string, value: number): SyncReading => ({
      meter_external_id: m,
      data_point: point,
      timestamp: `2025-06-01T${time}:00.000Z`,
      value,
      unit,
      quality: 'good',
    });
    await registerAndSend(
      api,
      site.key,
      [meter('gappy'), meter('display'), wattHours],
      [
        // 1 kWh a quarter hour until 01:00, then nothing until 02:00 (+3 kWh), then 02:15 (+1).
        ...['00:00', '00:15', '00:30', '00:45', '01:00'].map((t, i) => r('gappy', 'total_kwh', 'kWh', t, 100 + i)),
        r('gappy', 'total_kwh', 'kWh', '02:00', 107),
        r('gappy', 'total_kwh', 'kWh', '02:15', 108),
        // A display-style counter wrapping at 10^6 (detected), then restarting near 0 (reset).
        r('display', 'total_kwh', 'kWh', '00:00', 999_980),
        r('display', 'total_kwh', 'kWh', '00:15', 999_990),
        r('display', 'total_kwh', 'kWh', '00:30', 5),
        r('display', 'total_kwh', 'kWh', '00:45', 12),
        r('display', 'total_kwh', 'kWh', '01:00', 2),
        // A 32-bit Wh register with wraps_at configured.
        r('wrap', 'total_wh', 'Wh', '00:00', 4_294_966_296),
        r('wrap', 'total_wh', 'Wh', '00:15', 4_294_966_796),
        r('wrap', 'total_wh', 'Wh', '00:30', 200),
        r('wrap', 'total_wh', 'Wh', '00:45', 900),
      ],
    );
    await api.rollups!.runOnce();
  });

  it('then the gap’s 3 kWh are spread over its four quarter hours as estimated, and stored as a gap', async () => {
    const id = await meterId(site, 'gappy');
    const q = await quarterRows(id, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z');
    expect(
      q.map((x) => [iso(x.start).slice(11, 16), x.energy_kwh, x.measured_kwh, x.estimated_kwh, x.quality]),
    ).toEqual([
      ['00:00', 1, 1, 0, 'measured'],
      ['00:15', 1, 1, 0, 'measured'],
      ['00:30', 1, 1, 0, 'measured'],
      ['00:45', 1, 1, 0, 'measured'],
      ['01:00', 0.75, 0, 0.75, 'estimated'],
      ['01:15', 0.75, 0, 0.75, 'estimated'],
      ['01:30', 0.75, 0, 0.75, 'estimated'],
      ['01:45', 0.75, 0, 0.75, 'estimated'],
      ['02:00', 1, 1, 0, 'measured'],
    ]);
    expect((await grainRows(id, 'hour')).map((h) => [iso(h.start).slice(11, 16), h.energy_kwh, h.quality])).toEqual([
      ['00:00', 4, 'measured'],
      ['01:00', 3, 'estimated'],
      ['02:00', 1, 'measured'],
    ]);
    expect((await grainRows(id, 'day')).map((d) => [d.energy_kwh, d.quality])).toEqual([[8, 'estimated']]);
    const events = await rows<{ t0: Date; t1: Date; energy_kwh: number; gap: boolean; kind: string }>(
      'SELECT t0, t1, energy_kwh, gap, kind FROM energy_counter_events WHERE meter_id = ?',
      [id],
    );
    expect(events).toEqual([
      {
        t0: new Date('2025-06-01T01:00:00Z'),
        t1: new Date('2025-06-01T02:00:00Z'),
        energy_kwh: 3,
        gap: true,
        kind: 'advance',
      },
    ]);
  });

  it('then a detected rollover at 10^6 counts what it advanced, a reset the new value, and both are stored', async () => {
    const id = await meterId(site, 'display');
    const q = await quarterRows(id, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z');
    // 999 980 → 999 990 (+10), → 5 (wrap: 10 + 5), → 12 (+7), → 2 (reset: +2).
    expect(q.map((x) => x.energy_kwh)).toEqual([10, 15, 7, 2]);
    const events = await rows<{ t1: Date; kind: string; energy_kwh: number }>(
      'SELECT t1, kind, energy_kwh FROM energy_counter_events WHERE meter_id = ? ORDER BY t1',
      [id],
    );
    expect(events.map((e) => [iso(e.t1).slice(11, 16), e.kind, e.energy_kwh])).toEqual([
      ['00:30', 'rollover', 15],
      ['01:00', 'reset', 2],
    ]);
  });

  it('then a configured 32-bit wrap of a Wh register counts (2^32 − v0) + v1, in kWh', async () => {
    const id = await meterId(site, 'wrap');
    const q = await quarterRows(id, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z');
    // 500 Wh, (2^32 − 4 294 966 796) + 200 = 700 Wh, 700 Wh (0.001 × 700 is 0.7000000000000001 in floats).
    expect(q.map((x) => Math.round(x.energy_kwh * 1e9) / 1e9)).toEqual([0.5, 0.7, 0.7]);
  });
});

describe('when late readings fill a gap in a day that has closed', () => {
  let site: TestSite;
  let id: number;
  let rows: Awaited<ReturnType<typeof sendInTwoParts>>;
  beforeAll(async () => {
    site = await siteIn('Late data', 'UTC');
    // 4 kW from 1 to 4 June; on 2 June 10:00–12:00 the meter drew 8 kW for an hour and nothing the next, but those
    // readings arrive only after the days around them are in.
    const kw = (t: number) =>
      t >= T('2025-06-02T10:00:00Z') && t < T('2025-06-02T11:00:00Z')
        ? 8
        : t >= T('2025-06-02T11:00:00Z') && t < T('2025-06-02T12:00:00Z')
          ? 0
          : 4;
    const all = quarterHours('late', '2025-06-01T00:00:00Z', '2025-06-04T00:00:00Z', kw);
    const inGap = (r: SyncReading) =>
      T(r.timestamp) > T('2025-06-02T10:00:00Z') && T(r.timestamp) < T('2025-06-02T12:00:00Z');
    rows = await sendInTwoParts(site, 'late', all, inGap);
    id = await meterId(site, 'late');
  });

  it('then 2 June is measured now with the same 96 kWh, its hours 10 and 11 hold 8 and 0, and 1 and 3 June are untouched', async () => {
    const hour = (h: string) => `hour ${id} total_kwh 2025-06-02T${h}:00:00.000Z`;
    const { before, after } = rows;
    expect(JSON.parse(before.get(hour('10'))!.row)).toMatchObject({ energy_kwh: 4, quality: 'estimated' });
    expect(JSON.parse(after.get(hour('10'))!.row)).toMatchObject({ energy_kwh: 8, quality: 'measured' });
    expect(JSON.parse(after.get(hour('11'))!.row)).toMatchObject({ energy_kwh: 0, quality: 'measured' });
    expect((await grainRows(id, 'day')).map((d) => [iso(d.start).slice(0, 10), d.energy_kwh, d.quality])).toEqual([
      ['2025-06-01', 96, 'measured'],
      ['2025-06-02', 96, 'measured'],
      ['2025-06-03', 96, 'measured'],
    ]);
    const changed = [...after].filter(([k, v]) => before.get(k)?.row !== v.row).map(([k]) => k);
    // Only the gap's quarter hours and its two hours, their day and month were written (and the site's rows above
    // them); nothing of 1 and 3 June.
    expect(changed.filter((k) => k.startsWith('quarter')).length).toBe(8);
    expect(changed.filter((k) => !k.startsWith('quarter') && !k.startsWith('site')).sort()).toEqual([
      `day ${id} total_kwh 2025-06-02T00:00:00.000Z`,
      hour('10'),
      hour('11'),
      `month ${id} total_kwh 2025-06-01T00:00:00.000Z`,
    ]);
  });
});

describe('when a site’s time zone changes after its days were counted', () => {
  it('then the next pass counts its days and months again in the new zone, from the quarter hours it kept', async () => {
    const site = await siteIn('Moving site', 'UTC');
    const readings = quarterHours('tz', '2025-06-01T00:00:00Z', '2025-06-03T00:00:00Z', steadyKw(1));
    await registerAndSend(api, site.key, [meter('tz')], readings);
    await api.rollups!.runOnce();
    const id = await meterId(site, 'tz');
    const days = async () => (await grainRows(id, 'day')).map((d) => [iso(d.start), d.energy_kwh, d.time_zone]);
    expect(await days()).toEqual([
      ['2025-06-01T00:00:00.000Z', 24, 'UTC'],
      ['2025-06-02T00:00:00.000Z', 24, 'UTC'],
    ]);
    await api.db.knex.raw("UPDATE sites SET time_zone = 'Asia/Tokyo' WHERE id = ?", [site.id]);
    // Tokyo is UTC+9: its 1 June began at 31 May 15:00 UTC.
    await api.rollups!.runOnce();
    expect(await days()).toEqual([
      ['2025-05-31T15:00:00.000Z', 15, 'Asia/Tokyo'],
      ['2025-06-01T15:00:00.000Z', 24, 'Asia/Tokyo'],
      ['2025-06-02T15:00:00.000Z', 9, 'Asia/Tokyo'],
    ]);
    const siteMonths = await rows<{ start: Date; energy_kwh: number; time_zone: string }>(
      "SELECT start, energy_kwh, time_zone FROM site_energy_rollups WHERE site_id = ? AND grain = 'month'",
      [site.id],
    );
    expect(siteMonths).toEqual([{ start: new Date('2025-05-31T15:00:00Z'), energy_kwh: 48, time_zone: 'Asia/Tokyo' }]);
  });
});

describe('when more is queued for a site than a read should wait for', () => {
  it('then the read answers from the raw readings, the same figures, and leaves the queue to the worker', async () => {
    const site = await siteIn('Rebuilding site', 'UTC');
    const readings = quarterHours(
      'big',
      '2025-08-01T00:00:00Z',
      '2025-08-03T00:00:00Z',
      (t) => 1 + (Math.floor(t / HOUR) % 3),
    );
    await registerAndSend(api, site.key, [meter('big')], readings);
    const id = await meterId(site, 'big');
    // As after switching rollups on for a long history: thousands of changes queued for the site.
    await api.db.knex.raw(
      `INSERT INTO rollup_changes (site_id, meter_id, data_point, from_ts, to_ts)
       SELECT ?, ?, 'total_kwh', t, t FROM generate_series(?::timestamptz, ?::timestamptz, interval '30 seconds') t`,
      [site.id, id, '2025-08-01T00:00:00Z', '2025-08-02T23:59:00Z'],
    );
    const queued = async () =>
      (await rows<{ n: number }>('SELECT count(*)::int AS n FROM rollup_changes WHERE site_id = ?', [site.id]))[0]!.n;
    expect(await queued()).toBeGreaterThan(5000);
    const ask = `/api/energy?meter_id=${id}&interval=day&from=2025-08-01T00:00:00Z&to=2025-08-03T00:00:00Z`;
    const fromRaw = await as(api, token, 'GET', ask);
    expect(fromRaw.status).toBe(200);
    // 8 h at each of 1, 2 and 3 kW a day.
    expect(fromRaw.json.series[0].current.buckets.map((b: { energy_kwh: number }) => b.energy_kwh)).toEqual([48, 48]);
    expect(await queued()).toBeGreaterThan(5000);
    await api.rollups!.runOnce();
    expect(await queued()).toBe(0);
    expect((await as(api, token, 'GET', ask)).json).toEqual(fromRaw.json);
  });
});

describe('when the API stops with changes queued and starts again', () => {
  it('then nothing is lost: the next process applies them, and a resent batch queues nothing', async () => {
    const database = await createTestDatabase();
    const first = await startTestApi({ database }, { rollupClock: new ManualClock() });
    const site = await createSite(first, 'Restart site');
    const readings = quarterHours('m-1', '2025-06-01T00:00:00Z', '2025-06-01T06:00:00Z', steadyKw(2));
    await registerAndSend(first, site.key, [meter('m-1')], readings);
    const queued = async (a: RunningClientApi) =>
      (await a.db.knex.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM rollup_changes')).rows[0]!.n;
    expect(await queued(first)).toBe(1);
    await first.close();

    const second = await startTestApi({ database }, { rollupClock: new ManualClock() });
    try {
      expect(await second.rollups!.runOnce()).toBe(1);
      const day = await second.db.knex.raw<{ rows: { energy_kwh: number }[] }>(
        "SELECT energy_kwh FROM energy_rollups WHERE grain = 'day'",
      );
      expect(day.rows).toEqual([{ energy_kwh: 12 }]);
      const state = await second.db.knex.raw<{ rows: { site_id: number; changes_processed: number }[] }>(
        'SELECT site_id, changes_processed FROM rollup_state',
      );
      expect(state.rows).toEqual([{ site_id: site.id, changes_processed: 1 }]);
      const again = await call(second, 'POST', '/api/sync/readings/batch', { key: site.key, body: { readings } });
      expect(again.json.duplicates).toBe(readings.length);
      expect(await queued(second)).toBe(0);
    } finally {
      await second.close();
    }
  });
});

describe('when a site uploads a week of backlog through the sync endpoint', () => {
  it('then that week’s rollups change (the gap estimated across it is measured now) and no row outside it is written', async () => {
    const site = await siteIn('Backlog site', 'UTC');
    const week = { from: T('2025-06-08T00:00:00Z'), to: T('2025-06-15T00:00:00Z') };
    const kw = (t: number) => 3 + ((t / HOUR) % 24 < 8 ? 0 : 5);
    const all = quarterHours('main', '2025-06-01T00:00:00Z', '2025-06-22T00:00:00Z', kw, true);
    const inWeek = (r: SyncReading) => T(r.timestamp) > week.from && T(r.timestamp) < week.to;
    // Weeks 1 and 3 first (the agent kept week 2 while its uplink was down), then week 2, in batches of 1000 as the
    // agent sends them.
    const { before, after } = await sendInTwoParts(site, 'main', all, inWeek);

    const outside = (r: { from: number; to: number }) => r.to <= week.from || r.from >= week.to;
    const inside = (r: { from: number; to: number }) => r.from >= week.from && r.to <= week.to;
    const changed = [...after].filter(([k, v]) => before.get(k)?.row !== v.row);
    const gone = [...before.keys()].filter((k) => !after.has(k));
    expect(changed.length).toBeGreaterThan(7 * 96);
    // Every row written lies in the week, or is a month holding it (June: same kWh, measured now instead of estimated).
    for (const [key, row] of changed) expect(inside(row) || key.includes('month'), key).toBe(true);
    expect(gone.every((k) => inside(before.get(k)!))).toBe(true);
    expect([...after].filter(([, r]) => outside(r)).every(([k, r]) => before.get(k)?.row === r.row)).toBe(true);
    const june = (m: Map<string, { row: string }>) =>
      JSON.parse([...m].find(([k]) => k.startsWith('site month'))![1].row);
    expect(june(before)).toMatchObject({ quality: 'estimated' });
    expect(june(after)).toMatchObject({ quality: 'measured', estimated_kwh: 0 });
    expect(june(after).energy_kwh).toBeCloseTo(june(before).energy_kwh, 6);
    // The week's days: 8 h at 3 kW and 16 h at 8 kW = 152 kWh each.
    const days = await grainRows(await meterId(site, 'main'), 'day');
    expect(
      days
        .filter((d) => d.start.getTime() >= week.from && d.start.getTime() < week.to)
        .map((d) => [d.energy_kwh, d.quality]),
    ).toEqual(Array.from({ length: 7 }, () => [152, 'measured']));
    expect(days).toHaveLength(21);
  });
});

it('when a day of data is queued, then one rollup pass is all it takes (the queue is empty after it)', async () => {
  const site = await siteIn('Queue site', 'UTC');
  await registerAndSend(
    api,
    site.key,
    [meter('q')],
    quarterHours('q', '2025-07-01T00:00:00Z', '2025-07-02T00:00:00Z', steadyKw(1)),
  );
  expect(await api.rollups!.runOnce()).toBeGreaterThan(0);
  expect(
    (await rows<{ n: number }>('SELECT count(*)::int AS n FROM rollup_changes WHERE site_id = ?', [site.id]))[0]!.n,
  ).toBe(0);
});

describe('when a counter with a physical limit jumps by more than its rating allows', () => {
  let site: TestSite;
  let id: number;
  beforeAll(async () => {
    site = await siteIn('Impossible steps', 'UTC');
    const limited = meter('rated', {
      data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh', unit: 'kWh', max_kwh_per_hour: 60 }],
    });
    // Every 5 minutes +2 kWh (24 kW), except 00:05 → 00:10: +498 kWh, where 60 kWh per hour allows 5.
    const values = [100, 102, 600, 602, 604, 606, 608, 610, 612, 614, 616, 618, 620];
    await registerAndSend(
      api,
      site.key,
      [limited],
      values.map((value, i) => ({
        meter_external_id: 'rated',
        data_point: 'total_kwh',
        timestamp: new Date(T('2025-06-01T00:00:00Z') + i * 5 * 60_000).toISOString(),
        value,
        unit: 'kWh',
        quality: 'good',
      })),
    );
    await api.rollups!.runOnce();
    id = await meterId(site, 'rated');
  });

  it('then the step is stored as impossible and left out of its quarter hour, which keeps the steps around it', async () => {
    const q = await quarterRows(id, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z');
    expect(q.map((x) => [iso(x.start).slice(11, 16), x.energy_kwh, x.quality])).toEqual([
      ['00:00', 4, 'measured'],
      ['00:15', 6, 'measured'],
      ['00:30', 6, 'measured'],
      ['00:45', 6, 'measured'],
    ]);
    const events = await rows<{ t0: Date; t1: Date; energy_kwh: number; gap: boolean; kind: string }>(
      'SELECT t0, t1, energy_kwh, gap, kind FROM energy_counter_events WHERE meter_id = ?',
      [id],
    );
    expect(events).toEqual([
      {
        t0: new Date('2025-06-01T00:05:00Z'),
        t1: new Date('2025-06-01T00:10:00Z'),
        energy_kwh: 498,
        gap: false,
        kind: 'impossible',
      },
    ]);
  });

  it('then the day view from raw readings (one day) and from rollups (two) counts 22 kWh, marked incomplete', async () => {
    const raw = await as(
      api,
      token,
      'GET',
      `/api/energy?meter_id=${id}&interval=day&from=2025-06-01T00:00:00Z&to=2025-06-02T00:00:00Z`,
    );
    const rolled = await as(
      api,
      token,
      'GET',
      `/api/energy?meter_id=${id}&interval=day&from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z`,
    );
    for (const res of [raw, rolled]) {
      expect(res.status).toBe(200);
      const first = res.json.series[0].current.buckets[0];
      expect([first.energy_kwh, first.complete]).toEqual([22, false]);
    }
  });
});
