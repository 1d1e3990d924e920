import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import {
  centralReadings,
  createSite,
  startAgentProcess,
  startClientSystem,
  unsentCount,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The original design's two end-to-end scenarios, plus a SIGKILL of the agent mid-upload,
// with the real deployables as processes, a real PostgreSQL and the simulator over real UDP.
const AGENT_ADDRESS = '127.0.3.1';
const METER_BASE = 10;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let site: { site_id: number; api_key: string };

async function quiesce(): Promise<void> {
  // No more values served: every meter goes silent, then the agent drains its queue.
  for (const m of sim.meters) sim.setBehaviour(m.deviceId, { dead: true });
  await new Promise((r) => setTimeout(r, 1500));
  await waitUntil('the site queue to drain', async () => (await unsentCount(agent.db)) === 0, 60_000);
}

function revive(): void {
  for (const m of sim.meters) sim.setBehaviour(m.deviceId, { dead: false });
}

/** Every value the simulator served is in the central database exactly once, unchanged. */
async function expectExactlyOnce(): Promise<number> {
  const central = await centralReadings(client.db, site.site_id);
  const keys = central.map((r) => `${r.meter}|${r.data_point}|${r.ts.toISOString()}`);
  expect(new Set(keys).size).toBe(keys.length);

  const served = sim.served();
  const pointName = new Map<string, string>();
  const meterId = new Map<number, string>();
  const unitOf = new Map<string, string>();
  for (const m of sim.meters) {
    meterId.set(m.deviceId, m.externalId);
    for (const p of m.points) pointName.set(`${m.deviceId}|${p.objectType}|${p.instance}`, p.name);
  }
  const expected = new Map<string, Array<{ value: number; servedAt: number }>>();
  for (const s of served) {
    const key = `${meterId.get(s.deviceId)}|${pointName.get(`${s.deviceId}|${s.objectType}|${s.instance}`)}`;
    (expected.get(key) ?? expected.set(key, []).get(key)!).push({ value: s.value, servedAt: s.servedAt });
  }
  const actual = new Map<string, typeof central>();
  for (const r of central)
    (
      actual.get(`${r.meter}|${r.data_point}`) ??
      actual.set(`${r.meter}|${r.data_point}`, []).get(`${r.meter}|${r.data_point}`)!
    ).push(r);

  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, values] of expected) {
    const got = actual.get(key)!;
    expect(
      got.map((r) => r.value),
      key,
    ).toEqual(values.map((v) => v.value));
    got.forEach((r, i) => {
      // The reading's timestamp is its poll tick: at most one interval before the meter served it.
      const servedAt = values[i]!.servedAt;
      expect(r.ts.getTime()).toBeLessThanOrEqual(servedAt);
      expect(servedAt - r.ts.getTime()).toBeLessThan(1000 + 500);
      expect(r.quality).toBe('good');
      const point = key.split('|')[1]!;
      if (unitOf.has(point)) expect(r.unit).toBe(unitOf.get(point));
      else unitOf.set(point, r.unit ?? '');
    });
  }
  expect(unitOf.get('total_kwh')).toBe('kWh');
  expect(unitOf.get('current_kw')).toBe('kW');
  expect(unitOf.get('voltage')).toBe('V');
  expect(unitOf.get('current')).toBe('A');
  return central.length;
}

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'e2e_client');
  const siteDb = await createTestDatabase(pg, 'e2e_site');
  client = await startClientSystem(clientDb);
  site = await createSite(clientDb, 'E2E site');
  sim = await startSimulator({
    meters: [0, 1, 2, 3, 4].map((i) => ({
      deviceId: 3000 + i,
      name: `E2E meter ${i}`,
      address: `127.0.3.${METER_BASE + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 42,
  });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    // The fifth meter is not in meters.json: it is added later in the client system.
    meters: toMetersJson(sim.meters.slice(0, 4)).meters as MeterConfig[],
    bacnetInterface: AGENT_ADDRESS,
    env: { BATCH_SIZE: '8', CONFIG_REFRESH_MINUTES: String(2 / 60) },
  });
});

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('meters → site agent → client system', () => {
  it('when everything runs, then every reading served by a meter arrives in the client database once, with the same value, unit, timestamp and quality', async () => {
    await waitUntil(
      'readings to arrive centrally',
      async () => (await centralReadings(client.db, site.site_id)).length >= 4 * 4 * 3,
    );
    await quiesce();
    const n = await expectExactlyOnce();
    expect(n).toBeGreaterThanOrEqual(48);
    const meters = await client.db('meters').where({ site_id: site.site_id }).pluck('external_id');
    expect(meters.sort()).toEqual(
      sim.meters
        .slice(0, 4)
        .map((m) => m.externalId)
        .sort(),
    );
    // The heartbeat tells the client system how the site is doing.
    const beat = await waitUntil('a heartbeat after the queue drained', async () => {
      const row = await client.db('sites').where({ id: site.site_id }).first('last_heartbeat');
      return row?.last_heartbeat?.queue_depth === 0 &&
        row.last_heartbeat.meters.failing + row.last_heartbeat.meters.never_answered === 4
        ? row.last_heartbeat
        : null;
    });
    expect(beat).toMatchObject({
      agent_version: '0.1.0',
      collecting: true,
      oldest_unsent_at: null,
      uplink_down_since: null,
      meters: { configured: 4 },
    });
    revive();
  });

  it('when the client system is down for several sync intervals, then collection goes on and every reading arrives once after it returns', async () => {
    await client.stop();
    // Counted after the stop: a batch in flight when the API was told to stop is still finished by it.
    const before = (await centralReadings(client.db, site.site_id)).length;
    await waitUntil('a backlog to build up', async () => (await unsentCount(agent.db)) >= 4 * 4 * 5, 30_000);
    const backlog = await unsentCount(agent.db);
    // Several sync intervals (1.5 s each) pass with the uplink down.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await unsentCount(agent.db)).toBeGreaterThan(backlog);
    const failed = await agent
      .db('sync_log')
      .where({ success: false, error_code: 'UPLINK_UNREACHABLE' })
      .count<{ count: number }[]>('* as count');
    expect(Number(failed[0]!.count)).toBeGreaterThan(0);
    expect((await centralReadings(client.db, site.site_id)).length).toBe(before);

    const restartAt = new Date();
    await client.restart();
    await quiesce();
    const after = await expectExactlyOnce();
    expect(after).toBeGreaterThan(before + backlog);
    // The client system heard of the outage before the backlog was sent: a heartbeat saying since when the
    // uplink was down and how many readings waited reached it before the first batch (its uplink and backlog alerts use it).
    const firstBatch = await client
      .db('sync_batches')
      .where({ site_id: site.site_id })
      .where('received_at', '>=', restartAt)
      .orderBy('received_at')
      .first('received_at');
    const beat = await client
      .db('heartbeats')
      .where({ site_id: site.site_id })
      .where('received_at', '>=', restartAt)
      .orderBy('received_at')
      .first('received_at', 'payload');
    expect(beat.received_at.getTime()).toBeLessThanOrEqual(firstBatch.received_at.getTime());
    expect(beat.payload.uplink_down_since).not.toBeNull();
    expect(beat.payload.queue_depth).toBeGreaterThanOrEqual(backlog);
    revive();
  });

  it('when the agent is killed with SIGKILL in the middle of an upload, then after its restart every reading still arrives exactly once', async () => {
    await client.stop();
    await waitUntil('a backlog of many batches', async () => (await unsentCount(agent.db)) >= 150, 30_000);
    const centralBefore = (await centralReadings(client.db, site.site_id)).length;
    await client.restart();
    // Kill as soon as some batches have landed but the queue is not empty yet.
    await waitUntil(
      'the upload to be under way',
      async () =>
        (await client.db('meter_readings').count<{ count: number }[]>('* as count'))[0]!.count > centralBefore,
      30_000,
      5,
    );
    await agent.stop('SIGKILL');
    const leftInQueue = await unsentCount(agent.db);
    expect(leftInQueue).toBeGreaterThan(0);

    await agent.restart();
    await quiesce();
    await expectExactlyOnce();
    revive();
  });

  it('when a meter is added in the client system, then the agent polls it, and keeps polling it from its local cache after a restart while the client system is down', async () => {
    const extra = sim.meters[4]!;
    const servedFor = () => sim.served().filter((s) => s.deviceId === extra.deviceId).length;
    expect(servedFor()).toBe(0);
    await client.db('meters').insert({
      site_id: site.site_id,
      external_id: extra.externalId,
      name: extra.name,
      bacnet_device_id: extra.deviceId,
      bacnet_ip: extra.address,
      bacnet_port: extra.port,
      data_points: JSON.stringify(toMetersJson([extra]).meters[0]!.data_points),
    });
    await waitUntil('the new meter to be polled', async () => servedFor() >= 4, 30_000);

    await client.stop();
    await agent.stop();
    await agent.restart();
    const before = servedFor();
    await waitUntil(
      'the new meter to be polled from the cache, offline',
      async () => servedFor() >= before + 8,
      30_000,
    );

    await client.restart();
    await quiesce();
    await expectExactlyOnce();
    expect((await centralReadings(client.db, site.site_id)).some((r) => r.meter === extra.externalId)).toBe(true);
  });
});
