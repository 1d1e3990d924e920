import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { API_KEY_HEADER, SYNC_PATHS, type MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import {
  collectionResponseSchema,
  deadLettersResponseSchema,
  loginResponseSchema,
  metersResponseSchema,
  readingsResponseSchema,
  retryDeadLettersResponseSchema,
  seriesResponseSchema,
  sessionResponseSchema,
  statusResponseSchema,
  syncLogResponseSchema,
  syncNowResponseSchema,
} from '@meterit/shared/site-contracts';
import type { z } from 'zod';
import type {
  CollectionResponse,
  DeadLettersResponse,
  LoginResponse,
  MetersResponse,
  ReadingsResponse,
  RetryDeadLettersResponse,
  SeriesResponse,
  SessionResponse,
  StatusResponse,
  SyncLogResponse,
  SyncNowResponse,
} from '@meterit/shared/site-contracts';
import {
  centralReadings,
  createSite,
  localApi,
  startAgentProcess,
  startClientSystem,
  unsentCount,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The technicians' local API against the real agent process, a real client API process, the
// simulator over real UDP and a real PostgreSQL. Loopback range 127.0.4.x belongs to this file
// and the dashboard browser test.
const AGENT_ADDRESS = '127.0.4.1';
const TOKEN = `t-${randomBytes(16).toString('hex')}`;
const DEVICE = [4101, 4102, 4103] as const;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let site: { site_id: number; api_key: string };

const get = <T>(p: string, token?: string) => localApi<T>(agent, 'GET', p, token ? { token } : {});
const post = <T>(p: string, opts: { token?: string; body?: unknown; rawBody?: string } = {}) =>
  localApi<T>(agent, 'POST', p, opts);
const status = async () => (await get<StatusResponse>('/api/status')).body;
const ageMs = (iso: string | null) => (iso ? Date.now() - Date.parse(iso) : Infinity);

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'local_api_client');
  const siteDb = await createTestDatabase(pg, 'local_api_site');
  client = await startClientSystem(clientDb);
  site = await createSite(clientDb, 'Local API site');
  sim = await startSimulator({
    meters: DEVICE.map((deviceId, i) => ({
      deviceId,
      name: `Local API meter ${i}`,
      address: `127.0.4.${11 + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 7,
  });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: AGENT_ADDRESS,
    // Only "sync now" (and the quick retries after a failure) send; the heartbeat shows the uplink.
    env: { LOCAL_API_TOKEN: TOKEN, SYNC_INTERVAL_MINUTES: '30', METER_SLOW_MS: '400', HEARTBEAT_INTERVAL_SECONDS: '1' },
  });
});

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('local API: credentials', () => {
  const actions = [
    '/api/control/collection/start',
    '/api/control/collection/stop',
    '/api/control/sync',
    '/api/control/dead-letters/retry',
  ];

  it('when a control action comes without the credential or with a wrong one, then it is refused with 401 and nothing changes', async () => {
    for (const path of actions) {
      const none = await post<{ error: { code: string; message: string } }>(path);
      expect(none.status, path).toBe(401);
      expect(none.body.error.code).toBe('AUTH_MISSING');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const wrong = await post<{ error: { code: string } }>(path, { token: `${TOKEN}x` });
      expect(wrong.status, path).toBe(401);
      expect(wrong.body.error.code).toBe('AUTH_INVALID');
    }
    const login = await post<{ error: { code: string } }>('/api/session', { body: { token: 'not-the-token' } });
    expect(login.status).toBe(401);
    // Nothing was stopped by the refused requests, and read-only views need no credential.
    const s = await get<StatusResponse>('/api/status');
    expect(s.status).toBe(200);
    expect(s.body.collection.collecting).toBe(true);
    expect(s.body.control.enabled).toBe(true);
  });

  it('when the technician logs in with the token, then the session allows control actions until logout', async () => {
    const before = await get<SessionResponse>('/api/session');
    expect(before.body).toMatchObject({ control_enabled: true, authenticated: false });
    const login = await post<LoginResponse>('/api/session', { body: { token: TOKEN } });
    expect(login.status).toBe(201);
    const session = login.body.session_token;
    expect(session).not.toContain(TOKEN);
    expect(Date.parse(login.body.expires_at)).toBeGreaterThan(Date.now());
    expect((await get<SessionResponse>('/api/session', session)).body).toMatchObject({
      authenticated: true,
      by: 'session',
    });

    const sync = await post<SyncNowResponse>('/api/control/sync', { token: session });
    expect(sync.status).toBe(200);
    expect(sync.body.result.ok).toBe(true);

    expect((await localApi(agent, 'DELETE', '/api/session', { token: session })).status).toBe(204);
    expect((await post('/api/control/sync', { token: session })).status).toBe(401);
    // The installer's token itself works as a bearer token too.
    expect((await get<SessionResponse>('/api/session', TOKEN)).body).toMatchObject({
      authenticated: true,
      by: 'token',
    });
  });

  it('when requests are malformed, then each gets a 4xx that names the problem, never a 500', async () => {
    const cases: Array<[number, Promise<{ status: number; body: unknown }>, RegExp]> = [
      [400, get('/api/readings?from=yesterday'), /from: must be an ISO-8601 time/],
      // A week date passed the old check, yet no Date reads it (the query then failed): refused as the input it is.
      [400, get('/api/readings?from=2026-W47'), /from: must be an ISO-8601 time/],
      [400, get('/api/readings/series?meter=x&to=2026-02-30'), /to: must be an ISO-8601 time/],
      [400, get('/api/readings?limit=0'), /limit/],
      [400, get('/api/readings?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), /from must be before to/],
      [400, get('/api/readings/series'), /meter: is required/],
      [400, get('/api/sync-log?failures_only=maybe'), /failures_only/],
      [400, post('/api/session', { rawBody: '{"token": ' }), /not valid JSON/],
      [400, post('/api/session', { body: { token: 42 } }), /token: must be a string/],
      [
        400,
        post('/api/control/dead-letters/retry', { token: TOKEN, body: { ids: ['x'] } }),
        /ids\[0\]: must be a dead letter id/,
      ],
      [400, post('/api/control/collection/stop', { token: TOKEN, body: { reason: 'x'.repeat(300) } }), /reason/],
      [404, get('/api/nothing-here'), /no route GET \/api\/nothing-here/],
    ];
    for (const [expected, call, message] of cases) {
      const r = (await call) as { status: number; body: { error: { message: string } } };
      expect(r.status, JSON.stringify(r.body)).toBe(expected);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await status()).collection.collecting).toBe(true);
  });

  it('when asked for /health and /ready, then both answer', async () => {
    expect((await get<{ status: string }>('/health')).body.status).toBe('ok');
    expect((await get<{ status: string; checks: { database: string } }>('/ready')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
  });
});

/** A counter of the agent's /metrics, by its result label. */
async function counter(name: string, result: string): Promise<number> {
  const text = await (await fetch(`${agent.localApiUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{result="${result}",service="sync-agent"\\} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe('local API: status matches what the agent is doing', () => {
  it('when the meters answer, then every meter is OK with the last value of each point and its unit', async () => {
    const m = await waitUntil('every meter to have a value for every point', async () => {
      const r = (await get<MetersResponse>('/api/meters')).body;
      return r.meters.length === 3 && r.meters.every((x) => x.state === 'ok' && x.points.every((p) => p.value !== null))
        ? r
        : null;
    });
    for (const meter of m.meters) {
      expect(meter.consecutive_failures).toBe(0);
      expect(meter.last_error).toBeNull();
      expect(meter.response_ms).toBeGreaterThanOrEqual(0);
      expect(ageMs(meter.last_success_at)).toBeLessThan(5000);
      expect(Object.fromEntries(meter.points.map((p) => [p.name, p.unit]))).toEqual({
        total_kwh: 'kWh',
        current_kw: 'kW',
        voltage: 'V',
        current: 'A',
      });
    }
    // The value shown is the one the simulator served last for that point.
    const served = sim.served().filter((s) => s.deviceId === DEVICE[0] && s.instance === 2);
    const shown = m.meters.find((x) => x.bacnet.device_id === DEVICE[0])!.points.find((p) => p.name === 'voltage')!;
    expect(served.map((s) => s.value)).toContain(shown.value);

    const s = await status();
    expect(s.meters).toEqual({
      configured: 3,
      ok: 3,
      slow: 0,
      failing: 0,
      never_answered: 0,
      degraded: 0,
      wrong_device: 0,
    });
    expect(s.collection.collecting).toBe(true);
    expect(ageMs(s.collection.last_cycle_at)).toBeLessThan(3000);
  });

  it('when a meter stops answering or answers slowly, then it shows as failing or slow, with the error in plain words, and /metrics counts its failed polls', async () => {
    const before = {
      ok: await counter('meterit_collection_polls_total', 'ok'),
      failed: await counter('meterit_collection_polls_total', 'failed'),
      pointsFailed: await counter('meterit_collection_points_total', 'failed'),
    };
    expect(before.ok).toBeGreaterThan(0);
    sim.setBehaviour(DEVICE[1], { dead: true });
    sim.setBehaviour(DEVICE[2], { delayMs: 600 });
    const m = await waitUntil(
      'one meter failing and one slow',
      async () => {
        const r = (await get<MetersResponse>('/api/meters')).body;
        const states = r.meters.map((x) => x.state).sort();
        return states.join() === 'failing,ok,slow' && r.meters.some((x) => x.consecutive_failures >= 2) ? r : null;
      },
      30_000,
    );
    const dead = m.meters.find((x) => x.bacnet.device_id === DEVICE[1])!;
    expect(dead.last_error?.code).toBe('METER_TIMEOUT');
    expect(dead.last_error?.plain).toMatch(/did not answer within 1000 ms.*power/);
    expect(dead.state_text).toMatch(/no answer for \d+ polls/);
    const slow = m.meters.find((x) => x.bacnet.device_id === DEVICE[2])!;
    expect(slow.response_ms).toBeGreaterThanOrEqual(400);

    const s = await status();
    expect(s.meters).toMatchObject({ ok: 1, slow: 1, failing: 1 });
    expect(s.health.level).toBe('problem');
    expect(s.health.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['METERS_FAILING', 'METERS_SLOW']));
    expect(s.health.summary).toContain(dead.name);
    // The dead meter's polls count as failed (4 points each); the others' as ok.
    const failed = (await counter('meterit_collection_polls_total', 'failed')) - before.failed;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect((await counter('meterit_collection_points_total', 'failed')) - before.pointsFailed).toBeGreaterThanOrEqual(
      4 * failed,
    );
    expect(await counter('meterit_collection_polls_total', 'ok')).toBeGreaterThan(before.ok);

    sim.setBehaviour(DEVICE[1], { dead: false });
    sim.setBehaviour(DEVICE[2], { delayMs: 0 });
    await waitUntil('all meters OK again', async () => (await status()).meters.ok === 3, 30_000);
  });

  it('when the client API stops, then the uplink shows down since then and the backlog grows; when it returns, sync now drains the backlog to zero', async () => {
    const first = await post<SyncNowResponse>('/api/control/sync', { token: TOKEN });
    expect(first.body.result.ok).toBe(true);
    let s = await status();
    expect(s.uplink.state).toBe('up');
    expect(s.uplink.since).not.toBeNull();
    expect(s.last_sync?.ok).toBe(true);
    expect(ageMs(s.last_successful_sync_at)).toBeLessThan(5000);

    const stoppedAt = Date.now();
    await client.stop();
    s = await waitUntil(
      'the uplink to show down',
      async () => {
        const x = await status();
        return x.uplink.state === 'down' ? x : null;
      },
      20_000,
    );
    expect(Date.parse(s.uplink.since!)).toBeGreaterThanOrEqual(stoppedAt - 50);
    expect(s.uplink.last_error?.code).toBe('UPLINK_UNREACHABLE');
    expect(s.health.level).toBe('problem');
    expect(s.health.findings[0]).toMatchObject({ code: 'UPLINK_DOWN' });
    expect(s.health.findings[0]!.action).toMatch(/Nothing is lost/);

    const b1 = s.backlog.count;
    await new Promise((r) => setTimeout(r, 2500));
    s = await status();
    // 3 meters × 4 points every second.
    expect(s.backlog.count).toBeGreaterThanOrEqual(b1 + 12);
    expect(s.backlog.count).toBeLessThanOrEqual(await unsentCount(agent.db));
    expect(s.backlog.oldest_age_s).toBeGreaterThanOrEqual(2);
    expect(Date.parse(s.backlog.oldest_at!)).toBeLessThan(Date.parse(s.now) - 1000);
    expect(s.storage.readings_per_hour).toBe(3 * 4 * 3600);
    expect(s.storage.free_bytes).toBeGreaterThan(0);
    expect(s.storage.outage_hours).toBeGreaterThan(0);
    expect(s.storage.disk_hours).toBeCloseTo(
      s.storage.free_bytes! / (s.storage.readings_per_hour * s.storage.bytes_per_reading),
      0,
    );
    expect(s.storage.outage_hours).toBe(Math.min(s.storage.disk_hours!, s.storage.queue_limit_hours!));
    expect(s.storage.basis).toMatch(/free on the disk of .*readings per hour/);

    const failedRuns = await counter('meterit_sync_runs_total', 'failed');
    const failed = await post<SyncNowResponse>('/api/control/sync', { token: TOKEN });
    expect(failed.status).toBe(200);
    expect(await counter('meterit_sync_runs_total', 'failed')).toBeGreaterThan(failedRuns);
    expect(failed.body.result).toMatchObject({ ok: false, error_code: 'UPLINK_UNREACHABLE' });
    expect(failed.body.backlog.count).toBeGreaterThan(0);
    expect((await status()).last_sync).toMatchObject({ ok: false, error_code: 'UPLINK_UNREACHABLE' });
    const log = (await get<SyncLogResponse>('/api/sync-log?failures_only=true&limit=5')).body;
    expect(log.entries[0]).toMatchObject({ success: false, error_code: 'UPLINK_UNREACHABLE' });

    await client.restart();
    await waitUntil('the uplink to show up again', async () => (await status()).uplink.state === 'up', 20_000);
    // Stop collection so that "zero" is a stable figure, then send everything.
    const stop = await post<CollectionResponse>('/api/control/collection/stop', {
      token: TOKEN,
      body: { reason: 'backlog test' },
    });
    expect(stop.body.collection).toMatchObject({ collecting: false, reason: 'backlog test' });
    const sync = await post<SyncNowResponse>('/api/control/sync', { token: TOKEN });
    expect(sync.body.result.ok).toBe(true);
    expect(sync.body.backlog).toEqual({ count: 0, oldest_at: null, oldest_age_s: null });
    s = await status();
    expect(s.backlog.count).toBe(0);
    expect(await unsentCount(agent.db)).toBe(0);
    expect(s.uplink.state).toBe('up');
    expect(s.last_sync).toMatchObject({ ok: true });
    expect(ageMs(s.last_successful_sync_at)).toBeLessThan(5000);
    expect(s.health.findings.map((f) => f.code)).toContain('COLLECTION_STOPPED');
    // Everything collected is now central, and kept locally for the dashboard as synced.
    const local = Number((await agent.db('meter_readings').count<{ count: number }[]>('* as count'))[0]!.count);
    expect((await centralReadings(client.db, site.site_id)).length).toBe(local);
    // /metrics counted every reading the client system stored (this agent process sent them all).
    expect(await counter('meterit_sync_readings_total', 'stored')).toBe(local);
    expect(await counter('meterit_sync_readings_total', 'rejected')).toBe(0);
    const meter = sim.meters[0]!.externalId;
    const r = (await get<ReadingsResponse>(`/api/readings?meter=${meter}&point=total_kwh&limit=5`)).body;
    expect(r.readings).toHaveLength(5);
    expect(r.truncated).toBe(true);
    expect(r.readings.every((x) => x.synced && x.meter === meter && x.point === 'total_kwh' && x.unit === 'kWh')).toBe(
      true,
    );
    // Newest first; energy only grows.
    expect(r.readings.map((x) => x.value)).toEqual([...r.readings.map((x) => x.value)].sort((a, b) => b - a));
    const series = (await get<SeriesResponse>(`/api/readings/series?meter=${meter}&buckets=10`)).body;
    expect(series.series.map((x) => x.point).sort()).toEqual(['current', 'current_kw', 'total_kwh', 'voltage']);
    expect(series.bucket_s).toBe(Math.ceil((24 * 3600) / 10));
  });

  it('when a technician stops collection and the agent restarts, then collection stays stopped until started again', async () => {
    await post('/api/control/collection/stop', { token: TOKEN, body: { reason: 'meter swap' } });
    await agent.stop();
    await agent.restart();
    let s = await status();
    expect(s.collection).toMatchObject({ collecting: false, reason: 'meter swap' });
    const count = async () =>
      Number((await agent.db('meter_readings').count<{ count: number }[]>('* as count'))[0]!.count);
    const before = await count();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count()).toBe(before);

    const start = await post<CollectionResponse>('/api/control/collection/start', { token: TOKEN });
    expect(start.body.collection.collecting).toBe(true);
    await waitUntil('new readings after the start', async () => (await count()) > before, 10_000);
    s = await status();
    expect(s.collection.collecting).toBe(true);
    expect(s.health.findings.map((f) => f.code)).not.toContain('COLLECTION_STOPPED');
  });

  // Last: the meter registered here reaches the agent's configuration at its next refresh.
  it('when the client system rejects a reading, then it shows as a dead letter with its reason, and retry sends it once the cause is fixed', async () => {
    const ghost = {
      meter_external_id: 'GHOST-1',
      data_point: 'total_kwh',
      ts: new Date(Date.now() - 60_000),
      value: 12.5,
      unit: 'kWh',
      quality: 'good',
    };
    await agent.db('meter_readings').insert(ghost);
    const run = await post<SyncNowResponse>('/api/control/sync', { token: TOKEN });
    expect(run.body.result.dead_lettered).toBe(1);
    const dl = (await get<DeadLettersResponse>('/api/dead-letters')).body;
    expect(dl.count).toBe(1);
    expect(dl.dead_letters[0]).toMatchObject({
      meter: 'GHOST-1',
      point: 'total_kwh',
      value: 12.5,
      code: 'UNKNOWN_METER',
    });
    expect(dl.dead_letters[0]!.reason).toMatch(/GHOST-1/);
    const s = await status();
    expect(s.dead_letters.count).toBe(1);
    expect(s.health.findings.map((f) => f.code)).toContain('DEAD_LETTERS');

    // The operators add the meter; the technician retries.
    const reg = await fetch(`${client.url}${SYNC_PATHS.meters}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [API_KEY_HEADER]: site.api_key },
      body: JSON.stringify({
        meters: [
          {
            id: 'GHOST-1',
            name: 'Ghost',
            bacnet_device_id: 4199,
            bacnet_ip: '127.0.4.99',
            data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh' }],
          },
        ],
      }),
    });
    expect(reg.ok).toBe(true);
    expect((await post('/api/control/dead-letters/retry')).status).toBe(401);
    const retry = await post<RetryDeadLettersResponse>('/api/control/dead-letters/retry', { token: TOKEN });
    expect(retry.body).toMatchObject({ moved: 1, requeued: 1 });
    expect(retry.body.backlog.count).toBeGreaterThanOrEqual(1);
    const again = await post<SyncNowResponse>('/api/control/sync', { token: TOKEN });
    expect(again.body.result).toMatchObject({ ok: true, dead_lettered: 0 });
    expect((await get<DeadLettersResponse>('/api/dead-letters')).body.count).toBe(0);
    const central = (await centralReadings(client.db, site.site_id)).filter((r) => r.meter === 'GHOST-1');
    expect(central.map((r) => [r.value, r.ts.toISOString()])).toEqual([[12.5, ghost.ts.toISOString()]]);
  });
});

describe('local API: every answer is its contract', () => {
  /** Parsing keeps only the fields the schema names, so equality also proves the answer has no field the contract lacks. */
  const exactly = (what: string, schema: z.ZodType, body: unknown) => {
    const parsed = schema.safeParse(body);
    expect(parsed.error?.issues, what).toBeUndefined();
    expect(parsed.data, what).toEqual(body);
  };

  it('when the dashboard reads every view and runs every action, then each answer parses as exactly its schema in @meterit/shared/site-contracts', async () => {
    await agent.db('meter_readings').insert({
      meter_external_id: 'GHOST-2',
      data_point: 'total_kwh',
      ts: new Date(Date.now() - 30_000),
      value: 1.5,
      unit: 'kWh',
      quality: 'good',
    });
    exactly('POST /api/control/sync', syncNowResponseSchema, (await post('/api/control/sync', { token: TOKEN })).body);
    const meters = (await get<MetersResponse>('/api/meters')).body;
    exactly('GET /api/meters', metersResponseSchema, meters);
    const meter = encodeURIComponent(meters.meters[0]!.id);
    exactly('GET /api/status', statusResponseSchema, (await get('/api/status')).body);
    const readings = (await get<ReadingsResponse>(`/api/readings?meter=${meter}&limit=5`)).body;
    expect(readings.readings.length).toBeGreaterThan(0);
    exactly('GET /api/readings', readingsResponseSchema, readings);
    const series = (await get<SeriesResponse>(`/api/readings/series?meter=${meter}&buckets=10`)).body;
    expect(series.series.length).toBeGreaterThan(0);
    exactly('GET /api/readings/series', seriesResponseSchema, series);
    const log = (await get<SyncLogResponse>('/api/sync-log?limit=5')).body;
    expect(log.entries.length).toBeGreaterThan(0);
    exactly('GET /api/sync-log', syncLogResponseSchema, log);
    const dead = (await get<DeadLettersResponse>('/api/dead-letters')).body;
    expect(dead.dead_letters.map((d) => d.meter)).toContain('GHOST-2');
    exactly('GET /api/dead-letters', deadLettersResponseSchema, dead);
    exactly('GET /api/session', sessionResponseSchema, (await get('/api/session', TOKEN)).body);
    exactly('POST /api/session', loginResponseSchema, (await post('/api/session', { body: { token: TOKEN } })).body);
    for (const action of ['stop', 'start']) {
      const r = await post(`/api/control/collection/${action}`, { token: TOKEN, body: { reason: 'contract test' } });
      exactly(`POST /api/control/collection/${action}`, collectionResponseSchema, r.body);
    }
    const retry = await post('/api/control/dead-letters/retry', {
      token: TOKEN,
      body: { ids: [dead.dead_letters[0]!.id] },
    });
    exactly('POST /api/control/dead-letters/retry', retryDeadLettersResponseSchema, retry.body);
  });
});
