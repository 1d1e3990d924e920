// Reads from the rollups answer what the raw readings answer: a month of generated data (jittered polling, random
// load, a reset, gaps inside and across days, two sites in two time zones) viewed per day, week and month and as
// consumption per 15 min, hour and day, in three time zones and with unaligned edges, over HTTP (rollups) and from
// the same services built without rollups (raw). Then the raw readings of May and June are dropped by the retention,
// and June still answers the same, from the rollups alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumptionInterval, EnergyInterval } from '@meterit/shared';
import { createLogger } from '@meterit/shared/node';
import { composeServices, ManualClock, type ApiServices, type RunningClientApi } from '../src/index.js';
import { Housekeeping } from '../src/components/housekeeping/housekeeping.js';
import { createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';
import { counterReadings, DAY, expectClose, MINUTE, seeded } from './helpers/energy-data.js';

const T = (iso: string) => Date.parse(iso);
const FROM = T('2025-05-25T00:00:00Z');
// One more reading of each series in August, so the meters still have a latest value once May and June are dropped.
const AUGUST = T('2025-08-10T00:00:00Z');

let api: RunningClientApi;
let raw: ApiServices;
let token: string;
let berlin: TestSite;
let docks: TestSite;

/** Load in kW for the 10 minutes holding t: 2 to 20 kW, the same on every run. */
const load = (t: number) => 2 + 18 * seeded(Math.floor(t / (10 * MINUTE)))();
/** Polling off by up to ±100 s, except at midnights (the month ends on a reading at 1 July 00:00). */
const jitter = (stepMs: number) => (i: number) =>
  (FROM + i * stepMs) % DAY === 0 ? 0 : ((i * 7919) % 41) * 5000 - 100_000;
const between = (t: number, a: string, b: string) => t > T(a) && t < T(b);

beforeAll(async () => {
  api = await startTestApi(
    { adminEmail: ADMIN.email, adminPassword: ADMIN.password },
    { rollupClock: new ManualClock() },
  );
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;
  const logger = createLogger({ service: 'raw-reads', silent: true });
  raw = composeServices({
    knex: api.db.knex,
    logger,
    config: { ...api.config, energyRollups: { ...api.config.energyRollups, enabled: false } },
  });
  berlin = await createSite(api, 'Berlin press shop');
  docks = await createSite(api, 'Docks');
  await api.db.knex.raw("UPDATE sites SET time_zone = 'Europe/Berlin' WHERE id = ?", [berlin.id]);
  const month = {
    from: FROM,
    to: AUGUST,
    skip: (t: number) => between(t, '2025-07-01T00:00:00Z', '2025-08-10T00:00:00Z'),
  };
  await registerAndSend(
    api,
    berlin.key,
    [meter('press'), meter('hall')],
    [
      ...counterReadings({
        ...month,
        meter: 'press',
        stepMs: 10 * MINUTE,
        kw: load,
        jitterMs: jitter(10 * MINUTE),
        power: true,
      }),
      ...counterReadings({
        ...month,
        meter: 'hall',
        stepMs: 5 * MINUTE,
        kw: (t) => load(t + DAY) / 2,
        resetAt: (t) => t === T('2025-06-12T13:05:00Z'),
      }),
    ],
  );
  await registerAndSend(
    api,
    docks.key,
    [meter('crane')],
    counterReadings({
      ...month,
      meter: 'crane',
      stepMs: 10 * MINUTE,
      kw: (t) => load(t + 2 * DAY),
      jitterMs: jitter(10 * MINUTE),
      skip: (t) =>
        month.skip(t) ||
        between(t, '2025-06-07T10:00:00Z', '2025-06-07T10:45:00Z') ||
        between(t, '2025-06-20T22:30:00Z', '2025-06-21T01:30:00Z'),
    }),
  );
  await api.rollups!.runOnce();
}, 180_000);
afterAll(async () => {
  await api?.close();
});

interface EnergyAsk {
  interval: EnergyInterval;
  tz: string;
  from: string;
  to: string;
  compare?: 'previous';
  group?: 'meter';
}
const sites = () => [berlin.id, docks.id];

async function energyFromRollups(q: EnergyAsk) {
  const query = new URLSearchParams({
    site_id: sites().join(','),
    interval: q.interval,
    tz: q.tz,
    from: q.from,
    to: q.to,
  });
  if (q.compare) query.set('compare', q.compare);
  if (q.group) query.set('group', q.group);
  const res = await as(api, token, 'GET', `/api/energy?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}
async function energyFromRaw(q: EnergyAsk) {
  const answer = await raw.energy.energy({
    siteIds: sites(),
    from: new Date(q.from),
    to: new Date(q.to),
    interval: q.interval,
    tz: q.tz,
    compare: q.compare ?? 'none',
    group: q.group ?? 'site',
    gapSeconds: 900,
  });
  return JSON.parse(JSON.stringify(answer));
}

const ENERGY: EnergyAsk[] = [
  // Berlin days for the Berlin site (day rows), hour rows for the UTC site; the May days before compared.
  {
    interval: 'day',
    tz: 'Europe/Berlin',
    from: '2025-05-31T22:00:00Z',
    to: '2025-06-30T22:00:00Z',
    compare: 'previous',
  },
  { interval: 'week', tz: 'UTC', from: '2025-06-02T00:00:00Z', to: '2025-06-30T00:00:00Z', group: 'meter' },
  {
    interval: 'month',
    tz: 'Europe/Berlin',
    from: '2025-05-31T22:00:00Z',
    to: '2025-06-30T22:00:00Z',
    compare: 'previous',
  },
  // Kolkata days start at :30 UTC: quarter hours only.
  { interval: 'day', tz: 'Asia/Kolkata', from: '2025-06-03T18:30:00Z', to: '2025-06-10T18:30:00Z', group: 'meter' },
  // Edges inside a quarter hour: read raw there.
  { interval: 'day', tz: 'UTC', from: '2025-06-05T03:07:30Z', to: '2025-06-09T17:52:10Z', group: 'meter' },
];

describe('when a month of generated data is viewed from the rollups and from the raw readings', () => {
  it('then every energy view (days, weeks, months; three time zones; unaligned edges) answers the same', async () => {
    let gaps = 0;
    let resets = 0;
    for (const q of ENERGY) {
      const expected = await energyFromRaw(q);
      expectClose(await energyFromRollups(q), expected, `${q.interval} ${q.tz} ${q.from}`);
      for (const s of expected.series) {
        gaps += s.current.gaps.length;
        resets += s.current.resets.length;
      }
    }
    // The data hold what the rollups must reproduce: gaps (inside a day and across midnight) and the reset.
    expect(gaps).toBeGreaterThanOrEqual(5);
    expect(resets).toBeGreaterThanOrEqual(3);
  });

  it('then consumption per 15 minutes, hour and day answers the same', async () => {
    const asks: { interval: ConsumptionInterval; tz: string; from: string; to: string }[] = [
      { interval: '1h', tz: 'UTC', from: '2025-06-10T00:00:00Z', to: '2025-06-13T00:00:00Z' },
      { interval: '15m', tz: 'UTC', from: '2025-06-06T05:00:00Z', to: '2025-06-08T07:10:00Z' },
      { interval: '1d', tz: 'Europe/Berlin', from: '2025-05-31T22:00:00Z', to: '2025-06-30T22:00:00Z' },
      { interval: '1h', tz: 'UTC', from: '2025-06-20T12:00:00Z', to: '2025-06-22T12:00:00Z' },
    ];
    for (const q of asks) {
      const expected = await raw.readings.consumption({
        siteIds: sites(),
        from: new Date(q.from),
        to: new Date(q.to),
        interval: q.interval,
        tz: q.tz,
        gapSeconds: 900,
      });
      const query = new URLSearchParams({ site_id: sites().join(','), ...q });
      const res = await as(api, token, 'GET', `/api/consumption?${query}`);
      expect(res.status).toBe(200);
      expectClose(res.json, JSON.parse(JSON.stringify(expected)), `${q.interval} ${q.from}`);
    }
  });
});

describe('when the raw readings of May and June are dropped by the retention', () => {
  it('then June’s energy, demand, gaps and resets still answer the same, from the rollups alone', async () => {
    const june: EnergyAsk = ENERGY[2]!;
    const { compare: _compare, ...days } = ENERGY[0]!;
    const before = [await energyFromRollups(june), await energyFromRollups(days)];

    const housekeeping = new Housekeeping({
      knex: api.db.knex,
      logger: createLogger({ service: 'retention', silent: true }),
      aheadMonths: 1,
      retentionMonths: 1,
      logRetention: { heartbeatsDays: 30, syncBatchesDays: 90, mcpAuditDays: 365 },
      now: () => new Date('2025-08-15T00:00:00Z'),
    });
    await housekeeping.runOnce();
    const left = await api.db.knex.raw<{ rows: { n: number }[] }>(
      "SELECT count(*)::int AS n FROM meter_readings WHERE ts < '2025-07-01T00:00:00Z'",
    );
    expect(left.rows[0]!.n).toBe(0);

    expect(await energyFromRollups(june)).toEqual(before[0]);
    expect(await energyFromRollups(days)).toEqual(before[1]);
    expect(before[0].series.map((s: { current: { total_kwh: number } }) => s.current.total_kwh > 1000)).toEqual([
      true,
      true,
    ]);
    // The raw readings alone no longer know June.
    const rawNow = await energyFromRaw(june);
    expect(rawNow.series.map((s: { current: { total_kwh: number } }) => s.current.total_kwh)).toEqual([0, 0]);
  });
});
