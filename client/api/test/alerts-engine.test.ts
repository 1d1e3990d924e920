import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatRequest } from '@meterit/shared';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { createSite, startClockedApi } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// The engine against the real database, driven by a manual clock: every built-in rule fires and resolves
// at the threshold, not before; threshold rules held for a duration ignore a single spike.
const MIN = 60_000;
let api: RunningClientApi;
let clock: ManualClock;
let admin: string;
let viewer: string;
let operator: string;
const ADMIN_ACTOR = { id: 0, email: 'engine-test@example.test', role: 'admin' as const, siteIds: null };

beforeAll(async () => {
  ({ api, clock } = await startClockedApi());
  admin = await createUser(api, 'admin@example.test', 'admin');
  viewer = await createUser(api, 'viewer@example.test', 'viewer');
  operator = await createUser(api, 'operator@example.test', 'operator');
});
afterAll(async () => {
  await api?.close(1000);
});

const site = (name: string) => createSite(api, name);

const hb = (extra: Partial<HeartbeatRequest> = {}) =>
  heartbeatOf({
    agent_time: clock.now().toISOString(),
    last_sync_at: clock.now().toISOString(),
    meters: { configured: 2, ok: 2, failing: 0, never_answered: 0 },
    ...extra,
  });

async function heartbeat(s: { id: number; name: string }, extra: Partial<HeartbeatRequest> = {}, at = clock.now()) {
  await new SitesService(api.db.knex).recordHeartbeat(s, hb(extra), at);
}

async function meter(siteId: number, externalId: string): Promise<number> {
  const { rows } = await api.db.knex.raw<{ rows: { id: number }[] }>(
    `INSERT INTO meters (site_id, external_id, name, bacnet_device_id, bacnet_ip, data_points, created_at) VALUES (?, ?, ?, 1, '127.0.0.1', ?::jsonb, ?) RETURNING id`,
    [
      siteId,
      externalId,
      `Meter ${externalId}`,
      JSON.stringify([
        { object_type: 'analogInput', instance: 0, name: 'current_kw', unit: 'kW' },
        { object_type: 'analogInput', instance: 1, name: 'total_kwh', unit: 'kWh' },
      ]),
      clock.now(),
    ],
  );
  return (rows[0] as { id: number }).id;
}

async function reading(siteId: number, meterId: number, point: string, value: number, at = clock.now()) {
  await api.db.knex.raw(
    `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality) VALUES (?, ?, ?, ?, ?, ?, 'good') ON CONFLICT DO NOTHING`,
    [siteId, meterId, point, at, value, point === 'total_kwh' ? 'kWh' : 'kW'],
  );
}

async function alertsOf(siteId: number | null, kind: string) {
  const { rows } = await api.db.knex.raw<{
    rows: {
      id: number;
      state: string;
      title: string;
      fired_at: Date | null;
      resolved_at: Date | null;
      subject_key: string;
    }[];
  }>(
    `SELECT a.id::int AS id, a.state, a.title, a.fired_at, a.resolved_at, a.subject_key FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
      WHERE r.kind = ? AND (a.site_id = ? OR (?::int IS NULL AND a.site_id IS NULL)) ORDER BY a.id`,
    [kind, siteId, siteId],
  );
  return rows;
}

async function mails(alertId: number) {
  const { rows } = await api.db.knex.raw<{
    rows: { event: string; status: string; subject: string; body: string; recipients: string[] }[];
  }>(
    "SELECT event, status, subject, body, recipients FROM notifications WHERE alert_id = ? AND channel = 'email' ORDER BY id",
    [alertId],
  );
  return rows;
}

const tick = () => api.alerts.engine.tick();

describe('built-in rules, driven by the clock', () => {
  it('when a site sends no heartbeat for more than 10 minutes, then one alert fires with one e-mail, and a heartbeat resolves it with one more', async () => {
    const s = await site('Heartbeat site');
    await heartbeat(s);
    clock.advance(9 * MIN);
    await tick();
    expect(await alertsOf(s.id, 'heartbeat_missing')).toEqual([]);

    clock.advance(MIN + 5000);
    await tick();
    await tick(); // a second evaluation does not send again
    const [a] = await alertsOf(s.id, 'heartbeat_missing');
    expect(a?.state).toBe('firing');
    expect(a?.title).toBe('Site "Heartbeat site" offline — no heartbeat for 10 min');

    await heartbeat(s);
    await tick();
    const [resolved] = await alertsOf(s.id, 'heartbeat_missing');
    expect(resolved?.state).toBe('resolved');
    const sent = await mails(a!.id);
    expect(sent.map((m) => [m.event, m.status])).toEqual([
      ['firing', 'recorded'],
      ['resolved', 'recorded'],
    ]);
    expect(sent[0]?.subject).toBe('[MeterIT] FIRING: Site "Heartbeat site" offline — no heartbeat for 10 min');
    expect(sent[0]?.recipients).toEqual(['ops@example.test']);
    expect(sent[0]?.body).toContain(`http://meterit.test/alerts/${a!.id}`);
    expect(sent[1]?.subject).toMatch(/^\[MeterIT\] RESOLVED: /);
  });

  it('when an agent reconnects after 20 minutes and reports its uplink down and a backlog of 12,000, then the uplink and backlog alerts fire, and resolve once it has caught up', async () => {
    const s = await site('Uplink site');
    await heartbeat(s);
    await tick();
    const down = new Date(clock.now().getTime() - 20 * MIN);
    await heartbeat(s, {
      uplink_down_since: down.toISOString(),
      queue_depth: 12_000,
      oldest_unsent_at: down.toISOString(),
    });
    await tick();
    const [uplink] = await alertsOf(s.id, 'uplink_down');
    const [backlog] = await alertsOf(s.id, 'backlog_size');
    expect(uplink?.state).toBe('firing');
    expect(uplink?.title).toMatch(/could not reach the client system for 20 min/);
    expect(backlog?.state).toBe('firing');
    expect(backlog?.title).toBe('Site "Uplink site" backlog of 12000 readings');

    // 14 minutes of backlog: below the 15-minute threshold, the uplink alert resolves; 9,000 still pending resolves the backlog alert too.
    clock.advance(MIN);
    await heartbeat(s, {
      queue_depth: 9000,
      oldest_unsent_at: new Date(clock.now().getTime() - 14 * MIN).toISOString(),
    });
    await tick();
    expect((await alertsOf(s.id, 'uplink_down'))[0]?.state).toBe('resolved');
    expect((await alertsOf(s.id, 'backlog_size'))[0]?.state).toBe('resolved');
    expect((await mails(uplink!.id)).map((m) => m.event)).toEqual(['firing', 'resolved']);
  });

  it('when a report of an outage arrives and clears between two evaluations, then the alert still fires and resolves once each', async () => {
    const s = await site('Blip site');
    await heartbeat(s);
    await tick();
    clock.advance(10_000);
    await heartbeat(s, {
      queue_depth: 20_000,
      oldest_unsent_at: new Date(clock.now().getTime() - 30 * MIN).toISOString(),
    });
    clock.advance(10_000);
    await heartbeat(s);
    clock.advance(10_000);
    await tick();
    const [b] = await alertsOf(s.id, 'backlog_size');
    expect(b?.state).toBe('resolved');
    expect(b?.fired_at).not.toBeNull();
    expect((await mails(b!.id)).map((m) => m.event)).toEqual(['firing', 'resolved']);
    expect((await alertsOf(s.id, 'uplink_down'))[0]?.state).toBe('resolved');
  });

  it('when one meter of an online site stops delivering for more than 5 minutes, then only that meter alerts, and its next reading resolves it', async () => {
    const s = await site('Meter site');
    const m1 = await meter(s.id, 'm1');
    const m2 = await meter(s.id, 'm2');
    for (const m of [m1, m2]) await reading(s.id, m, 'current_kw', 10);
    await heartbeat(s);
    await tick();
    clock.advance(4 * MIN);
    await reading(s.id, m1, 'current_kw', 11);
    await heartbeat(s, { meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 } });
    await tick();
    expect(await alertsOf(s.id, 'meter_unreachable')).toEqual([]);

    clock.advance(MIN + 5000);
    await reading(s.id, m1, 'current_kw', 12);
    await heartbeat(s, { meters: { configured: 2, ok: 1, failing: 1, never_answered: 0 } });
    await tick();
    const alerts = await alertsOf(s.id, 'meter_unreachable');
    expect(alerts.map((a) => [a.subject_key, a.state])).toEqual([[`meter:${m2}`, 'firing']]);
    expect(alerts[0]?.title).toBe('Meter "Meter m2" at "Meter site" unreachable — no reading for 5 min');

    await reading(s.id, m2, 'current_kw', 13);
    await heartbeat(s);
    await tick();
    expect((await alertsOf(s.id, 'meter_unreachable'))[0]?.state).toBe('resolved');
  });

  it('when the site itself has an old backlog, then its silent meters are not blamed', async () => {
    const s = await site('Backlogged site');
    const m = await meter(s.id, 'm1');
    await reading(s.id, m, 'current_kw', 10);
    clock.advance(8 * MIN);
    await heartbeat(s, { queue_depth: 500, oldest_unsent_at: new Date(clock.now().getTime() - 8 * MIN).toISOString() });
    await tick();
    expect(await alertsOf(s.id, 'meter_unreachable')).toEqual([]);
  });

  it('when more than 5 % of responses are server errors over the window, then the error-rate alert fires, and resolves when the window is clean', async () => {
    const at = clock.now().getTime();
    for (let i = 0; i < 40; i++) api.alerts.counter.record(200, at - 1000);
    for (let i = 0; i < 3; i++) api.alerts.counter.record(500, at - 1000);
    await tick();
    const [a] = await alertsOf(null, 'api_error_rate');
    expect(a?.state).toBe('firing');
    expect(a?.title).toBe('API error rate 7 % (3 of 43 responses were server errors)');
    clock.advance(6 * MIN);
    await tick();
    expect((await alertsOf(null, 'api_error_rate'))[0]?.state).toBe('resolved');
  });

  it('when real requests fail with 4xx, then they count as responses but not as errors', async () => {
    const before = api.alerts.counter.snapshot(Date.now(), MIN);
    for (let i = 0; i < 3; i++) await fetch(`${api.url}/api/nothing-here`);
    const after = api.alerts.counter.snapshot(Date.now(), MIN);
    expect(after.total - before.total).toBe(3);
    expect(after.errors - before.errors).toBe(0);
  });

  it('when an alert fires again within the cooldown after resolving, then it is recorded but no second e-mail goes out', async () => {
    const s = await site('Flapping site');
    for (let round = 0; round < 2; round++) {
      await heartbeat(s);
      await tick();
      clock.advance(11 * MIN);
      await tick();
      await heartbeat(s);
      await tick();
    }
    const list = await alertsOf(s.id, 'heartbeat_missing');
    expect(list.map((a) => a.state)).toEqual(['resolved', 'resolved']);
    expect((await mails(list[0]!.id)).map((m) => m.status)).toEqual(['recorded', 'recorded']);
    expect((await mails(list[1]!.id)).map((m) => m.status)).toEqual(['suppressed', 'suppressed']);
  });
});

describe('operator rules', () => {
  it('when a power threshold must hold for 15 minutes, then a single spike does not fire it, and holding above it does, once', async () => {
    const s = await site('Building A');
    const m = await meter(s.id, 'main');
    const rule = await api.alerts.service.configureRule(
      {
        kind: 'threshold',
        name: 'Building A above 200 kW',
        scope: 'meter',
        meter_id: m,
        data_point: 'current_kw',
        condition: 'above',
        threshold: 200,
        for_seconds: 900,
        recipients: ['facility@example.test'],
      },
      ADMIN_ACTOR,
    );
    const minute = async (value: number) => {
      clock.advance(MIN);
      await reading(s.id, m, 'current_kw', value);
      await heartbeat(s);
      await tick();
    };
    const mine = async () =>
      (await alertsOf(s.id, 'threshold')).filter((a) => a.subject_key === `meter:${m}:current_kw`);
    for (let i = 0; i < 5; i++) await minute(150);
    await minute(260); // the spike
    expect((await mine()).map((a) => a.state)).toEqual(['pending']);
    await minute(150);
    expect((await mine()).map((a) => [a.state, a.fired_at])).toEqual([['resolved', null]]);

    for (let i = 0; i < 15; i++) await minute(240);
    expect((await mine()).at(-1)?.state).toBe('pending');
    await minute(245);
    const fired = (await mine()).at(-1);
    expect(fired?.state).toBe('firing');
    await minute(250);
    await minute(120);
    expect((await mine()).at(-1)?.state).toBe('resolved');
    const sent = await mails(fired!.id);
    expect(sent.map((x) => x.event)).toEqual(['firing', 'resolved']);
    expect(sent[0]?.recipients).toEqual(['facility@example.test']);
    expect(sent[0]?.body).toContain('Threshold:  200 kW, held for 15 min');

    // The preview replays the stored readings: the held run, not the spike.
    const preview = await as(api, operator, 'POST', '/api/alert-rules/preview', { id: rule.id });
    expect(preview.status).toBe(200);
    expect(preview.json.episodes).toHaveLength(1);
    expect(preview.json.episodes[0].peak_value).toBe(250);
    const shorter = await as(api, operator, 'POST', '/api/alert-rules/preview', {
      kind: 'threshold',
      name: 'x',
      meter_id: m,
      data_point: 'current_kw',
      condition: 'above',
      threshold: 200,
      for_seconds: 0,
    });
    expect(shorter.json.episodes).toHaveLength(2);
  });

  it('when a meter sends nothing for N minutes, or a site uses more energy today than N kWh, then those rules fire', async () => {
    const s = await site('Energy site');
    const m = await meter(s.id, 'e1');
    const t0 = clock.now().getTime();
    await reading(s.id, m, 'total_kwh', 1000, new Date(Math.max(t0 - 10 * MIN, startOfUtcDay(t0))));
    await reading(s.id, m, 'total_kwh', 1600, new Date(t0 - 1000));
    await api.alerts.service.configureRule(
      { kind: 'daily_energy', name: 'Energy site > 500 kWh/day', site_id: s.id, threshold: 500 },
      ADMIN_ACTOR,
    );
    await api.alerts.service.configureRule(
      { kind: 'no_data', name: 'e1 silent 3 min', meter_id: m, threshold: 3 },
      ADMIN_ACTOR,
    );
    await tick();
    const energy = await alertsOf(s.id, 'daily_energy');
    expect(energy.map((a) => a.state)).toEqual(['firing']);
    expect(energy[0]?.title).toBe('Energy today of site "Energy site": 600 kWh (above 500 kWh)');
    expect(await alertsOf(s.id, 'no_data')).toEqual([]);
    clock.advance(4 * MIN);
    await tick();
    expect((await alertsOf(s.id, 'no_data')).map((a) => a.state)).toEqual(['firing']);
  });
});

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000 + 1000;
}

describe('the alerts API', () => {
  it('when an operator lists, opens and acknowledges an alert, then active ones come first, the history shows who and when, and a viewer may only read', async () => {
    const list = await as(api, viewer, 'GET', '/api/alerts?state=active');
    expect(list.status).toBe(200);
    expect(list.json.alerts.length).toBeGreaterThan(0);
    expect(list.json.alerts.every((a: { state: string }) => a.state === 'firing' || a.state === 'pending')).toBe(true);
    const all = await as(api, viewer, 'GET', '/api/alerts');
    const states: string[] = all.json.alerts.map((a: { state: string }) => a.state);
    expect(states.indexOf('resolved')).toBeGreaterThan(states.lastIndexOf('firing'));
    const target = list.json.alerts.find((a: { state: string }) => a.state === 'firing');

    expect((await as(api, viewer, 'POST', `/api/alerts/${target.id}/acknowledge`, {})).status).toBe(403);
    const ack = await as(api, operator, 'POST', `/api/alerts/${target.id}/acknowledge`, { note: 'on it' });
    expect(ack.status).toBe(200);
    expect(ack.json.alert.acknowledged_by).toBe('operator@example.test');
    expect((await as(api, admin, 'POST', `/api/alerts/${target.id}/acknowledge`, {})).status).toBe(409);
    const detail = await as(api, viewer, 'GET', `/api/alerts/${target.id}`);
    expect(detail.json.events.map((e: { type: string }) => e.type)).toContain('acknowledged');
    expect(detail.json.events.find((e: { type: string }) => e.type === 'acknowledged').actor).toBe(
      'operator@example.test',
    );
    expect(detail.json.notifications.length).toBeGreaterThan(0);
  });

  it('when input is bad or the role is wrong, then the rule endpoints answer 4xx with what was wrong', async () => {
    expect((await as(api, viewer, 'POST', '/api/alert-rules', { kind: 'threshold', name: 'x' })).status).toBe(403);
    const r1 = await as(api, admin, 'POST', '/api/alert-rules', {
      kind: 'threshold',
      name: 'x',
      scope: 'all',
      condition: 'above',
      threshold: 'high',
    });
    expect(r1.status).toBe(400);
    expect(r1.json.error.message).toContain('threshold must be a number');
    const r2 = await as(api, admin, 'POST', '/api/alert-rules', {
      kind: 'threshold',
      name: 'x',
      scope: 'all',
      condition: 'above',
      threshold: 5,
    });
    expect(r2.status).toBe(400);
    expect(r2.json.error.message).toContain('data_point is required');
    const r3 = await as(api, admin, 'POST', '/api/alert-rules', { kind: 'heartbeat_missing', name: 'x' });
    expect(r3.status).toBe(400);
    expect(
      (await as(api, admin, 'POST', '/api/alert-rules', { kind: 'no_data', name: 'x', meter_id: 999999, threshold: 5 }))
        .status,
    ).toBe(404);
    expect((await as(api, admin, 'GET', '/api/alerts?state=burning')).status).toBe(400);
    expect((await as(api, admin, 'POST', '/api/alerts/abc/acknowledge')).status).toBe(400);
    expect((await as(api, admin, 'GET', '/api/alerts/99999999')).status).toBe(404);
    expect((await as(api, admin, 'PATCH', '/api/alert-rules/1', { recipients: ['not-an-address'] })).status).toBe(400);
  });

  it('when an operator overrides a built-in threshold, then the engine uses it and the rule shows both', async () => {
    const rules = await as(api, operator, 'GET', '/api/alert-rules');
    const hbRule = rules.json.rules.find((r: { kind: string }) => r.kind === 'heartbeat_missing');
    expect(hbRule.effective_threshold).toBe(10);
    const patched = await as(api, operator, 'PATCH', `/api/alert-rules/${hbRule.id}`, { threshold: 2 });
    expect(patched.status).toBe(200);
    expect(patched.json.rule.effective_threshold).toBe(2);
    const s = await site('Override site');
    await heartbeat(s);
    clock.advance(2 * MIN + 1000);
    await tick();
    expect((await alertsOf(s.id, 'heartbeat_missing')).map((a) => a.state)).toEqual(['firing']);
    await as(api, operator, 'PATCH', `/api/alert-rules/${hbRule.id}`, { threshold: null });
  });

  it('when a user limited to one site lists alerts and rules, then other sites stay invisible', async () => {
    const s = await site('Limited site');
    const limited = await createUser(api, 'limited@example.test', 'operator', [s.id]);
    const list = await as(api, limited, 'GET', '/api/alerts');
    expect(list.json.alerts.every((a: { site_id: number | null }) => a.site_id === null || a.site_id === s.id)).toBe(
      true,
    );
    expect(
      (
        await as(api, limited, 'POST', '/api/alert-rules', {
          kind: 'daily_energy',
          name: 'all',
          scope: 'all',
          threshold: 1,
        })
      ).status,
    ).toBe(403);
    const notifications = await as(api, limited, 'GET', '/api/notifications');
    expect(notifications.status).toBe(200);
    expect(notifications.json.smtp_configured).toBe(false);
  });
});
