import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatRequest, MeterSummary, SiteSummary } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, meter, startTestApi, type TestSite } from './helpers.js';
import { heartbeatOf, meterState, minuteReadings } from './helpers/site-api.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';

// What operators see of a site when a meter stops answering, and of the site's uplink outages.
let api: RunningClientApi;
let token: string;

beforeAll(async () => {
  api = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password });
  token = (await login(api, ADMIN.email, ADMIN.password)).access_token;
});
afterAll(async () => {
  await api?.close();
});

const get = (path: string) => as(api, token, 'GET', path);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const MIN = 60_000;

const heartbeat = (extra: Partial<HeartbeatRequest> = {}) =>
  heartbeatOf({ agent_version: '0.9.0', meters: { configured: 2, ok: 2, failing: 0, never_answered: 0 }, ...extra });

/** A kWh counter and a kW value every minute for the last `minutes` minutes, the newest `lastAgoMs` ago. */
const readingsOf = (id: string, kw: number, minutes: number, lastAgoMs = 20_000) =>
  minuteReadings(id, { kw, minutes, startKwh: 1000, lastAgoMs });

async function metersOf(site: TestSite): Promise<Map<string, MeterSummary>> {
  const res = await get(`/api/meters?site_id=${site.id}`);
  expect(res.status).toBe(200);
  return new Map((res.json.meters as MeterSummary[]).map((m) => [m.external_id, m]));
}

async function summaryOf(site: TestSite): Promise<SiteSummary> {
  const res = await get(`/api/sites/${site.id}`);
  expect(res.status).toBe(200);
  return res.json.site as SiteSummary;
}

describe('when the agent reports a meter not answering in its heartbeat', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createSite(api, 'Meter states site');
    // Both meters answered until 20 s ago: 60 kW and 30 kW, each for the last 10 minutes.
    await registerAndSend(
      api,
      site.key,
      [meter('main'), meter('chiller')],
      [...readingsOf('main', 60, 10), ...readingsOf('chiller', 30, 10)],
    );
  });

  it('then that meter is "not answering" at once (not OK until its values go stale), its values are marked not current, and the site totals leave it out', async () => {
    const before = await summaryOf(site);
    expect(before.current_power_kw).toBe(90);
    expect(before.energy_today_kwh).toBeGreaterThan(0);
    const energyOfBoth = before.energy_today_kwh as number;

    const res = await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({
        meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 },
        meter_states: [
          meterState('main', 'ok'),
          meterState('chiller', 'not_answering', {
            since: iso(15_000),
            last_success_at: iso(20_000),
            error: 'no answer within 1000 ms',
            points_failing: 2,
          }),
        ],
      }),
    });
    expect(res.status).toBe(200);

    const meters = await metersOf(site);
    const chiller = meters.get('chiller')!;
    expect(chiller.status).toBe('not_answering');
    expect(chiller.status_reason).toMatch(/not answering the agent.*no answer within 1000 ms/);
    expect(chiller.values_current).toBe(false);
    expect(chiller.agent_state).toMatchObject({
      state: 'not_answering',
      error: 'no answer within 1000 ms',
      reported_at: expect.any(String),
    });
    // Its last values are still there, to be shown as of their time.
    expect(chiller.data_points.find((p) => p.name === 'current_kw')?.latest?.value).toBe(30);
    expect(meters.get('main')).toMatchObject({ status: 'ok', values_current: true });

    const after = await summaryOf(site);
    expect(after.current_power_kw).toBe(60);
    expect(after.energy_today_kwh).toBeLessThan(energyOfBoth);
    expect(after.energy_today_kwh).toBeCloseTo((energyOfBoth / 3) * 2, 3);
    expect(after.totals_left_out).toEqual([{ meter_id: chiller.id, name: 'Meter chiller', status: 'not_answering' }]);
    expect(after.reasons).toContain('1 of 2 meters not answering');
    // The dashboard's list carries the same totals.
    const list = (await get('/api/sites')).json.sites as SiteSummary[];
    expect(list.find((s) => s.site_id === site.id)).toMatchObject({
      current_power_kw: 60,
      totals_left_out: [{ name: 'Meter chiller' }],
    });
  });

  it('then a meter answering as another device is "wrong device" with both ids, a degraded one "degraded", and one that never answered "no data", each with the agent\'s words', async () => {
    await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({
        meter_states: [
          meterState('main', 'wrong_device', {
            expected_device_id: 1004,
            found_device_id: 100011,
            error: 'device 100011 answers at 127.0.0.1:47808',
          }),
          meterState('chiller', 'degraded', { points_failing: 1, error: 'current_kw: unknown object' }),
        ],
      }),
    });
    const meters = await metersOf(site);
    expect(meters.get('main')).toMatchObject({ status: 'wrong_device', values_current: false });
    expect(meters.get('main')?.status_reason).toMatch(/device 100011, configured 1004/);
    expect(meters.get('chiller')).toMatchObject({ status: 'degraded', values_current: true });
    expect(meters.get('chiller')?.status_reason).toMatch(/1 data point failed.*current_kw: unknown object/);
    expect((await summaryOf(site)).current_power_kw).toBe(30);

    const fresh = await createSite(api, 'Never answered site');
    await registerAndSend(api, fresh.key, [meter('new')], []);
    await call(api, 'POST', '/api/sync/heartbeat', {
      key: fresh.key,
      body: heartbeat({
        meter_states: [
          meterState('new', 'never_answered', { last_success_at: null, error: 'no answer within 1000 ms' }),
        ],
      }),
    });
    expect((await metersOf(fresh)).get('new')).toMatchObject({
      status: 'no_data',
      values_current: false,
      status_reason: expect.stringMatching(/never answered the agent: no answer within 1000 ms/),
    });
  });

  it('then when the agent reports all meters ok again, or an older agent reports no states, the meters go back to what their readings say', async () => {
    await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({ meter_states: [meterState('main', 'ok'), meterState('chiller', 'ok')] }),
    });
    let meters = await metersOf(site);
    expect([meters.get('main')?.status, meters.get('chiller')?.status]).toEqual(['ok', 'ok']);
    expect((await summaryOf(site)).totals_left_out).toEqual([]);

    await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({ meter_states: [meterState('chiller', 'not_answering')] }),
    });
    expect((await metersOf(site)).get('chiller')?.status).toBe('not_answering');
    await call(api, 'POST', '/api/sync/heartbeat', { key: site.key, body: heartbeat() });
    meters = await metersOf(site);
    expect(meters.get('chiller')).toMatchObject({ status: 'ok', agent_state: null });
  });

  it('then malformed meter states are a 400 naming each bad field, and nothing of that heartbeat is stored', async () => {
    const { rows: before } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats WHERE site_id = ?',
      [site.id],
    );
    // Named by entry and field, in one message for the list.
    const cases: Array<[unknown, RegExp]> = [
      ['all fine', /meter_states must be an array, got the string "all fine"/],
      [
        [{ ...meterState('main', 'ok'), state: 'sleeping' }],
        /meter_states\[0\]\.state must be one of ok, degraded, not_answering, never_answered, wrong_device/,
      ],
      [[{ ...meterState('main', 'ok'), since: 'yesterday' }], /meter_states\[0\]\.since /],
      [
        [{ ...meterState('main', 'ok'), points_failing: -1 }],
        /meter_states\[0\]\.points_failing must be between 0 and/,
      ],
      [
        [{ ...meterState('main', 'ok'), external_id: 'a\u0000b' }],
        /meter_states\[0\]\.external_id contains a character that cannot be stored/,
      ],
      [[meterState('main', 'ok'), 7], /meter_states\[1\] must be an object, got the number 7/],
      [
        [meterState('main', 'ok'), meterState('main', 'degraded')],
        /meter_states\[1\] lists the meter "main" a second time/,
      ],
      [
        [{ ...meterState('main', 'wrong_device'), found_device_id: 'x' }],
        /meter_states\[0\]\.found_device_id must be an integer/,
      ],
      [[{ ...meterState('main', 'ok'), error: undefined }], /meter_states\[0\]\.error is required \(null when none\)/],
      [
        Array.from({ length: 10_001 }, (_, i) => meterState(`m-${i}`, 'ok')),
        /meter_states may list at most 10000 meters, got 10001/,
      ],
    ];
    for (const [meterStates, message] of cases) {
      const res = await call(api, 'POST', '/api/sync/heartbeat', {
        key: site.key,
        body: { ...heartbeat(), meter_states: meterStates },
      });
      expect(res.status, JSON.stringify(meterStates).slice(0, 80)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_FAILED');
      expect(res.json.error.details).toEqual([{ field: 'meter_states', message: expect.stringMatching(message) }]);
      expect(JSON.stringify(res.json)).not.toMatch(/SELECT|UPDATE|at .*\.js:/);
    }
    const { rows: after } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats WHERE site_id = ?',
      [site.id],
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

/** Post heartbeats as an agent would have sent them at these times (minutes ago), oldest first. */
async function heartbeatsAt(
  site: TestSite,
  minutesAgo: number[],
  extra: (ago: number) => Partial<HeartbeatRequest> = () => ({}),
): Promise<void> {
  for (const ago of minutesAgo) {
    const res = await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({ agent_time: iso(ago * MIN), ...extra(ago) }),
    });
    expect(res.status).toBe(200);
    // The server stamps a heartbeat with its arrival; move it to when the agent sent it.
    await api.db.knex.raw(
      `UPDATE heartbeats SET received_at = now() - (? * interval '1 minute')
        WHERE site_id = ? AND received_at = (SELECT max(received_at) FROM heartbeats WHERE site_id = ?)`,
      [ago, site.id, site.id],
    );
    await api.db.knex.raw("UPDATE sites SET last_heartbeat_at = now() - (? * interval '1 minute') WHERE id = ?", [
      ago,
      site.id,
    ]);
  }
}

describe('when a site had a 4-minute uplink outage', () => {
  it('then a 4-minute gap between heartbeats (one a minute otherwise) is listed as an outage of 4 minutes, though far below the offline threshold', async () => {
    const site = await createSite(api, 'Gap site');
    await heartbeatsAt(site, [12, 11, 10, 9, 8, 4, 3, 2, 1, 0]);

    const conn = (await get(`/api/sites/${site.id}/connectivity`)).json;
    expect(conn.offline_periods).toEqual([]);
    expect(conn.outage_gap_s).toBe(150);
    expect(conn.outages).toHaveLength(1);
    expect(conn.outages[0]).toMatchObject({ duration_s: 240, ongoing: false, sources: ['heartbeat_gap'] });
    expect(Math.abs(Date.parse(conn.outages[0].to) - Date.parse(conn.outages[0].from) - 240_000)).toBeLessThan(1000);
  });

  it('then the outage the agent reports once it is back (uplink_down_since 4 minutes before, by its clock 30 s behind) is listed with its duration', async () => {
    const site = await createSite(api, 'Reported outage site');
    // Heartbeats kept arriving every minute (e.g. over another route), but the agent's uploads failed for 4 minutes.
    await heartbeatsAt(site, [6, 5, 4, 3, 2, 1]);
    const agentNow = Date.now() - 30_000;
    const res = await call(api, 'POST', '/api/sync/heartbeat', {
      key: site.key,
      body: heartbeat({
        agent_time: new Date(agentNow).toISOString(),
        uplink_down_since: new Date(agentNow - 4 * MIN).toISOString(),
      }),
    });
    expect(res.status).toBe(200);

    const conn = (await get(`/api/sites/${site.id}/connectivity`)).json;
    expect(conn.outages).toHaveLength(1);
    expect(conn.outages[0]).toMatchObject({ ongoing: false, sources: ['agent_reported'] });
    expect(conn.outages[0].duration_s).toBeGreaterThanOrEqual(239);
    expect(conn.outages[0].duration_s).toBeLessThanOrEqual(241);
    expect(Math.abs(Date.parse(conn.outages[0].to) - Date.parse(res.json.server_time))).toBeLessThan(1000);
  });

  it("then a gap and the agent's own report of the same outage are one outage with both sources, and a silence still going on is listed as ongoing", async () => {
    const site = await createSite(api, 'Both sources site');
    await heartbeatsAt(site, [20, 19, 18, 17, 16, 15, 14]);
    // Back at 10 min ago, reporting the uplink down since 13.5 min ago; silent again for the last 5 minutes.
    await heartbeatsAt(site, [10], () => ({ agent_time: iso(10 * MIN), uplink_down_since: iso(13.5 * MIN) }));
    await heartbeatsAt(site, [9, 8, 7, 6, 5]);

    const conn = (await get(`/api/sites/${site.id}/connectivity`)).json;
    expect(conn.outages).toHaveLength(2);
    expect(conn.outages[0]).toMatchObject({ duration_s: 240, ongoing: false });
    expect([...conn.outages[0].sources].sort()).toEqual(['agent_reported', 'heartbeat_gap']);
    expect(conn.outages[1]).toMatchObject({ ongoing: true, sources: ['heartbeat_gap'] });
    expect(conn.outages[1].duration_s).toBeGreaterThanOrEqual(300);
  });
});

describe('when OUTAGE_GAP_SECONDS is set lower', () => {
  it('then a shorter gap between heartbeats counts as an outage', async () => {
    const other = await startTestApi({ adminEmail: ADMIN.email, adminPassword: ADMIN.password, outageGapSeconds: 60 });
    try {
      const site = await createSite(other, 'Short threshold site');
      for (const ago of [5, 4.5, 4, 2, 1.5, 1, 0.5, 0]) {
        await call(other, 'POST', '/api/sync/heartbeat', {
          key: site.key,
          body: heartbeat({ agent_time: iso(ago * MIN) }),
        });
        await other.db.knex.raw(
          `UPDATE heartbeats SET received_at = now() - (? * interval '1 minute') WHERE site_id = ? AND received_at = (SELECT max(received_at) FROM heartbeats WHERE site_id = ?)`,
          [ago, site.id, site.id],
        );
      }
      const otherToken = (await login(other, ADMIN.email, ADMIN.password)).access_token;
      const conn = (await as(other, otherToken, 'GET', `/api/sites/${site.id}/connectivity`)).json;
      expect(conn.outage_gap_s).toBe(60);
      // Heartbeats every 30 s but from 4 to 2 minutes ago: a gap of 2 minutes, which the default 150 s would not count.
      expect(conn.outages).toHaveLength(1);
      expect(conn.outages[0]).toMatchObject({ duration_s: 120, ongoing: false, sources: ['heartbeat_gap'] });
    } finally {
      await other.close();
    }
  });
});
