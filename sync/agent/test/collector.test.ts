// The collector with the real BACnet adapter, the simulator over real UDP (127.0.6.x)
// and the real local queue in PostgreSQL.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator, toMetersJson, type Simulator, type SimPointSpec } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import { createLogger, type Database } from '@meterit/shared/node';
import { BacnetAdapter } from '../src/meters/bacnet/index.js';
import { bacnetProtocols } from './helpers/protocols.js';
import { Collector } from '../src/collector/collector.js';
import type { MeterStatusRepository } from '../src/collector/meter-status-repository.js';
import type { QueueRepository } from '../src/queue/queue-repository.js';
import { openSiteQueue } from './helpers/site-queue.js';
import { systemClock } from '../src/clock.js';

const NET = '127.0.6';
const logger = createLogger({ service: 'test', silent: true });

/** 40 points whose values encode their meter and point, so a mix-up cannot go unseen. */
function patterned(count: number): SimPointSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    instance: i,
    name: `p${i}`,
    units: 48,
    model: {
      kind: 'custom' as const,
      value: ({ deviceId, instance, readCount }: { deviceId: number; instance: number; readCount: number }) =>
        deviceId * 1000 + instance + (readCount % 8) * 0.125,
    },
  }));
}

let sim: Simulator;
let adapter: BacnetAdapter;
let db: Database;
let queue: QueueRepository;
let status: MeterStatusRepository;

function collector(meters: MeterConfig[]): Collector {
  const c = new Collector({
    protocols: bacnetProtocols(adapter),
    queue,
    status,
    logger,
    clock: systemClock,
    intervalMs: 60_000,
  });
  c.setMeters(meters);
  return c;
}

beforeAll(async () => {
  ({ db, queue, status } = await openSiteQueue(inject('pg'), 'agent_collector', logger));
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    seed: 3,
    meters: [
      { deviceId: 601, name: 'Main', address: `${NET}.11` },
      { deviceId: 602, name: 'Faulty', address: `${NET}.12`, behaviour: { fault: true } },
      { deviceId: 603, name: 'No RPM', address: `${NET}.13`, behaviour: { refuseRpm: 'reject' } },
      { deviceId: 604, name: 'Dead', address: `${NET}.14`, behaviour: { dead: true } },
      { deviceId: 605, name: 'Slow', address: `${NET}.15`, behaviour: { delayMs: 800 } },
      ...Array.from({ length: 8 }, (_, i) => ({
        deviceId: 610 + i,
        name: `Big ${i}`,
        address: `${NET}.${20 + i}`,
        points: patterned(40),
      })),
    ],
  });
  adapter = await BacnetAdapter.open({
    interface: `${NET}.1`,
    port: 47808,
    broadcastAddress: `${NET}.255`,
    apduTimeoutMs: 1500,
  });
});

afterAll(async () => {
  await adapter?.close();
  await sim?.stop();
  await db?.close();
});

const metersOf = (ids: number[]): MeterConfig[] =>
  toMetersJson(sim.meters.filter((m) => ids.includes(m.deviceId))).meters as MeterConfig[];

describe('collector against the simulator', () => {
  it('when meters are polled, then values, units and quality land in the local queue exactly as the meters served them', async () => {
    sim.clearServed();
    const c = collector(metersOf([601, 602, 603]));
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const results = await c.pollAll(at);
    expect(results.every((r) => r.ok)).toBe(true);

    const rows = await db
      .knex('meter_readings')
      .where({ ts: at })
      .orderBy(['meter_external_id', 'data_point'])
      .select();
    const served = sim.served();
    expect(rows).toHaveLength(12);
    expect(served).toHaveLength(12);
    for (const s of served) {
      const meter = sim.meters.find((m) => m.deviceId === s.deviceId)!;
      const point = meter.points.find((p) => p.instance === s.instance)!;
      const row = rows.find((r) => r.meter_external_id === meter.externalId && r.data_point === point.name);
      expect(row, `${meter.externalId}/${point.name}`).toBeDefined();
      expect(row.value).toBe(s.value);
      expect(row.unit).toBe({ total_kwh: 'kWh', current_kw: 'kW', voltage: 'V', current: 'A' }[point.name]);
      expect(row.quality).toBe(s.deviceId === 602 ? 'fault' : 'good');
    }
    // The meter without ReadPropertyMultiple was read point by point, and was read right.
    expect(adapter.deviceInfo({ deviceId: 603, address: `${NET}.13` }).rpmSupported).toBe(false);
  });

  it('when one meter is dead and one is slow, then the healthy meters are stored without waiting for them, and the dead one is marked failing', async () => {
    const c = collector(metersOf([601, 602, 603, 604, 605]));
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    const started = Date.now();
    const done = c.pollAll(at);
    // Healthy meters' readings are in the queue while the slow (800 ms) meter has not answered yet.
    const stored = async (ids: number[]) =>
      Number(
        (
          await db
            .knex('meter_readings')
            .where({ ts: at })
            .whereIn(
              'meter_external_id',
              metersOf(ids).map((m) => m.id),
            )
            .count<{ count: number }[]>('* as count')
        )[0]!.count,
      );
    for (;;) {
      if ((await stored([601, 602, 603])) === 12) break;
      if (Date.now() - started > 5000) throw new Error('healthy meters were not stored');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await stored([605])).toBe(0);
    const results = await done;
    const total = Date.now() - started;
    expect(await stored([605])).toBe(4);
    expect(total).toBeGreaterThanOrEqual(1400);
    const byId = new Map(results.map((r) => [r.meterExternalId, r]));
    const dead = metersOf([604])[0]!.id;
    const slow = metersOf([605])[0]!.id;
    expect(byId.get(dead)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT', stored: 0 });
    expect(byId.get(slow)).toMatchObject({ ok: true, stored: 4 });
    const st = (await status.list()).find((s) => s.meterExternalId === dead)!;
    expect(st.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(st.lastErrorCode).toBe('METER_TIMEOUT');
    expect(st.lastSuccessAt).toBeNull();
  });

  it('when more than 300 points are read in one cycle, then every value is attributed to the right meter and point, every time', async () => {
    const big = sim.meters.filter((m) => m.deviceId >= 610).map((m) => m.deviceId);
    const c = collector(metersOf(big));
    for (let round = 0; round < 3; round++) {
      sim.clearServed();
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 10_000 + round * 1000);
      const results = await c.pollAll(at);
      expect(results.every((r) => r.ok && r.stored === 40)).toBe(true);
      const rows = await db.knex('meter_readings').where({ ts: at }).select('meter_external_id', 'data_point', 'value');
      expect(rows).toHaveLength(320);
      for (const r of rows) {
        const meter = sim.meters.find((m) => m.externalId === r.meter_external_id)!;
        const instance = Number(r.data_point.slice(1));
        // value = deviceId·1000 + instance + (readCount mod 8)/8: the integer part names meter and point.
        expect(Math.floor(r.value)).toBe(meter.deviceId * 1000 + instance);
      }
      const served = new Map(sim.served().map((s) => [`${s.deviceId}|${s.instance}`, s.value]));
      for (const r of rows) {
        const meter = sim.meters.find((m) => m.externalId === r.meter_external_id)!;
        expect(r.value).toBe(served.get(`${meter.deviceId}|${Number(r.data_point.slice(1))}`));
      }
    }
  });
});

describe('collector when the local database fails', () => {
  it('when the queue table cannot be written for a few ticks, then the readings wait in memory and all reach the queue once it works again', async () => {
    const c = collector(metersOf([601]));
    const base = Math.floor(Date.now() / 1000) * 1000 + 100_000;
    sim.clearServed();
    await db.knex.raw('ALTER TABLE meter_readings RENAME TO meter_readings_away');
    try {
      for (let i = 0; i < 3; i++) {
        const [r] = await c.pollAll(new Date(base + i * 1000));
        expect(r).toMatchObject({ ok: false, errorCode: 'LOCAL_DB_ERROR' });
      }
      expect(c.waitingInMemory).toBe(12);
    } finally {
      await db.knex.raw('ALTER TABLE meter_readings_away RENAME TO meter_readings');
    }
    const [r] = await c.pollAll(new Date(base + 3000));
    expect(r).toMatchObject({ ok: true });
    expect(c.waitingInMemory).toBe(0);
    const rows = await db
      .knex('meter_readings')
      .where('ts', '>=', new Date(base))
      .orderBy(['ts', 'data_point'])
      .select('value');
    const served = sim.served().map((s) => s.value);
    expect(rows).toHaveLength(16);
    expect(rows.map((x) => x.value).sort()).toEqual([...served].sort());
  });
});
