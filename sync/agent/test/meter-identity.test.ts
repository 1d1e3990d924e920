// Which meter answers and what its points say: the device instance at a meter's address is
// confirmed before anything is stored under the meter, units are read again after a silence and
// on a schedule, and each point keeps its own status. Real adapter, the simulator over real UDP
// on 127.0.44.x, the real local queue in PostgreSQL.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import winston from 'winston';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import type { Database } from '@meterit/shared/node';
import { BacnetAdapter } from '../src/meters/bacnet/index.js';
import { bacnetProtocols } from './helpers/protocols.js';
import { Collector } from '../src/collector/collector.js';
import type { MeterStatus, MeterStatusRepository } from '../src/collector/meter-status-repository.js';
import { heartbeatMeterStates } from '../src/health/heartbeat-states.js';
import type { QueueRepository } from '../src/queue/queue-repository.js';
import { openSiteQueue } from './helpers/site-queue.js';
import { systemClock } from '../src/clock.js';

const NET = '127.0.44';
const WATT_HOURS = 18;

/** Every log line the collector and adapter write, as parsed JSON. */
const lines: Array<Record<string, unknown>> = [];
const logger = winston.createLogger({
  level: 'debug',
  format: winston.format.json(),
  transports: [
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n'))
            if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      }),
    }),
  ],
});

let sim: Simulator;
/** Checks identity and units only on first contact, after silences and hourly (the defaults). */
let adapter: BacnetAdapter;
/** Checks identity and re-reads units every 300 ms, to see the schedule work. */
let fastAdapter: BacnetAdapter;
let db: Database;
let queue: QueueRepository;
let status: MeterStatusRepository;
const others: Simulator[] = [];

beforeAll(async () => {
  ({ db, queue, status } = await openSiteQueue(inject('pg'), 'agent_meter_identity', logger));
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    seed: 44,
    meters: [
      { deviceId: 4411, name: 'Right', address: `${NET}.11` },
      { deviceId: 100011, name: 'Someone else', address: `${NET}.12` },
      { deviceId: 4413, name: 'Restarts', address: `${NET}.13` },
      { deviceId: 4414, name: 'Swapped after silence', address: `${NET}.14` },
      { deviceId: 4416, name: 'Swapped quickly', address: `${NET}.16` },
      { deviceId: 4418, name: 'Reconfigured', address: `${NET}.18` },
      { deviceId: 4419, name: 'One bad point', address: `${NET}.19` },
    ],
  });
  adapter = await BacnetAdapter.open({
    interface: `${NET}.1`,
    port: 47808,
    broadcastAddress: `${NET}.255`,
    apduTimeoutMs: 1000,
    logger,
  });
  fastAdapter = await BacnetAdapter.open({
    interface: `${NET}.2`,
    port: 47808,
    broadcastAddress: `${NET}.255`,
    apduTimeoutMs: 1000,
    identityCheckMs: 300,
    unitsRefreshMs: 300,
    logger,
  });
});

afterAll(async () => {
  await adapter?.close();
  await fastAdapter?.close();
  for (const s of others) await s.stop();
  await sim?.stop();
  await db?.close();
});

const meterOf = (deviceId: number, patch: Partial<MeterConfig> = {}): MeterConfig => ({
  ...(toMetersJson(sim.meters.filter((m) => m.deviceId === deviceId)).meters[0] as MeterConfig),
  ...patch,
});

function collector(meters: MeterConfig[], reader: BacnetAdapter = adapter): Collector {
  const c = new Collector({
    protocols: bacnetProtocols(reader),
    queue,
    status,
    logger,
    clock: systemClock,
    intervalMs: 60_000,
  });
  c.setMeters(meters);
  return c;
}

const tick = (() => {
  let t = Math.floor(Date.now() / 1000) * 1000;
  return () => new Date((t += 1000));
})();

async function statusOf(id: string): Promise<MeterStatus> {
  const s = (await status.list()).find((x) => x.meterExternalId === id);
  if (!s) throw new Error(`no status for ${id}`);
  return s;
}

const rowsAt = (meter: string, at: Date) =>
  db.knex('meter_readings').where({ meter_external_id: meter, ts: at }).orderBy('data_point').select();

/** A simulator that brings another device to an address (no broadcast socket: the main simulator holds it). */
async function deviceAt(deviceId: number, address: string): Promise<Simulator> {
  const s = await startSimulator({
    listenBroadcast: false,
    seed: 7,
    meters: [{ deviceId, name: `Replacement ${deviceId}`, address }],
  });
  others.push(s);
  return s;
}

describe('the device at a meter address is the configured one', () => {
  it('when another device instance answers at a meter address, then nothing is stored for the meter and it is wrong_device with both ids; the right device is ok', async () => {
    const right = meterOf(4411);
    const wrong = meterOf(100011, { id: 'WRONG-1', name: 'Configured as 100099', bacnet_device_id: 100099 });
    sim.clearServed();
    const at = tick();
    const results = await collector([right, wrong]).pollAll(at);

    expect(results.find((r) => r.meterExternalId === 'WRONG-1')).toMatchObject({
      ok: false,
      stored: 0,
      errorCode: 'WRONG_DEVICE',
    });
    expect(await db.knex('meter_readings').where({ meter_external_id: 'WRONG-1' }).select()).toHaveLength(0);
    // Not even read: no value of device 100011 went over the wire.
    expect(sim.served().filter((s) => s.deviceId === 100011)).toHaveLength(0);
    const w = await statusOf('WRONG-1');
    expect(w).toMatchObject({
      state: 'wrong_device',
      expectedDeviceId: 100099,
      foundDeviceId: 100011,
      lastErrorCode: 'WRONG_DEVICE',
    });
    expect(w.lastError).toMatch(/configured as device 100099, but device 100011 answers at 127\.0\.44\.12:47808/);

    expect(await rowsAt(right.id, at)).toHaveLength(4);
    expect(await statusOf(right.id)).toMatchObject({ state: 'ok', pointsFailing: 0, foundDeviceId: null });

    // The heartbeat's per-meter states carry both ids.
    const states = heartbeatMeterStates([right, wrong], await status.list());
    expect(states.find((s) => s.external_id === 'WRONG-1')).toMatchObject({
      state: 'wrong_device',
      expected_device_id: 100099,
      found_device_id: 100011,
      points_failing: 4,
    });
    expect(states.find((s) => s.external_id === right.id)).toMatchObject({
      state: 'ok',
      error: null,
      points_failing: 0,
    });
    expect(
      lines.some(
        (l) =>
          l.message ===
            'another BACnet device answers at the address of a configured meter; nothing is stored for it' &&
          l.foundDeviceId === 100011,
      ),
    ).toBe(true);
  });

  it('when the meter at an address is swapped while the agent runs, then after the silence the new device is wrong_device, and the old one back is ok again', async () => {
    const meter = meterOf(4414);
    const c = collector([meter]);
    await c.pollAll(tick());
    expect(await statusOf(meter.id)).toMatchObject({ state: 'ok' });

    await sim.stopMeter(4414);
    await c.pollAll(tick());
    expect(await statusOf(meter.id)).toMatchObject({ state: 'not_answering' });

    const replacement = await deviceAt(4415, `${NET}.14`);
    const at = tick();
    await c.pollAll(at);
    expect(await statusOf(meter.id)).toMatchObject({
      state: 'wrong_device',
      expectedDeviceId: 4414,
      foundDeviceId: 4415,
    });
    expect(await rowsAt(meter.id, at)).toHaveLength(0);

    await replacement.stop();
    await sim.startMeter(4414);
    const back = tick();
    await c.pollAll(back);
    expect(await statusOf(meter.id)).toMatchObject({ state: 'ok', foundDeviceId: null });
    expect(await rowsAt(meter.id, back)).toHaveLength(4);
  });

  it('when the meter is swapped between two polls with no silence seen, then the periodic check finds the other device', async () => {
    const meter = meterOf(4416);
    const c = collector([meter], fastAdapter);
    await c.pollAll(tick());
    expect(await statusOf(meter.id)).toMatchObject({ state: 'ok' });

    await sim.stopMeter(4416);
    await deviceAt(4417, `${NET}.16`);
    await new Promise((r) => setTimeout(r, 400));
    const at = tick();
    await c.pollAll(at);
    expect(await statusOf(meter.id)).toMatchObject({
      state: 'wrong_device',
      expectedDeviceId: 4416,
      foundDeviceId: 4417,
    });
    expect(await rowsAt(meter.id, at)).toHaveLength(0);
  });
});

describe('units are read again', () => {
  it('when a device restarts with other units, then the first reading after it is back carries the new unit, and a warning names meter, point, old and new unit', async () => {
    const meter = meterOf(4413);
    const c = collector([meter]);
    const first = tick();
    await c.pollAll(first);
    expect((await rowsAt(meter.id, first)).find((r) => r.data_point === 'total_kwh')).toMatchObject({ unit: 'kWh' });

    await sim.stopMeter(4413);
    await c.pollAll(tick());
    sim.setUnits(4413, { instance: 0 }, WATT_HOURS);
    await sim.startMeter(4413);
    const after = tick();
    await c.pollAll(after);

    const rows = await rowsAt(meter.id, after);
    expect(rows.find((r) => r.data_point === 'total_kwh')).toMatchObject({ unit: 'Wh' });
    expect(rows.find((r) => r.data_point === 'current_kw')).toMatchObject({ unit: 'kW' });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'a data point changed its unit',
        meter: meter.id,
        point: 'total_kwh',
        old_unit: 'kWh',
        new_unit: 'Wh',
      }),
    );
  });

  it('when a device changes a unit without restarting, then the scheduled re-read picks it up', async () => {
    const meter = meterOf(4418);
    const c = collector([meter], fastAdapter);
    const first = tick();
    await c.pollAll(first);
    expect((await rowsAt(meter.id, first)).find((r) => r.data_point === 'total_kwh')).toMatchObject({ unit: 'kWh' });

    sim.setUnits(4418, { instance: 0 }, WATT_HOURS);
    await new Promise((r) => setTimeout(r, 400));
    const after = tick();
    await c.pollAll(after);
    expect((await rowsAt(meter.id, after)).find((r) => r.data_point === 'total_kwh')).toMatchObject({ unit: 'Wh' });
  });
});

describe('each point has its own status', () => {
  it('when one point fails on every poll, then the meter is degraded and that point keeps its own last error and failure count', async () => {
    const base = meterOf(4419);
    const meter: MeterConfig = {
      ...base,
      data_points: [
        ...base.data_points,
        { object_type: 'analogInput', instance: 9, property: 'presentValue', name: 'ghost_kw' },
      ],
    };
    const c = collector([meter]);
    await c.pollAll(tick());
    const at = tick();
    await c.pollAll(at);

    expect(await rowsAt(meter.id, at)).toHaveLength(4);
    const s = await statusOf(meter.id);
    expect(s).toMatchObject({ state: 'degraded', pointsFailing: 1, consecutiveFailures: 0 });
    const ghost = s.points.find((p) => p.name === 'ghost_kw');
    expect(ghost).toMatchObject({ consecutiveFailures: 2, lastSuccessAt: null, lastErrorCode: 'METER_ERROR' });
    expect(ghost?.lastError).toMatch(/UNKNOWN_OBJECT/);
    const good = s.points.find((p) => p.name === 'voltage');
    expect(good).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(good?.lastSuccessAt?.getTime()).toBe(at.getTime());

    const [state] = heartbeatMeterStates([meter], [s]);
    expect(state).toMatchObject({ state: 'degraded', points_failing: 1 });
    expect(state?.error).toMatch(/^ghost_kw: .*UNKNOWN_OBJECT/);
  });
});
