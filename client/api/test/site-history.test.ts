import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SiteHistoryResponseSchema,
  SYNC_PATHS,
  type HeartbeatRequest,
  type SiteHistoryEvent,
  type SiteHistoryResponse,
} from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, startTestApi, type TestSite } from './helpers.js';
import { heartbeatOf } from './helpers/site-api.js';
import { as, createUser } from './operator-helpers.js';

// One timeline per site, written through the real routes: the agent's heartbeats (an outage it reports once back,
// a stop with the technician's reason, a restart on a new version), an admin's key rotation and an alert that
// fired and resolved. Another site's events never show.
const MIN = 60_000;
let api: RunningClientApi;
let site: TestSite;
let other: TestSite;
let admin: string;
let limited: string;
const t0 = Date.now();
const ago = (ms: number) => new Date(t0 - ms).toISOString();

const heartbeat = (extra: Partial<HeartbeatRequest> = {}) =>
  heartbeatOf({
    agent_version: '1.0.0',
    meters: { configured: 2, ok: 2, failing: 0, never_answered: 0 },
    agent_started_at: ago(60 * MIN),
    collection: { changed_at: null, reason: null },
    ...extra,
  });

async function send(key: string, hb: HeartbeatRequest): Promise<void> {
  const res = await call(api, 'POST', SYNC_PATHS.heartbeat, { key, body: hb });
  expect(res.status).toBe(200);
}

async function historyOf(id: number, token = admin, query = ''): Promise<SiteHistoryResponse> {
  const res = await as(api, token, 'GET', `/api/sites/${id}/history?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return SiteHistoryResponseSchema.parse(res.json);
}

const typesOf = (events: SiteHistoryEvent[]) => events.map((e) => e.type);
/** How far an event's time is from `msAgo` before the test began (the agent's clock is ours, up to the round trip). */
const offBy = (e: SiteHistoryEvent | undefined, msAgo: number) => Math.abs(Date.parse(e?.at ?? '') - (t0 - msAgo));

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Timeline site');
  other = await createSite(api, 'Other site');
  admin = await createUser(api, 'admin@example.test', 'admin');
  limited = await createUser(api, 'viewer@example.test', 'viewer', [site.id]);

  // The agent starts; later it reports the 10-minute outage it just came back from.
  await send(site.key, heartbeat());
  await send(site.key, heartbeat({ uplink_down_since: ago(10 * MIN), queue_depth: 40 }));
  // The technician stops collection with a reason; the same state is repeated by the next heartbeat.
  const stopped = { collecting: false, collection: { changed_at: ago(5 * MIN), reason: 'Replacing the CT clamps' } };
  await send(site.key, heartbeat(stopped));
  await send(site.key, heartbeat(stopped));
  // The agent restarts on a new version and collection is started again.
  const restarted = {
    agent_version: '1.1.0',
    agent_started_at: ago(2 * MIN),
    collection: { changed_at: ago(1 * MIN), reason: 'Clamps replaced' },
  };
  await send(site.key, heartbeat(restarted));
  // A backlog over the threshold fires an alert; an empty one resolves it.
  await send(site.key, heartbeat({ ...restarted, queue_depth: 50_000 }));
  await api.alerts.engine.tick();
  await send(site.key, heartbeat({ ...restarted, queue_depth: 0 }));
  await api.alerts.engine.tick();
  // The admin rotates the site's key; the other site's agent does all the same things.
  const rotated = await as(api, admin, 'POST', `/api/sites/${site.id}/keys`, { grace_hours: 1 });
  expect(rotated.status).toBe(201);
  await send(other.key, heartbeat({ collecting: false, collection: { changed_at: ago(3 * MIN), reason: 'other' } }));
  await send(other.key, heartbeat({ uplink_down_since: ago(20 * MIN), agent_started_at: ago(4 * MIN) }));
});
afterAll(async () => {
  await api?.close();
});

describe("when a site's agent reported an outage, a stop with a reason and a restart, and a key and an alert changed", () => {
  it('then the timeline shows each of them once, newest first, with their words and times', async () => {
    const h = await historyOf(site.id);

    expect(typesOf(h.events)).toEqual([
      'key_created',
      'alert_resolved',
      'alert_fired',
      'key_created',
      'collection_started',
      'agent_started',
      'collection_stopped',
      'uplink_outage',
      'agent_started',
    ]);
    const [rotation, resolved, fired, firstKey, started, restart, stopped, outage, firstStart] = h.events;
    expect(rotation).toMatchObject({ kind: 'key', rotation: true });
    expect(firstKey).toMatchObject({ kind: 'key', rotation: false });
    expect(fired).toMatchObject({ kind: 'alert', rule_name: 'Site backlog too large', severity: 'warning' });
    expect(resolved).toMatchObject({ alert_id: fired?.kind === 'alert' ? fired.alert_id : -1 });
    expect(started).toMatchObject({ reason: 'Clamps replaced' });
    expect(stopped).toMatchObject({ reason: 'Replacing the CT clamps' });
    expect(restart).toMatchObject({ version: '1.1.0', previous_version: '1.0.0', restart: true });
    expect([offBy(started, MIN), offBy(restart, 2 * MIN), offBy(stopped, 5 * MIN)].every((d) => d < 5000)).toBe(true);
    expect(firstStart).toMatchObject({ version: '1.0.0', previous_version: null, restart: false });
    expect(outage).toMatchObject({ kind: 'outage', ongoing: false, sources: ['agent_reported'] });
    // From when the agent says it went down (its clock matches ours to the second) to the heartbeat that reported it.
    expect(offBy(outage, 10 * MIN)).toBeLessThan(5000);
    expect(outage?.kind === 'outage' ? outage.duration_s : 0).toBeGreaterThanOrEqual(600);
    expect(new Set(h.events.map((e) => e.id)).size).toBe(h.events.length);
    expect(h.next_offset).toBeNull();
  });

  it('then a filter by kind keeps only those, and pages go on where the last one ended', async () => {
    const collection = await historyOf(site.id, admin, 'kind=collection,agent');
    expect(typesOf(collection.events)).toEqual([
      'collection_started',
      'agent_started',
      'collection_stopped',
      'agent_started',
    ]);

    const first = await historyOf(site.id, admin, 'limit=4');
    const second = await historyOf(site.id, admin, `limit=4&offset=${first.next_offset}`);
    const third = await historyOf(site.id, admin, `limit=4&offset=${second.next_offset}`);
    expect(first.next_offset).toBe(4);
    expect(third.next_offset).toBeNull();
    expect(typesOf([...first.events, ...second.events, ...third.events])).toEqual(
      typesOf((await historyOf(site.id)).events),
    );
  });

  it("then another site's events are never shown, and a user limited to this site gets 404 for the other", async () => {
    const h = await historyOf(site.id, limited);
    expect(h.events.filter((e) => e.kind === 'collection').map((e) => 'reason' in e && e.reason)).toEqual([
      'Clamps replaced',
      'Replacing the CT clamps',
    ]);
    const theirs = await historyOf(other.id);
    expect(typesOf(theirs.events)).toEqual([
      'key_created',
      'collection_stopped',
      'agent_started',
      'uplink_outage',
      'agent_started',
    ]);
    expect((await as(api, limited, 'GET', `/api/sites/${other.id}/history`)).status).toBe(404);
    expect((await as(api, admin, 'GET', '/api/sites/999999/history')).status).toBe(404);
  });

  it('then a range that ends before the events holds none of them', async () => {
    const h = await historyOf(site.id, admin, `from=${ago(120 * MIN)}&to=${ago(30 * MIN)}`);
    expect(typesOf(h.events)).toEqual(['agent_started']);
  });
});

describe('when the history is asked for with a bad range or filter', () => {
  it.each([
    ['from=yesterday', 'from'],
    [`from=${ago(0)}&to=${ago(MIN)}`, 'from must be before to'],
    [`from=${ago(100 * 86_400_000)}&to=${ago(0)}`, 'at most 92 days'],
    ['kind=outage,bogus', 'kind'],
    ['limit=0', 'limit'],
    ['offset=-1', 'offset'],
  ])('then %s is a 400 that says what is wrong', async (query, words) => {
    const res = await as(api, admin, 'GET', `/api/sites/${site.id}/history?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    expect(res.json.error.message).toContain(words);
  });
});
