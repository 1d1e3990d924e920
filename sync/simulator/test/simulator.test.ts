// The simulator over real UDP on loopback (127.0.3.x), checked with the library's own client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bacnet from '@bacnet-js/client';
import { startSimulator } from '../src/index.js';
import type { Simulator } from '../src/index.js';
import { MeterPhysics } from '../src/points.js';
import { createRandom } from '../src/random.js';

type ClientClass = typeof bacnet.default;
const BACnetClient: ClientClass = typeof bacnet === 'function' ? (bacnet as unknown as ClientClass) : bacnet.default;

const NET = '127.0.3';
const AI = 0;
const PV = 85;
const ALL = 0xffffffff;

describe('simulator', () => {
  let sim: Simulator;
  let client: InstanceType<ClientClass>;
  let now = 1_700_000_000_000;
  const at = (host: string) => ({ address: `${NET}.${host}` });

  beforeAll(async () => {
    sim = await startSimulator({
      broadcastAddress: `${NET}.255`,
      clock: () => now,
      meters: [
        { deviceId: 31, name: 'Meter A', address: `${NET}.11` },
        { deviceId: 32, name: 'Meter B', address: `${NET}.12` },
      ],
    });
    client = new BACnetClient({
      interface: `${NET}.1`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      reuseAddr: false,
      apduTimeout: 500,
    });
    client.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    client?.close();
    await sim?.stop();
  });

  it('when a point is read, then it answers value, units, status flags, reliability and name, and records the value served', async () => {
    sim.clearServed();
    const pv = await client.readProperty(at('11'), { type: AI, instance: 2 }, PV);
    const value = pv.values[0]?.value as number;
    expect(value).toBeGreaterThan(220);
    expect(sim.served()).toEqual([{ deviceId: 31, objectType: 'analogInput', instance: 2, value, servedAt: now }]);
    const rpm = await client.readPropertyMultiple(at('11'), [
      { objectId: { type: AI, instance: 0 }, properties: [117, 111, 103, 77].map((id) => ({ id, index: ALL })) },
    ]);
    const props = rpm.values[0]?.values.map((v) => [v.id, v.value[0]?.value]);
    expect(props).toEqual([
      [117, 19],
      [111, { value: [0], bitsUsed: 4 }],
      [103, 0],
      [77, 'total_kwh'],
    ]);
  });

  it('when time passes, then total_kwh only grows, by power × time', async () => {
    const read = async (): Promise<number> =>
      (await client.readProperty(at('12'), { type: AI, instance: 0 }, PV)).values[0]?.value as number;
    const e0 = await read();
    now += 3_600_000;
    const e1 = await read();
    now += 3_600_000;
    const e2 = await read();
    now -= 1_000; // a clock going back adds nothing
    const e3 = await read();
    now += 1_000;
    expect(e1).toBeGreaterThan(e0);
    expect(e2).toBeGreaterThan(e1);
    expect(e3).toBe(e2);
    // Base load 5–105 kW: an hour adds that many kWh.
    expect(e1 - e0).toBeGreaterThan(3);
    expect(e1 - e0).toBeLessThan(110);
  });

  it('when Who-Is is broadcast, then every meter answers I-Am', async () => {
    const seen: number[] = [];
    const onIAm = (m: { payload: { deviceId: number } }): void => {
      seen.push(m.payload.deviceId);
    };
    client.on('iAm', onIAm);
    client.whoIs();
    await new Promise((r) => setTimeout(r, 200));
    client.off('iAm', onIAm);
    expect(seen.sort()).toEqual([31, 32]);
  });

  it('when behaviour changes at runtime, then the meter is dead, refuses RPM, errors or faults accordingly', async () => {
    sim.setBehaviour(32, { dead: true });
    await expect(client.readProperty(at('12'), { type: AI, instance: 0 }, PV)).rejects.toThrow('ERR_TIMEOUT');
    sim.setBehaviour(32, { dead: false, refuseRpm: 'error' });
    await expect(
      client.readPropertyMultiple(at('12'), [
        { objectId: { type: AI, instance: 0 }, properties: [{ id: PV, index: ALL }] },
      ]),
    ).rejects.toThrow('BacnetError - Class:5 - Code:67');
    sim.setBehaviour(32, { refuseRpm: 'reject' });
    await expect(
      client.readPropertyMultiple(at('12'), [
        { objectId: { type: AI, instance: 0 }, properties: [{ id: PV, index: ALL }] },
      ]),
    ).rejects.toThrow('BacnetAbort - Reason:9');
    sim.setBehaviour(32, { refuseRpm: false, error: { errorClass: 0, errorCode: 25 } });
    await expect(client.readProperty(at('12'), { type: AI, instance: 0 }, PV)).rejects.toThrow(
      'BacnetError - Class:0 - Code:25',
    );
    sim.setBehaviour(32, { error: null, fault: true });
    const flags = await client.readProperty(at('12'), { type: AI, instance: 0 }, 111);
    expect(flags.values[0]?.value).toEqual({ value: [2], bitsUsed: 4 });
    const reliability = await client.readProperty(at('12'), { type: AI, instance: 0 }, 103);
    expect(reliability.values[0]?.value).toBe(7);
    sim.setBehaviour(32, { fault: false, delayMs: 150 });
    const start = Date.now();
    await client.readProperty(at('12'), { type: AI, instance: 1 }, PV);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    sim.setBehaviour(32, { delayMs: 0 });
  });

  it('when a meter is stopped and started, then it goes silent and comes back', async () => {
    await sim.stopMeter(31);
    expect(sim.meters.find((m) => m.deviceId === 31)?.running).toBe(false);
    await expect(client.readProperty(at('11'), { type: AI, instance: 0 }, PV)).rejects.toThrow('ERR_TIMEOUT');
    await sim.startMeter(31);
    const pv = await client.readProperty(at('11'), { type: AI, instance: 0 }, PV);
    expect(pv.values[0]?.type).toBe(4);
  });

  it('when a meter address is already bound, then start fails and says which', async () => {
    await expect(
      startSimulator({ listenBroadcast: false, meters: [{ deviceId: 39, name: 'Clash', address: `${NET}.11` }] }),
    ).rejects.toThrow(/meter 39 cannot bind 127\.0\.3\.11:47808: EADDRINUSE/);
  });
});

describe('energy register across restarts', () => {
  it('when a simulated meter is restarted a day later with the same seed, then its kWh register goes on from where it was (no false meter reset)', () => {
    const t0 = Date.UTC(2026, 10, 21, 12);
    const before = new MeterPhysics(createRandom(7));
    const e0 = before.energy(t0);
    const e1 = before.energy(t0 + 3_600_000);
    const restarted = new MeterPhysics(createRandom(7));
    const e2 = restarted.energy(t0 + 86_400_000);
    expect(e1).toBeGreaterThan(e0);
    expect(e2).toBeGreaterThan(e1);
    // A day at this meter's power (5–80 kW base, ±30 % over the day): 84–2,500 kWh, not a register starting over.
    expect(e2 - e0).toBeGreaterThan(24 * 5 * 0.7);
    expect(e2 - e0).toBeLessThan(24 * 80 * 1.3);
  });
});
