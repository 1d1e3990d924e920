// Guards against the library's defects, over real UDP on loopback (127.0.2.x).
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@meterit/simulator';
import type { Simulator, SimMeterSpec, SimPointSpec } from '@meterit/simulator';
import { BacnetAdapter, BacnetError, BacnetErrorCode } from '../src/meters/bacnet/index.js';
import type { DeviceRef, PointRef, PointResult } from '../src/meters/bacnet/index.js';

const NET = '127.0.2';
const UNITS = [19, 48, 5, 3, 27, 98, 62];
const STANDARD: PointRef[] = [0, 1, 2, 3].map((instance) => ({ objectType: 'analogInput', instance }));

/** Each value names its device, its point and how often it was read, so misattribution shows. */
function patterned(count: number): SimPointSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    instance: i,
    name: `point_${i}`,
    units: UNITS[i % UNITS.length] ?? 95,
    model: {
      kind: 'custom',
      value: ({ deviceId, instance, readCount }) => deviceId * 1000 + instance + readCount * 0.25,
    },
  }));
}

const ref = (m: { deviceId: number; address: string; port: number }): DeviceRef => ({
  deviceId: m.deviceId,
  address: m.address,
  port: m.port,
});
const elapsed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; end: number }> => {
  const start = performance.now();
  const value = await fn();
  const end = performance.now();
  return { value, ms: end - start, end };
};

describe('BacnetAdapter isolation and guards', () => {
  let sim: Simulator;
  const healthy: SimMeterSpec[] = Array.from({ length: 10 }, (_, i) => ({
    deviceId: 200 + i,
    name: `Meter ${i}`,
    address: `${NET}.${20 + i}`,
    points: patterned(40),
  }));

  beforeAll(async () => {
    sim = await startSimulator({
      broadcastAddress: `${NET}.255`,
      meters: [
        ...healthy,
        { deviceId: 290, name: 'Dead meter', address: `${NET}.90`, behaviour: { dead: true }, points: patterned(40) },
        { deviceId: 291, name: 'Slow meter', address: `${NET}.91`, behaviour: { delayMs: 700 } },
        {
          deviceId: 292,
          name: 'RP-only meter',
          address: `${NET}.92`,
          behaviour: { refuseRpm: true },
          points: patterned(40),
        },
      ],
    });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('when one meter is dead and one is slow, then the healthy meters are read without waiting for them', async () => {
    const adapter = await BacnetAdapter.open({
      interface: `${NET}.1`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 1500,
    });
    try {
      const meters = sim.meters.filter((m) => m.deviceId < 210 || m.deviceId === 290 || m.deviceId === 291);
      const runs = await Promise.all(
        meters.map((m) =>
          elapsed(() =>
            adapter.readPoints(
              ref(m),
              m.deviceId === 291
                ? STANDARD
                : Array.from({ length: 40 }, (_, i) => ({ objectType: 'analogInput', instance: i })),
            ),
          ),
        ),
      );
      const byId = new Map(meters.map((m, i) => [m.deviceId, runs[i]]));
      const slow = byId.get(291);
      const dead = byId.get(290);
      for (const m of meters.filter((x) => x.deviceId < 210)) {
        const run = byId.get(m.deviceId);
        expect(run?.value.every((r) => r.ok)).toBe(true);
        // Done before the slow meter answers and before the dead one times out: nobody waited for them.
        expect(run!.end).toBeLessThan(slow!.end);
        expect(run!.end).toBeLessThan(dead!.end);
      }
      expect(dead?.value.every((r) => !r.ok && r.code === BacnetErrorCode.METER_TIMEOUT)).toBe(true);
      // 40 points are 4 requests, but after the first timeout the rest of this read gives up: one timeout, not four.
      expect(dead?.ms).toBeGreaterThanOrEqual(1400);
      expect(dead?.ms).toBeLessThan(2 * 1500);
      expect(slow?.value.every((r) => r.ok)).toBe(true);
      expect(slow?.ms).toBeGreaterThanOrEqual(650);
    } finally {
      await adapter.close();
    }
  });

  it('when more than 300 points are read in one cycle, then every value lands on the right meter and point, cycle after cycle', async () => {
    const adapter = await BacnetAdapter.open({
      interface: `${NET}.2`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 2000,
    });
    try {
      sim.clearServed();
      const meters = sim.meters.filter((m) => m.deviceId < 210);
      const points: PointRef[] = Array.from({ length: 40 }, (_, i) => ({ objectType: 'analogInput', instance: i }));
      const collected: Array<{ deviceId: number; instance: number; value: number }> = [];
      for (let cycle = 0; cycle < 3; cycle++) {
        // 10 meters × 40 points = 400 points per cycle.
        const results = await Promise.all(meters.map((m) => adapter.readPoints(ref(m), points)));
        results.forEach((rs, mi) => {
          const m = meters[mi];
          if (!m) throw new Error('meter');
          rs.forEach((r, i) => {
            if (!r.ok) throw new Error(`${m.deviceId}/${i}: ${r.code} ${r.message}`);
            // The integer part names meter and point; the fraction counts earlier reads of it.
            expect(Math.floor(r.value)).toBe(m.deviceId * 1000 + i);
            expect(r.units).toBe(UNITS[i % UNITS.length]);
            collected.push({ deviceId: m.deviceId, instance: i, value: r.value });
          });
        });
      }
      expect(collected).toHaveLength(3 * 400);
      const key = (x: { deviceId: number; instance: number }): string => `${x.deviceId}:${x.instance}`;
      const group = (xs: Array<{ deviceId: number; instance: number; value: number }>): Map<string, number[]> => {
        const g = new Map<string, number[]>();
        for (const x of xs) g.set(key(x), [...(g.get(key(x)) ?? []), x.value]);
        return g;
      };
      expect(group(collected)).toEqual(group(sim.served()));
    } finally {
      await adapter.close();
    }
  });

  it('when hundreds of ReadProperty requests run at once, then in-flight stays under the caps and every value is right', async () => {
    const adapter = await BacnetAdapter.open({
      interface: `${NET}.3`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 2000,
      maxInFlightTotal: 8,
      maxInFlightPerDevice: 2,
    });
    try {
      sim.setBehaviour(292, { delayMs: 5 });
      for (const m of sim.meters.filter((x) => x.deviceId < 205)) sim.setBehaviour(m.deviceId, { delayMs: 5 });
      const rpOnly = sim.meters.find((m) => m.deviceId === 292);
      const others = sim.meters.filter((m) => m.deviceId < 205);
      if (!rpOnly) throw new Error('meter');
      let maxTotal = 0;
      let maxDevice = 0;
      const sampler = setInterval(() => {
        maxTotal = Math.max(maxTotal, adapter.stats().inFlight);
        maxDevice = Math.max(maxDevice, adapter.deviceInfo(ref(rpOnly)).inFlight);
      }, 1);
      const points: PointRef[] = Array.from({ length: 40 }, (_, i) => ({ objectType: 'analogInput', instance: i }));
      const [rp, ...rest] = await Promise.all([rpOnly, ...others].map((m) => adapter.readPoints(ref(m), points)));
      clearInterval(sampler);
      // 40 points × (presentValue, statusFlags, units) over ReadProperty = 120 requests to one device.
      expect(adapter.deviceInfo(ref(rpOnly)).rpmSupported).toBe(false);
      rp?.forEach((r, i) => {
        expect(r.ok && Math.floor(r.value)).toBe(292 * 1000 + i);
      });
      for (const rs of rest) expect(rs.every((r) => r.ok)).toBe(true);
      expect(maxTotal).toBeLessThanOrEqual(8);
      expect(maxTotal).toBeGreaterThanOrEqual(4);
      expect(maxDevice).toBeLessThanOrEqual(2);
      expect(maxDevice).toBe(2);
    } finally {
      sim.setBehaviour(292, { delayMs: 0 });
      for (const m of sim.meters.filter((x) => x.deviceId < 205)) sim.setBehaviour(m.deviceId, { delayMs: 0 });
      await adapter.close();
    }
  });

  describe('replies from the wrong peer', () => {
    /** A minimal fake device on a raw socket: answers every RPM with a valid reply for AI:0 = 999. */
    function forgedRpmAck(invokeId: number): Buffer {
      const value = Buffer.alloc(4);
      value.writeFloatBE(999);
      const apdu = Buffer.concat([
        Buffer.from([0x30, invokeId, 0x0e]), // complex ack, RPM
        Buffer.from([0x0c, 0x00, 0x00, 0x00, 0x00]), // [0] analogInput:0
        Buffer.from([0x1e]),
        Buffer.from([0x29, 0x55, 0x4e, 0x44]),
        value,
        Buffer.from([0x4f]), // presentValue REAL
        Buffer.from([0x29, 0x6f, 0x4e, 0x82, 0x04, 0x00, 0x4f]), // statusFlags 0000
        Buffer.from([0x29, 0x75, 0x4e, 0x91, 0x13, 0x4f]), // units kWh
        Buffer.from([0x29, 0x67, 0x4e, 0x91, 0x00, 0x4f]), // reliability
        Buffer.from([0x1f]),
      ]);
      const len = 4 + 2 + apdu.length;
      return Buffer.concat([Buffer.from([0x81, 0x0a, len >> 8, len & 0xff, 0x01, 0x00]), apdu]);
    }

    /** Its answer to "which device are you" (ReadProperty device,4194303 objectIdentifier): device `instance`. */
    function forgedDeviceIdAck(invokeId: number, instance: number): Buffer {
      const id = Buffer.alloc(4);
      id.writeUInt32BE(((8 << 22) | instance) >>> 0);
      const apdu = Buffer.concat([
        Buffer.from([0x30, invokeId, 0x0c]), // complex ack, ReadProperty
        Buffer.from([0x0c]),
        id, // [0] device:instance
        Buffer.from([0x19, 0x4b]), // [1] objectIdentifier
        Buffer.from([0x3e, 0xc4]),
        id,
        Buffer.from([0x3f]), // [3] ObjectIdentifier value
      ]);
      const len = 4 + 2 + apdu.length;
      return Buffer.concat([Buffer.from([0x81, 0x0a, len >> 8, len & 0xff, 0x01, 0x00]), apdu]);
    }

    const bind = (address: string): Promise<dgram.Socket> =>
      new Promise((resolve, reject) => {
        const s = dgram.createSocket({ type: 'udp4', reuseAddr: false });
        s.once('error', reject);
        s.bind(47808, address, () => resolve(s));
      });

    it('when the reply comes from the device asked, then the forged-looking reply is accepted (the forgery is valid)', async () => {
      const fake = await bind(`${NET}.70`);
      fake.on('message', (msg, rinfo) => {
        const invokeId = msg[8] ?? 0; // BVLC 4 + NPDU 2 + type, max-segs/apdu, invoke id
        // The adapter first asks which device this is (ReadProperty, service 12), then reads with RPM.
        const reply = msg[9] === 0x0c ? forgedDeviceIdAck(invokeId, 270) : forgedRpmAck(invokeId);
        fake.send(reply, rinfo.port, rinfo.address);
      });
      const adapter = await BacnetAdapter.open({
        interface: `${NET}.4`,
        port: 47808,
        broadcastAddress: `${NET}.255`,
        apduTimeoutMs: 800,
      });
      try {
        const [r] = await adapter.readPoints({ deviceId: 270, address: `${NET}.70` }, [
          { objectType: 'analogInput', instance: 0 },
        ]);
        expect(r).toMatchObject({ ok: true, value: 999, units: 19, quality: 'good' });
      } finally {
        await adapter.close();
        fake.close();
      }
    });

    it('when another host answers with every invoke id, then the request times out instead of taking its value', async () => {
      const intruder = await bind(`${NET}.71`);
      const adapter = await BacnetAdapter.open({
        interface: `${NET}.5`,
        port: 47808,
        broadcastAddress: `${NET}.255`,
        apduTimeoutMs: 800,
      });
      try {
        const dead = sim.meters.find((m) => m.deviceId === 290);
        if (!dead) throw new Error('meter');
        const reading = adapter.readPoints(ref(dead), [{ objectType: 'analogInput', instance: 0 }]);
        await new Promise((r) => setTimeout(r, 100));
        for (let id = 0; id < 256; id++) intruder.send(forgedRpmAck(id), 47808, `${NET}.5`);
        const [r] = (await reading) as [PointResult];
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.code).toBe(BacnetErrorCode.METER_TIMEOUT);
        expect(adapter.stats().droppedForeignReplies).toBe(256);
      } finally {
        await adapter.close();
        intruder.close();
      }
    });
  });

  it('when the port is already bound, then open fails with BACNET_PORT_IN_USE', async () => {
    const first = await BacnetAdapter.open({ interface: `${NET}.6`, port: 47808, broadcastAddress: `${NET}.255` });
    try {
      const second = BacnetAdapter.open({ interface: `${NET}.6`, port: 47808, broadcastAddress: `${NET}.255` });
      await expect(second).rejects.toBeInstanceOf(BacnetError);
      await expect(second).rejects.toMatchObject({ code: BacnetErrorCode.BACNET_PORT_IN_USE });
      // A simulated meter's address too.
      await expect(
        BacnetAdapter.open({ interface: `${NET}.20`, port: 47808, broadcastAddress: `${NET}.255` }),
      ).rejects.toMatchObject({
        code: BacnetErrorCode.BACNET_PORT_IN_USE,
      });
    } finally {
      await first.close();
    }
  });

  it('when the adapter is closed during a read, then the read ends at once with BACNET_CLOSED', async () => {
    const adapter = await BacnetAdapter.open({
      interface: `${NET}.7`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 5000,
    });
    const dead = sim.meters.find((m) => m.deviceId === 290);
    if (!dead) throw new Error('meter');
    const reading = elapsed(() => adapter.readPoints(ref(dead), STANDARD));
    await new Promise((r) => setTimeout(r, 50));
    await adapter.close();
    const { value, ms } = await reading;
    expect(ms).toBeLessThan(1000);
    expect(value.every((r) => !r.ok && r.code === BacnetErrorCode.BACNET_CLOSED)).toBe(true);
  });
});
