import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS, type AlertRuleInfo, type HeartbeatMeterState } from '@meterit/shared';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { call, createSite, startClockedApi } from './helpers.js';
import { heartbeatOf, meterState } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// The built-in "meter answers as another device" rule, from the per-meter states a site agent sends in its
// heartbeat (meter_states, state wrong_device with both device ids), through the real sync endpoints and the real
// database, with a manual clock.
const MIN = 60_000;
let api: RunningClientApi;
let clock: ManualClock;
let operator: string;

beforeAll(async () => {
  ({ api, clock } = await startClockedApi());
  operator = await createUser(api, 'operator@example.test', 'operator');
});
afterAll(async () => {
  await api?.close(1000);
});

const point = { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh' };

async function siteWithMeters(name: string) {
  const s = await createSite(api, name);
  const res = await call(api, 'POST', SYNC_PATHS.meters, {
    key: s.key,
    body: {
      meters: [
        {
          id: 'CHILLER-1',
          name: 'Chiller plant',
          bacnet_device_id: 100099,
          bacnet_ip: '10.0.0.12',
          data_points: [point],
        },
        { id: 'MAIN-1', name: 'Main incomer', bacnet_device_id: 4441, bacnet_ip: '10.0.0.11', data_points: [point] },
      ],
    },
  });
  expect(res.status).toBeLessThan(300);
  return s;
}

const ok = (id: string) => meterState(id, 'ok', { last_success_at: clock.now().toISOString() });
const wrong = (id: string, since: Date) =>
  meterState(id, 'wrong_device', {
    since: since.toISOString(),
    last_success_at: null,
    error: 'configured as device 100099, but device 100011 answers at 10.0.0.12:47808; nothing is stored',
    points_failing: 1,
    expected_device_id: 100099,
    found_device_id: 100011,
  });

const hb = (states: HeartbeatMeterState[]) =>
  heartbeatOf({
    agent_time: clock.now().toISOString(),
    last_sync_at: null,
    meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 },
    meter_states: states,
  });

async function heartbeat(s: { key: string }, states: HeartbeatMeterState[]) {
  const res = await call(api, 'POST', SYNC_PATHS.heartbeat, { key: s.key, body: hb(states) });
  expect(res.status).toBe(200);
}

async function wrongDeviceAlerts(siteId: number) {
  const { rows } = await api.db.knex.raw<{
    rows: { id: number; state: string; title: string; detail: string; meter_id: number | null }[];
  }>(
    `SELECT a.id::int AS id, a.state, a.title, a.detail, a.meter_id FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
      WHERE r.kind = 'meter_wrong_device' AND a.site_id = ? ORDER BY a.id`,
    [siteId],
  );
  return rows;
}

/** A heartbeat received at the manual clock's time (the HTTP route stamps real time). */
async function heartbeatAt(s: { id: number; name: string }, states: HeartbeatMeterState[]) {
  await new SitesService(api.db.knex).recordHeartbeat(s, hb(states), clock.now());
}

const tick = () => api.alerts.engine.tick();

describe('the wrong-device rule', () => {
  it('when the rules are listed, then the built-in wrong-device rule is there, on, firing at once by default', async () => {
    await tick();
    const rules = (await as(api, operator, 'GET', '/api/alert-rules')).json.rules as AlertRuleInfo[];
    expect(rules.find((r) => (r.kind as string) === 'meter_wrong_device')).toMatchObject({
      builtin: true,
      enabled: true,
      name: 'Meter answers as another device',
      severity: 'critical',
      effective_threshold: 0,
      unit: 'min',
    });
  });

  it('when a site agent reports another device at a meter address, then one alert fires for that meter naming both ids, and it resolves when the right device answers', async () => {
    const s = await siteWithMeters('Swapped meter site');
    await heartbeat(s, [ok('CHILLER-1'), ok('MAIN-1')]);
    await tick();
    expect(await wrongDeviceAlerts(s.id)).toEqual([]);

    clock.advance(MIN);
    await heartbeat(s, [wrong('CHILLER-1', new Date(clock.now().getTime() - 20_000)), ok('MAIN-1')]);
    await tick();
    await tick();
    const alerts = await wrongDeviceAlerts(s.id);
    expect(alerts).toHaveLength(1);
    const meter = await api.db.knex('meters').where({ site_id: s.id, external_id: 'CHILLER-1' }).first();
    expect(alerts[0]).toMatchObject({
      state: 'firing',
      meter_id: meter.id,
      title: 'Meter "Chiller plant" at "Swapped meter site": device 100011 answers at its address, configured 100099',
    });
    expect(alerts[0]?.detail).toContain('It stores nothing for this meter');

    clock.advance(MIN);
    await heartbeat(s, [ok('CHILLER-1'), ok('MAIN-1')]);
    await tick();
    expect((await wrongDeviceAlerts(s.id)).map((a) => a.state)).toEqual(['resolved']);
  });

  it('when the threshold is raised to 10 minutes, then a wrong device fires only once it has lasted that long; a negative threshold is refused with 400', async () => {
    const rules = (await as(api, operator, 'GET', '/api/alert-rules')).json.rules as AlertRuleInfo[];
    const rule = rules.find((r) => (r.kind as string) === 'meter_wrong_device')!;
    const refused = await as(api, operator, 'PATCH', `/api/alert-rules/${rule.id}`, { threshold: -1 });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('threshold must be 0 (fire at once) or more minutes');
    expect((await as(api, operator, 'PATCH', `/api/alert-rules/${rule.id}`, { threshold: 10 })).status).toBe(200);
    try {
      const s = await siteWithMeters('Slowly noticed site');
      const since = clock.now();
      await heartbeatAt(s, [wrong('CHILLER-1', since), ok('MAIN-1')]);
      await tick();
      expect(await wrongDeviceAlerts(s.id)).toEqual([]);
      clock.advance(11 * MIN);
      await heartbeatAt(s, [wrong('CHILLER-1', since), ok('MAIN-1')]);
      await tick();
      expect((await wrongDeviceAlerts(s.id)).map((a) => a.state)).toEqual(['firing']);
    } finally {
      await as(api, operator, 'PATCH', `/api/alert-rules/${rule.id}`, { threshold: null });
    }
  });
});
