import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS, type AlertRuleInfo, type HeartbeatRequest } from '@meterit/shared';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { call, createSite, startClockedApi } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// The built-in "site queue full / readings dropped" rule, from the queue_limit an agent reports in its heartbeat
// (its storage limit QUEUE_MAX_READINGS and what QUEUE_FULL_POLICY did), against the real database with a manual clock.
const MIN = 60_000;
let api: RunningClientApi;
let clock: ManualClock;
let operator: string;

type QueueLimit = NonNullable<HeartbeatRequest['queue_limit']>;

beforeAll(async () => {
  ({ api, clock } = await startClockedApi());
  operator = await createUser(api, 'operator@example.test', 'operator');
});
afterAll(async () => {
  await api?.close(1000);
});

const site = (name: string) => createSite(api, name);

function hb(queueLimit?: Partial<QueueLimit>, extra: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  return heartbeatOf({
    agent_time: clock.now().toISOString(),
    queue_depth: 1000,
    last_sync_at: null,
    ...(queueLimit
      ? { queue_limit: { max: 1000, policy: 'drop-oldest', dropped: 0, refused: 0, full_since: null, ...queueLimit } }
      : {}),
    ...extra,
  });
}

async function heartbeat(s: { id: number; name: string }, queueLimit?: Partial<QueueLimit>) {
  await new SitesService(api.db.knex).recordHeartbeat(s, hb(queueLimit), clock.now());
}

async function queueAlerts(siteId: number) {
  const { rows } = await api.db.knex.raw<{
    rows: { id: number; state: string; title: string; value: number; since: Date; fired_at: Date | null }[];
  }>(
    `SELECT a.id::int AS id, a.state, a.title, a.value, a.since, a.fired_at FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
      WHERE r.kind = 'queue_full' AND a.site_id = ? ORDER BY a.id`,
    [siteId],
  );
  return rows;
}

async function mails(alertId: number) {
  const { rows } = await api.db.knex.raw<{ rows: { event: string; status: string; subject: string; body: string }[] }>(
    "SELECT event, status, subject, body FROM notifications WHERE alert_id = ? AND channel = 'email' ORDER BY id",
    [alertId],
  );
  return rows;
}

const tick = () => api.alerts.engine.tick();

describe('the queue-full rule', () => {
  it('when the agent reports its queue limit in a heartbeat, then the client system keeps it, and the built-in rule is listed with its default', async () => {
    const s = await site('Wired site');
    const res = await call(api, 'POST', SYNC_PATHS.heartbeat, {
      key: s.key,
      body: hb({ dropped: 3, refused: 0, full_since: null }),
    });
    expect(res.status).toBe(200);
    const { rows } = await api.db.knex.raw<{ rows: { last_heartbeat: HeartbeatRequest }[] }>(
      'SELECT last_heartbeat FROM sites WHERE id = ?',
      [s.id],
    );
    expect(rows[0]?.last_heartbeat.queue_limit).toEqual({
      max: 1000,
      policy: 'drop-oldest',
      dropped: 3,
      refused: 0,
      full_since: null,
    });

    const rules = (await as(api, operator, 'GET', '/api/alert-rules')).json.rules as AlertRuleInfo[];
    const rule = rules.find((r) => (r.kind as string) === 'queue_full');
    expect(rule).toMatchObject({
      builtin: true,
      name: 'Site queue full / readings dropped',
      severity: 'critical',
      effective_threshold: 0,
      unit: 'readings',
    });
    expect(rule?.description).toContain('ALERT_QUEUE_LOST_READINGS');
  });

  it('when a site queue reaches its limit and drops its oldest readings, then one alert fires with how many were lost, keeps counting, and resolves once below the limit', async () => {
    const s = await site('Full site');
    await heartbeat(s, { dropped: 0 });
    await tick();
    clock.advance(MIN);
    await heartbeat(s, { dropped: 0 });
    await tick();
    expect(await queueAlerts(s.id)).toEqual([]);

    clock.advance(MIN);
    const fullSince = new Date(clock.now().getTime() - 30_000);
    await heartbeat(s, { dropped: 250, full_since: fullSince.toISOString() });
    await tick();
    await tick(); // a second evaluation sends nothing more
    const [a] = await queueAlerts(s.id);
    expect(a).toMatchObject({
      state: 'firing',
      title: 'Site "Full site" upload queue full — 250 oldest unsent readings dropped',
      value: 250,
    });
    expect(a?.since.toISOString()).toBe(fullSince.toISOString());

    clock.advance(MIN);
    await heartbeat(s, { dropped: 900, full_since: fullSince.toISOString() });
    await tick();
    const [still] = await queueAlerts(s.id);
    expect(still).toMatchObject({ id: a!.id, state: 'firing', value: 900 });

    clock.advance(MIN);
    await heartbeat(s, { dropped: 900, full_since: null });
    await tick();
    expect((await queueAlerts(s.id)).map((x) => x.state)).toEqual(['resolved']);
    const sent = await mails(a!.id);
    expect(sent.map((m) => [m.event, m.status])).toEqual([
      ['firing', 'recorded'],
      ['resolved', 'recorded'],
    ]);
    expect(sent[0]?.subject).toBe(
      '[MeterIT] FIRING: Site "Full site" upload queue full — 250 oldest unsent readings dropped',
    );
    expect(sent[0]?.body).toContain('Where:      site "Full site"');
    expect(sent[0]?.body).toContain('holds at most 1000 unsent readings (QUEUE_MAX_READINGS)');
    expect(sent[0]?.body).toContain('its policy drop-oldest deletes the oldest unsent readings');
  });

  it('when the queue fills and recovers between two evaluations (stop-collecting), then the alert still fires and resolves, once each', async () => {
    const s = await site('Blip site');
    await heartbeat(s, { policy: 'stop-collecting', refused: 10 });
    await tick();
    clock.advance(10_000);
    const fullSince = clock.now();
    await heartbeat(s, { policy: 'stop-collecting', refused: 50, full_since: fullSince.toISOString() });
    clock.advance(10_000);
    await heartbeat(s, { policy: 'stop-collecting', refused: 50, full_since: null });
    clock.advance(10_000);
    await tick();
    const [a] = await queueAlerts(s.id);
    expect(a).toMatchObject({
      state: 'resolved',
      title: 'Site "Blip site" lost 40 readings to its full upload queue',
      value: 40,
    });
    expect(a?.fired_at).not.toBeNull();
    expect(a?.since.toISOString()).toBe(fullSince.toISOString());
    expect((await mails(a!.id)).map((m) => m.event)).toEqual(['firing', 'resolved']);
    await tick();
    expect(await queueAlerts(s.id)).toHaveLength(1);
  });

  it('when an agent reports losses from before it was watched, or does not report its queue at all, then nothing fires', async () => {
    const old = await site('History site');
    await heartbeat(old, { dropped: 5000, refused: 7 });
    await tick();
    clock.advance(MIN);
    await heartbeat(old, { dropped: 5000, refused: 7 });
    await tick();
    expect(await queueAlerts(old.id)).toEqual([]);

    const legacy = await site('Legacy agent site');
    await heartbeat(legacy);
    await tick();
    clock.advance(MIN);
    await heartbeat(legacy);
    await tick();
    expect(await queueAlerts(legacy.id)).toEqual([]);
  });

  it('when an operator raises the threshold, then a small loss is tolerated and a larger one fires', async () => {
    const rules = (await as(api, operator, 'GET', '/api/alert-rules')).json.rules as AlertRuleInfo[];
    const rule = rules.find((r) => (r.kind as string) === 'queue_full')!;
    const patched = await as(api, operator, 'PATCH', `/api/alert-rules/${rule.id}`, { threshold: 100 });
    expect(patched.status).toBe(200);
    expect(patched.json.rule.effective_threshold).toBe(100);
    try {
      const s = await site('Tolerant site');
      await heartbeat(s, { dropped: 0 });
      await tick();
      clock.advance(MIN);
      const fullSince = clock.now().toISOString();
      await heartbeat(s, { dropped: 60, full_since: fullSince });
      await tick();
      expect(await queueAlerts(s.id)).toEqual([]);
      clock.advance(MIN);
      await heartbeat(s, { dropped: 160, full_since: fullSince });
      await tick();
      expect((await queueAlerts(s.id)).map((a) => [a.state, a.value])).toEqual([['firing', 160]]);
    } finally {
      await as(api, operator, 'PATCH', `/api/alert-rules/${rule.id}`, { threshold: null });
    }
  });
});
