// Dead meters among live ones: the collector with the real BACnet adapter, the simulator over real
// UDP (127.0.16.x) and the real local queue in PostgreSQL.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator, toMetersJson, type Simulator, type SimPointSpec } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import { createLogger, type Database } from '@meterit/shared/node';
import { waitUntil } from '@meterit/shared/testing';
import { BacnetAdapter } from '../src/meters/bacnet/index.js';
import type { BacnetAdapterOptions, PointRef } from '../src/meters/bacnet/index.js';
import { bacnetProtocols } from './helpers/protocols.js';
import { Collector, type MeterPollResult } from '../src/collector/collector.js';
import type { MeterStatusRepository } from '../src/collector/meter-status-repository.js';
import type { QueueRepository } from '../src/queue/queue-repository.js';
import { openSiteQueue } from './helpers/site-queue.js';
import { systemClock } from '../src/clock.js';

const NET = '127.0.16';
const logger = createLogger({ service: 'test', silent: true });
const LIVE = Array.from({ length: 12 }, (_, i) => 1600 + i);
const GONE = 1690; // dead for the whole test
const BACK = 1691; // dead, then answers again; 40 points, so a read of it is several requests
const RP_ONLY = [1692, 1693, 1694];

/** 40 points whose values name their meter and point. */
const constantPoints = (deviceId: number): SimPointSpec[] =>
  Array.from({ length: 40 }, (_, i) => ({
    instance: i,
    name: `p${i}`,
    units: 48,
    model: { kind: 'constant', value: deviceId * 1000 + i },
  }));

let sim: Simulator;
let db: Database;
let queue: QueueRepository;
let status: MeterStatusRepository;

beforeAll(async () => {
  ({ db, queue, status } = await openSiteQueue(inject('pg'), 'agent_dead_meter', logger));
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    seed: 16,
    meters: [
      ...LIVE.map((deviceId, i) => ({ deviceId, name: `Live ${i}`, address: `${NET}.${20 + i}` })),
      { deviceId: GONE, name: 'Gone', address: `${NET}.90`, behaviour: { dead: true } },
      {
        deviceId: BACK,
        name: 'Back',
        address: `${NET}.91`,
        behaviour: { dead: true },
        points: constantPoints(BACK),
      },
      // Answer ReadProperty only (one request per property) and take 30 ms: many requests in flight at once.
      ...RP_ONLY.map((deviceId, i) => ({
        deviceId,
        name: `No RPM ${i}`,
        address: `${NET}.${92 + i}`,
        behaviour: { refuseRpm: 'reject' as const, delayMs: 30 },
        points: constantPoints(deviceId),
      })),
    ],
  });
});

afterAll(async () => {
  await sim?.stop();
  await db?.close();
});

const openAdapter = (host: number, options: Partial<BacnetAdapterOptions>): Promise<BacnetAdapter> =>
  BacnetAdapter.open({ interface: `${NET}.${host}`, port: 47808, broadcastAddress: `${NET}.255`, ...options });
const metersOf = (ids: number[]): MeterConfig[] =>
  toMetersJson(sim.meters.filter((m) => ids.includes(m.deviceId))).meters as MeterConfig[];
const externalId = (deviceId: number): string => metersOf([deviceId])[0]!.id;
const rowsAt = (at: Date, deviceIds: number[]) =>
  db
    .knex('meter_readings')
    .where({ ts: at })
    .whereIn(
      'meter_external_id',
      metersOf(deviceIds).map((m) => m.id),
    )
    .select('meter_external_id', 'data_point', 'value');

describe('dead meters among live ones', () => {
  it('when meters stay dead, then they are probed one request at a time outside the shared slots, the live ones are read every cycle, and a meter that comes back is read in full at once', async () => {
    // Two shared slots only: a dead meter holding one until its timeout would halve the live meters' rate.
    const adapter = await openAdapter(1, {
      apduTimeoutMs: 3000,
      maxInFlightTotal: 2,
      maxInFlightPerDevice: 2,
      maxInFlightProbes: 4,
    });
    try {
      const collector = new Collector({
        protocols: bacnetProtocols(adapter),
        queue,
        status,
        logger,
        clock: systemClock,
        intervalMs: 60_000,
      });
      collector.setMeters(metersOf([...LIVE, GONE, BACK]));
      const base = Math.floor(Date.now() / 1000) * 1000;
      const tick = (n: number): Date => new Date(base + n * 1000);
      sim.clearServed();

      // Cycle 0: the meters just died; their first requests time out on the shared slots.
      const first = await collector.pollAll(tick(0));
      const byMeter = (results: MeterPollResult[], deviceId: number) =>
        results.find((r) => r.meterExternalId === externalId(deviceId));
      expect(byMeter(first, GONE)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT' });
      expect(byMeter(first, BACK)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT' });
      expect(adapter.deviceInfo({ deviceId: BACK, address: `${NET}.91` }).silent).toBe(true);

      // Cycles 1 and 2: every live meter is stored while the two dead meters' probes still wait for
      // their timeout, one probe per meter (BACK's read has several requests and two device slots).
      for (const n of [1, 2]) {
        const cycle = collector.pollAll(tick(n));
        await waitUntil(
          'the live meters stored',
          async () => (await rowsAt(tick(n), LIVE)).length === LIVE.length * 4,
          10_000,
          10,
        );
        expect(adapter.stats()).toMatchObject({ inFlight: 0, probesInFlight: 2 });
        const results = await cycle;
        expect(results.filter((r) => r.ok)).toHaveLength(LIVE.length);
        expect(byMeter(results, GONE)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT', stored: 0 });
        expect(byMeter(results, BACK)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT', stored: 0 });
      }
      const failing = new Map((await status.list()).map((s) => [s.meterExternalId, s]));
      expect(failing.get(externalId(BACK))).toMatchObject({
        consecutiveFailures: 3,
        lastErrorCode: 'METER_TIMEOUT',
        lastSuccessAt: null,
      });

      // Cycle 3: BACK answers again. Its probe is answered and the rest of its read follows in the same cycle.
      sim.setBehaviour(BACK, { dead: false });
      const back = await collector.pollAll(tick(3));
      expect(byMeter(back, BACK)).toMatchObject({ ok: true, stored: 40, failedPoints: 0 });
      expect(byMeter(back, GONE)).toMatchObject({ ok: false, errorCode: 'METER_TIMEOUT' });
      expect(adapter.deviceInfo({ deviceId: BACK, address: `${NET}.91` }).silent).toBe(false);
      const backRows = await rowsAt(tick(3), [BACK]);
      expect(backRows.map((r) => r.value).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, i) => BACK * 1000 + i),
      );

      const statuses = new Map((await status.list()).map((s) => [s.meterExternalId, s]));
      expect(statuses.get(externalId(BACK))).toMatchObject({ consecutiveFailures: 0 });
      expect(statuses.get(externalId(BACK))?.lastSuccessAt).toEqual(tick(3));
      expect(statuses.get(externalId(GONE))).toMatchObject({
        consecutiveFailures: 4,
        lastErrorCode: 'METER_TIMEOUT',
        lastSuccessAt: null,
      });
      for (const id of LIVE) expect(statuses.get(externalId(id))).toMatchObject({ consecutiveFailures: 0 });

      // Nothing lost: every live meter in every cycle, and exactly what the simulator served.
      const all = await db
        .knex('meter_readings')
        .where('ts', '>=', tick(0))
        .where('ts', '<=', tick(3))
        .select('meter_external_id', 'data_point', 'value');
      for (const id of LIVE) expect(all.filter((r) => r.meter_external_id === externalId(id))).toHaveLength(4 * 4);
      expect(all.filter((r) => r.meter_external_id === externalId(GONE))).toHaveLength(0);
      const values = (xs: Array<{ value: number }>): number[] => xs.map((x) => x.value).sort((a, b) => a - b);
      expect(values(all)).toEqual(values(sim.served()));
    } finally {
      sim.setBehaviour(BACK, { dead: true });
      await adapter.close();
    }
  });

  it('when invoke ids come round again while the library timers of their last use still run, then no request is lost to a stale timer', async () => {
    // 500 ms library timers, up to 200 requests in flight, each answered after 30 ms: every id comes
    // round many times within one timer's life. A stale timer would delete the request holding its id,
    // which would then time out (without the adapter dropping those timers, ~5–10 % of these reads do).
    const adapter = await openAdapter(2, { apduTimeoutMs: 500, maxInFlightTotal: 200, maxInFlightPerDevice: 100 });
    try {
      sim.clearServed();
      const meters = sim.meters.filter((m) => RP_ONLY.includes(m.deviceId));
      const points: PointRef[] = Array.from({ length: 40 }, (_, i) => ({ objectType: 'analogInput', instance: i }));
      const got: number[] = [];
      for (let round = 0; round < 20; round++) {
        const reads = await Promise.all(
          meters.map((m) => adapter.readPoints({ deviceId: m.deviceId, address: m.address }, points)),
        );
        for (const r of reads.flat()) {
          if (!r.ok) throw new Error(`round ${round}: ${r.code} ${r.message}`);
          got.push(r.value);
        }
      }
      expect(got).toHaveLength(20 * 3 * 40);
      expect(got.sort((a, b) => a - b)).toEqual(
        sim
          .served()
          .map((s) => s.value)
          .sort((a, b) => a - b),
      );
    } finally {
      await adapter.close();
    }
  });
});
