import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRuleInfo, HeartbeatLocalDatabase } from '@meterit/shared';
import type { ManualClock, RunningClientApi } from '../src/index.js';
import { SitesService } from '../src/components/sites/sites-service.js';
import { startClockedApi } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// The built-in "site agent's own database down" rule, from the local_database a site agent sends in its heartbeat
// (the agent restarts its embedded PostgreSQL and spills readings to disk meanwhile), through the real database,
// with a manual clock.
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

const hb = (localDatabase: HeartbeatLocalDatabase | undefined) =>
  heartbeatOf({
    agent_time: clock.now().toISOString(),
    last_sync_at: null,
    ...(localDatabase ? { local_database: localDatabase } : {}),
  });

const db = (state: HeartbeatLocalDatabase['state'], since: Date, spilled = 0): HeartbeatLocalDatabase => ({
  state,
  since: since.toISOString(),
  restarts: 3,
  last_error: state === 'up' ? null : 'connect ECONNREFUSED 127.0.0.1:5434',
  spilled_readings: spilled,
});

async function alertsOf(siteId: number) {
  const { rows } = await api.db.knex.raw<{ rows: { state: string; title: string; detail: string }[] }>(
    `SELECT a.state, a.title, a.detail FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE r.kind = 'site_database_down' AND a.site_id = ? ORDER BY a.id`,
    [siteId],
  );
  return rows;
}

const tick = () => api.alerts.engine.tick();

describe("the site agent's own database rule", () => {
  it('when the rules are listed, then the built-in rule is there and on, with a 2-minute default', async () => {
    await tick();
    const rules = (await as(api, operator, 'GET', '/api/alert-rules')).json.rules as AlertRuleInfo[];
    expect(rules.find((r) => r.kind === 'site_database_down')).toMatchObject({
      builtin: true,
      enabled: true,
      severity: 'critical',
      effective_threshold: 2,
      unit: 'min',
    });
  });

  it('when an agent reports its database down for longer than the threshold, then one alert fires with what waits on disk, and it resolves when the database is up', async () => {
    const sites = new SitesService(api.db.knex);
    const created = await sites.createSiteWithKey('Spilling site');
    const site = { id: created.site_id, name: 'Spilling site' };
    const started = clock.now();

    await sites.recordHeartbeat(site, hb(db('up', started)), clock.now());
    await tick();
    expect(await alertsOf(site.id)).toEqual([]);

    // A restart that lasts a minute is within the threshold: no alert.
    clock.advance(MIN);
    const downSince = clock.now();
    await sites.recordHeartbeat(site, hb(db('restarting', downSince, 40)), clock.now());
    await tick();
    expect(await alertsOf(site.id)).toEqual([]);

    clock.advance(3 * MIN);
    await sites.recordHeartbeat(site, hb(db('down', downSince, 220)), clock.now());
    await tick();
    const firing = await alertsOf(site.id);
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      state: 'firing',
      title: `Site "Spilling site": the agent's own database is down for 3 min`,
    });
    expect(firing[0]?.detail).toContain('220 readings wait in its spill file');

    clock.advance(MIN);
    await sites.recordHeartbeat(site, hb(db('up', clock.now())), clock.now());
    await tick();
    expect((await alertsOf(site.id)).map((a) => a.state)).toEqual(['resolved']);
  });

  it('when an agent does not report its database, then the rule says nothing about it', async () => {
    const sites = new SitesService(api.db.knex);
    const created = await sites.createSiteWithKey('Older agent site');
    await sites.recordHeartbeat({ id: created.site_id, name: 'Older agent site' }, hb(undefined), clock.now());
    clock.advance(10 * MIN);
    await sites.recordHeartbeat({ id: created.site_id, name: 'Older agent site' }, hb(undefined), clock.now());
    await tick();
    expect(await alertsOf(created.site_id)).toEqual([]);
  });
});
