import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsActor, ManualClock, RunningClientApi } from '../src/index.js';
import { createSite, meter, startClockedApi, type TestSite } from './helpers.js';
import { as, createUser, registerAndSend } from './operator-helpers.js';

// Who may change what the alert engine watches, and who reads which e-mails. An operator limited to site B must not
// silence alerts of sites they cannot see (disable or raise an all-site rule), nor read site A's e-mails in the outbox.
let api: RunningClientApi;
let clock: ManualClock;
let siteA: TestSite;
let siteB: TestSite;
let meterA: number;
const t = { admin: '', operator: '', limitedA: '', limitedB: '', viewerB: '' };
const actors: Record<'admin' | 'limitedA' | 'limitedB', AlertsActor> = {} as never;

type Rule = {
  id: number;
  kind: string;
  builtin: boolean;
  name: string;
  enabled: boolean;
  scope: string;
  threshold: number | null;
  site_id: number | null;
};

beforeAll(async () => {
  ({ api, clock } = await startClockedApi());
  siteA = await createSite(api, 'Plant A');
  siteB = await createSite(api, 'Plant B');
  await registerAndSend(api, siteA.key, [meter('a-1')], []);
  await registerAndSend(api, siteB.key, [meter('b-1')], []);
  meterA = (await api.db.knex('meters').where({ external_id: 'a-1' }).first<{ id: number }>('id'))!.id;
  t.admin = await createUser(api, 'admin@example.test', 'admin');
  t.operator = await createUser(api, 'operator@example.test', 'operator');
  t.limitedA = await createUser(api, 'operator-a@example.test', 'operator', [siteA.id]);
  t.limitedB = await createUser(api, 'operator-b@example.test', 'operator', [siteB.id]);
  t.viewerB = await createUser(api, 'viewer-b@example.test', 'viewer', [siteB.id]);
  for (const [who, email] of [
    ['admin', 'admin@example.test'],
    ['limitedA', 'operator-a@example.test'],
    ['limitedB', 'operator-b@example.test'],
  ] as const) {
    const u = (await api.db
      .knex('users')
      .where({ email })
      .first<{ id: number; role: 'admin' | 'operator' }>('id', 'role'))!;
    actors[who] = {
      id: u.id,
      email,
      role: u.role,
      siteIds: who === 'admin' ? null : [who === 'limitedA' ? siteA.id : siteB.id],
    };
  }
});
afterAll(async () => {
  await api?.close(1000);
});

const rules = async (token = t.admin) => (await as(api, token, 'GET', '/api/alert-rules')).json.rules as Rule[];
const stored = async (id: number) =>
  (await api.db
    .knex('alert_rules')
    .where({ id })
    .first<{ enabled: boolean; threshold: number | null; name: string }>('enabled', 'threshold', 'name'))!;

describe('when an operator limited to site B edits an alert rule that covers every site', () => {
  it('then disabling it, raising its threshold or renaming it is 403 naming why, and the rule is unchanged; an operator of every site may', async () => {
    const builtin = (await rules(t.limitedB)).find((r) => r.kind === 'heartbeat_missing')!;
    expect(builtin).toMatchObject({ builtin: true, scope: 'all', enabled: true });
    const before = await stored(builtin.id);
    for (const change of [
      { enabled: false },
      { threshold: 100_000 },
      { name: 'Nothing to see here' },
      { severity: 'info' },
    ]) {
      const r = await as(api, t.limitedB, 'PATCH', `/api/alert-rules/${builtin.id}`, change);
      expect(r.status, JSON.stringify(change)).toBe(403);
      expect(r.json.error.code).toBe('FORBIDDEN');
      expect(r.json.error.message).toMatch(
        /covers every site, and you see only some \(site \d+\); only a user who sees every site may change it/,
      );
    }
    expect(await stored(builtin.id)).toEqual(before);

    const ok = await as(api, t.operator, 'PATCH', `/api/alert-rules/${builtin.id}`, { threshold: 20 });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.rule.threshold).toBe(20);
  });

  it('then a custom all-site rule is the same, and so is deleting it; creating one is 403 too', async () => {
    const created = await as(api, t.admin, 'POST', '/api/alert-rules', {
      kind: 'no_data',
      name: 'Any meter silent 2 h',
      threshold: 120,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.rule.id as number;
    expect(created.json.rule.scope).toBe('all');
    expect((await as(api, t.limitedB, 'PATCH', `/api/alert-rules/${id}`, { enabled: false })).status).toBe(403);
    const del = await as(api, t.limitedB, 'DELETE', `/api/alert-rules/${id}`);
    expect(del.status).toBe(403);
    expect(del.json.error.message).toMatch(/only a user who sees every site may delete it/);
    expect((await stored(id)).enabled).toBe(true);

    const mine = await as(api, t.limitedB, 'POST', '/api/alert-rules', {
      kind: 'no_data',
      name: 'Every site silent',
      threshold: 1,
      scope: 'all',
    });
    expect(mine.status).toBe(403);
    expect(mine.json.error.message).toMatch(/name a site or a meter/);

    expect((await as(api, t.admin, 'DELETE', `/api/alert-rules/${id}`)).status).toBe(204);
    expect(await api.db.knex('alert_rules').where({ id }).first()).toBeUndefined();
  });

  it("then their own site's rules are theirs to change and delete, site A's do not exist for them, a viewer may do neither, and a built-in rule cannot be deleted", async () => {
    const own = await as(api, t.limitedB, 'POST', '/api/alert-rules', {
      kind: 'daily_energy',
      name: 'Plant B over 5 MWh a day',
      site_id: siteB.id,
      threshold: 5000,
    });
    expect(own.status, JSON.stringify(own.json)).toBe(201);
    const ownId = own.json.rule.id as number;
    expect(
      (await as(api, t.limitedB, 'PATCH', `/api/alert-rules/${ownId}`, { threshold: 6000 })).json.rule.threshold,
    ).toBe(6000);
    expect((await as(api, t.viewerB, 'DELETE', `/api/alert-rules/${ownId}`)).status).toBe(403);

    const ofA = await as(api, t.admin, 'POST', '/api/alert-rules', {
      kind: 'threshold',
      name: 'A-1 over 300 kW',
      meter_id: meterA,
      data_point: 'current_kw',
      condition: 'above',
      threshold: 300,
    });
    expect(ofA.status).toBe(201);
    expect(
      (await as(api, t.limitedB, 'PATCH', `/api/alert-rules/${ofA.json.rule.id}`, { enabled: false })).status,
    ).toBe(404);
    expect((await as(api, t.limitedB, 'DELETE', `/api/alert-rules/${ofA.json.rule.id}`)).status).toBe(404);
    expect((await stored(ofA.json.rule.id)).enabled).toBe(true);

    expect((await as(api, t.limitedB, 'DELETE', `/api/alert-rules/${ownId}`)).status).toBe(204);
    expect((await rules(t.limitedB)).map((r) => r.id)).not.toContain(ownId);

    const builtin = (await rules()).find((r) => r.builtin)!;
    const del = await as(api, t.admin, 'DELETE', `/api/alert-rules/${builtin.id}`);
    expect(del.status).toBe(409);
    expect(del.json.error.message).toMatch(/built in and cannot be deleted; disable it instead/);
  });
});

describe('when e-mails of several sites are in the outbox', () => {
  it("then a user limited to site B sees only site B's e-mails, never site A's (alert or report) nor an all-site report; a user of site A sees site A's", async () => {
    const svc = api.alerts.service;
    await svc.sendAlertEmail(
      { to: ['boss@example.test'], subject: 'Monthly report, every site', body: 'Plant A 120 MWh, Plant B 80 MWh' },
      actors.admin,
    );
    await svc.sendAlertEmail(
      { to: ['a-team@example.test'], subject: 'Plant A report', body: 'Plant A 120 MWh' },
      actors.limitedA,
    );
    await svc.sendAlertEmail(
      { to: ['b-team@example.test'], subject: 'Plant B report', body: 'Plant B 80 MWh' },
      actors.limitedB,
    );
    // An alert of site A: its e-mail concerns site A.
    const rule = await as(api, t.admin, 'POST', '/api/alert-rules', {
      kind: 'threshold',
      name: 'A-1 any power',
      meter_id: meterA,
      data_point: 'current_kw',
      condition: 'above',
      threshold: 0,
    });
    expect(rule.status).toBe(201);
    await api.db.knex.raw(
      `INSERT INTO meter_readings (site_id, meter_id, data_point, ts, value, unit, quality) VALUES (?, ?, 'current_kw', ?, 50, 'kW', 'good')`,
      [siteA.id, meterA, clock.now()],
    );
    await api.alerts.engine.tick();
    const subjects = async (token: string) =>
      ((await as(api, token, 'GET', '/api/notifications')).json.notifications as Array<{ subject: string }>).map(
        (n) => n.subject,
      );
    const all = await subjects(t.admin);
    expect(all).toEqual(
      expect.arrayContaining([
        '[MeterIT] Monthly report, every site',
        '[MeterIT] Plant A report',
        '[MeterIT] Plant B report',
      ]),
    );
    expect(all.some((s) => /FIRING: "Meter a-1" at "Plant A"/.test(s))).toBe(true);

    for (const token of [t.limitedB, t.viewerB]) {
      const seen = await subjects(token);
      expect(seen).toContain('[MeterIT] Plant B report');
      expect(seen.filter((s) => /Plant A|every site|Meter a-1/.test(s))).toEqual([]);
    }
    const seenA = await subjects(t.limitedA);
    expect(seenA).toContain('[MeterIT] Plant A report');
    expect(seenA.some((s) => /FIRING: "Meter a-1" at "Plant A"/.test(s))).toBe(true);
    expect(seenA.filter((s) => /Plant B|every site/.test(s))).toEqual([]);
  });
});
