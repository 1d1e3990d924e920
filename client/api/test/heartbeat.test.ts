import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS, type HeartbeatRequest } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { call, createSite, startTestApi, type TestSite } from './helpers.js';

let api: RunningClientApi;
let site: TestSite;

beforeAll(async () => {
  api = await startTestApi();
  site = await createSite(api, 'Heartbeat site');
});
afterAll(async () => {
  await api?.close();
});

function heartbeat(extra: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  return {
    agent_version: '0.3.1',
    agent_time: new Date().toISOString(),
    collecting: true,
    queue_depth: 1200,
    oldest_unsent_at: '2025-06-01T11:00:00.000Z',
    dead_letters: 3,
    uplink_down_since: null,
    last_sync_at: '2025-06-01T11:59:00.000Z',
    meters: { configured: 4, ok: 3, failing: 1, never_answered: 0 },
    ...extra,
  };
}

describe('when an agent whose clock is 90 s behind sends a heartbeat', () => {
  it('then the heartbeat is stored on the site and in the history, and the clock offset is returned', async () => {
    const hb = heartbeat({ agent_time: new Date(Date.now() - 90_000).toISOString() });

    const res = await call(api, 'POST', SYNC_PATHS.heartbeat, { key: site.key, body: hb });

    expect(res.status).toBe(200);
    expect(Math.abs(Date.parse(res.json.server_time) - Date.now())).toBeLessThan(5000);
    expect(res.json.clock_offset_ms).toBeGreaterThanOrEqual(90_000);
    expect(res.json.clock_offset_ms).toBeLessThan(95_000);
    const { rows: sites } = await api.db.knex.raw<{
      rows: { last_heartbeat_at: Date; last_heartbeat: unknown; agent_version: string; clock_offset_ms: number }[];
    }>('SELECT last_heartbeat_at, last_heartbeat, agent_version, clock_offset_ms FROM sites WHERE id = ?', [site.id]);
    expect(sites[0]).toMatchObject({
      last_heartbeat: hb,
      agent_version: '0.3.1',
      clock_offset_ms: res.json.clock_offset_ms,
    });
    expect(sites[0]?.last_heartbeat_at.toISOString()).toBe(res.json.server_time);
    const { rows: history } = await api.db.knex.raw<{ rows: { payload: unknown }[] }>(
      'SELECT payload FROM heartbeats WHERE site_id = ?',
      [site.id],
    );
    expect(history).toEqual([{ payload: hb }]);
  });
});

describe('when an agent reports that its own database is down', () => {
  it('then the stored heartbeat keeps the state, since when, restarts, error and the readings waiting in its spill file', async () => {
    const local_database = {
      state: 'down' as const,
      since: '2025-06-01T11:58:00.000Z',
      restarts: 2,
      last_error: 'embedded PostgreSQL did not start: could not open file',
      spilled_readings: 480,
    };
    const hb = heartbeat({ local_database });
    const res = await call(api, 'POST', SYNC_PATHS.heartbeat, { key: site.key, body: hb });
    expect(res.status).toBe(200);
    const { rows } = await api.db.knex.raw<{ rows: { last_heartbeat: HeartbeatRequest }[] }>(
      'SELECT last_heartbeat FROM sites WHERE id = ?',
      [site.id],
    );
    expect(rows[0]?.last_heartbeat.local_database).toEqual(local_database);
  });

  it('then a malformed local_database is a 400 naming each bad field, and nothing is stored', async () => {
    const { rows: before } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats',
    );
    const res = await call(api, 'POST', SYNC_PATHS.heartbeat, {
      key: site.key,
      body: {
        ...heartbeat(),
        local_database: {
          state: 'gone',
          since: 'yesterday',
          restarts: -1,
          last_error: 'x\u0000',
          spilled_readings: 1.5,
        },
      },
    });
    expect(res.status).toBe(400);
    const fields = (res.json.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'local_database.state',
        'local_database.since',
        'local_database.restarts',
        'local_database.last_error',
        'local_database.spilled_readings',
      ]),
    );
    const wrongType = await call(api, 'POST', SYNC_PATHS.heartbeat, {
      key: site.key,
      body: { ...heartbeat(), local_database: 'down' },
    });
    expect(wrongType.status).toBe(400);
    const { rows: after } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats',
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('when a heartbeat is malformed', () => {
  it('then the answer is 400 VALIDATION_FAILED naming each bad field, and nothing is stored', async () => {
    const { rows: before } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats',
    );
    const res = await call(api, 'POST', SYNC_PATHS.heartbeat, {
      key: site.key,
      body: { ...heartbeat(), agent_time: 'now', queue_depth: -1, collecting: 'yes', meters: { configured: 1 } },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    const fields = (res.json.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['agent_time', 'queue_depth', 'collecting', 'meters.ok']));
    const { rows: after } = await api.db.knex.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM heartbeats',
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});
