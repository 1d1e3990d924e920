// Reading points over real UDP on loopback (127.0.1.x) from the simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@meterit/simulator';
import type { ServedValue, Simulator, SimPointSpec } from '@meterit/simulator';
import { BacnetAdapter, BacnetErrorCode } from '../src/meters/bacnet/index.js';
import type { DeviceRef, PointReading, PointRef, PointResult } from '../src/meters/bacnet/index.js';

const NET = '127.0.1';
const STANDARD: PointRef[] = [0, 1, 2, 3].map((instance) => ({ objectType: 'analogInput', instance }));

/** Points whose values say which device and point they belong to. */
function patterned(count: number): SimPointSpec[] {
  const units = [19, 48, 5, 3, 27, 98];
  return Array.from({ length: count }, (_, i) => ({
    instance: i,
    name: `point_${i}`,
    units: units[i % units.length] ?? 95,
    model: {
      kind: 'custom',
      value: ({ deviceId, instance, readCount }) => deviceId * 1000 + instance + readCount * 0.25,
    },
  }));
}

const ok = (r: PointResult | undefined): PointReading => {
  if (!r?.ok) throw new Error(`expected a reading, got ${JSON.stringify(r)}`);
  return r;
};

describe('BacnetAdapter reading points', () => {
  let sim: Simulator;
  let adapter: BacnetAdapter;
  const dev = (deviceId: number): DeviceRef => {
    const m = sim.meters.find((x) => x.deviceId === deviceId);
    if (!m) throw new Error(`no meter ${deviceId}`);
    return { deviceId, address: m.address, port: m.port };
  };

  beforeAll(async () => {
    sim = await startSimulator({
      broadcastAddress: `${NET}.255`,
      seed: 7,
      meters: [
        { deviceId: 101, name: 'Main incomer', address: `${NET}.11` },
        { deviceId: 102, name: 'Chiller', address: `${NET}.12` },
        { deviceId: 103, name: 'Old meter without RPM', address: `${NET}.13`, behaviour: { refuseRpm: 'reject' } },
        {
          deviceId: 104,
          name: 'Meter answering RPM with an Error PDU',
          address: `${NET}.14`,
          behaviour: { refuseRpm: 'error' },
        },
        { deviceId: 105, name: 'Faulty meter', address: `${NET}.15`, behaviour: { fault: true } },
        { deviceId: 106, name: 'Wrong object ids', address: `${NET}.16`, behaviour: { wrongObjectId: true } },
        { deviceId: 107, name: 'Small APDU meter', address: `${NET}.17`, maxApdu: 206, points: patterned(30) },
        { deviceId: 108, name: 'Erroring meter', address: `${NET}.18` },
      ],
    });
    adapter = await BacnetAdapter.open({
      interface: `${NET}.1`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 1000,
    });
  });

  afterAll(async () => {
    await adapter?.close();
    await sim?.stop();
  });

  afterEach(() => sim.clearServed());

  it('when a healthy meter is read, then values, units and quality are exactly what the simulator served', async () => {
    const results = await adapter.readPoints(dev(101), STANDARD);
    const served = sim.served().filter((s) => s.deviceId === 101);
    expect(served.map((s) => s.instance)).toEqual([0, 1, 2, 3]);
    results.forEach((r, i) => {
      const reading = ok(r);
      expect(reading.value).toBe(served[i]?.value);
      expect(reading.quality).toBe('good');
      expect(reading.statusFlags).toEqual({ inAlarm: false, fault: false, overridden: false, outOfService: false });
      expect(reading.reliability).toBe(0);
    });
    expect(results.map((r) => ok(r).units)).toEqual([19, 48, 5, 3]);
    expect(results.map((r) => ok(r).unitSymbol)).toEqual(['kWh', 'kW', 'V', 'A']);
    const voltage = ok(results[2]).value;
    expect(voltage).toBeGreaterThan(220);
    expect(voltage).toBeLessThan(240);
  });

  it('when the same meter is read again, then units come from the cache and total_kwh has not gone down', async () => {
    const first = await adapter.readPoints(dev(102), STANDARD);
    expect(adapter.deviceInfo(dev(102)).cachedUnits).toBe(4);
    await new Promise((r) => setTimeout(r, 50));
    const second = await adapter.readPoints(dev(102), STANDARD);
    expect(second.map((r) => ok(r).units)).toEqual([19, 48, 5, 3]);
    expect(ok(second[0]).value).toBeGreaterThanOrEqual(ok(first[0]).value);
    const served = sim
      .served()
      .filter((s) => s.deviceId === 102)
      .map((s) => s.value);
    expect([...first, ...second].map((r) => ok(r).value)).toEqual(served);
  });

  it.each([
    [103, 'a Reject PDU'],
    [104, 'an Error PDU'],
  ])(
    'when meter %i refuses ReadPropertyMultiple with %s, then it is read with ReadProperty and the values are right',
    async (id) => {
      const results = await adapter.readPoints(dev(id), STANDARD);
      expect(adapter.deviceInfo(dev(id)).rpmSupported).toBe(false);
      const served = sim.served().filter((s) => s.deviceId === id);
      expect(served).toHaveLength(4);
      for (const [i, r] of results.entries()) {
        const s = served.find((x) => x.instance === i);
        expect(ok(r).value).toBe(s?.value);
        expect(ok(r).quality).toBe('good');
      }
      expect(results.map((r) => ok(r).units)).toEqual([19, 48, 5, 3]);
      // The second read goes straight to ReadProperty and still serves each point once.
      sim.clearServed();
      const again = await adapter.readPoints(dev(id), STANDARD);
      expect(sim.served().filter((s) => s.deviceId === id)).toHaveLength(4);
      expect(again.every((r) => r.ok)).toBe(true);
    },
  );

  it('when a meter reports the fault flag, then quality is "fault" and reliability is carried', async () => {
    const results = await adapter.readPoints(dev(105), STANDARD);
    for (const r of results) {
      expect(ok(r).quality).toBe('fault');
      expect(ok(r).statusFlags.fault).toBe(true);
      expect(ok(r).reliability).toBe(7); // unreliableOther
    }
    sim.setBehaviour(105, { inAlarm: true });
    const both = await adapter.readPoints(dev(105), STANDARD);
    expect(both.map((r) => ok(r).quality)).toEqual([
      'inAlarm+fault',
      'inAlarm+fault',
      'inAlarm+fault',
      'inAlarm+fault',
    ]);
    sim.setBehaviour(105, { fault: false, inAlarm: false });
    const healed = await adapter.readPoints(dev(105), STANDARD);
    expect(healed.map((r) => ok(r).quality)).toEqual(['good', 'good', 'good', 'good']);
  });

  it('when a fault meter is read with ReadProperty, then reliability is fetched for the faulty points', async () => {
    sim.setBehaviour(103, { fault: true, faultReliability: 12 });
    const results = await adapter.readPoints(dev(103), STANDARD);
    sim.setBehaviour(103, { fault: false });
    expect(results.map((r) => ok(r).quality)).toEqual(['fault', 'fault', 'fault', 'fault']);
    expect(results.map((r) => ok(r).reliability)).toEqual([12, 12, 12, 12]);
  });

  it('when replies name another object than asked, then no value is accepted (RPM and ReadProperty)', async () => {
    const viaRpm = await adapter.readPoints(dev(106), STANDARD);
    for (const r of viaRpm) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe(BacnetErrorCode.BACNET_REPLY_MISMATCH);
    }
    expect(sim.served().filter((s) => s.deviceId === 106).length).toBeGreaterThan(0);
    // The device now refuses RPM: the adapter falls back to ReadProperty for it.
    const other = dev(106);
    sim.setBehaviour(106, { refuseRpm: true });
    const viaRp = await adapter.readPoints(other, STANDARD);
    expect(adapter.deviceInfo(other).rpmSupported).toBe(false);
    for (const r of viaRp) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe(BacnetErrorCode.BACNET_REPLY_MISMATCH);
    }
    const raw = await adapter.readProperty(other, 'analogInput', 0, 'presentValue');
    expect(raw.ok).toBe(false);
    if (!raw.ok) expect(raw.code).toBe(BacnetErrorCode.BACNET_REPLY_MISMATCH);
  });

  it('when a device accepts only small APDUs, then reads are split into requests that fit and every point is right', async () => {
    const points: PointRef[] = Array.from({ length: 30 }, (_, i) => ({ objectType: 'analogInput', instance: i }));
    // Claim a big APDU so the first requests are too large and the device aborts.
    const results = await adapter.readPoints({ ...dev(107), maxApdu: 1476 }, points);
    const info = adapter.deviceInfo(dev(107));
    expect(info.rpmSupported).toBe(true);
    expect(info.objectsPerRequest).toBeLessThan(16);
    results.forEach((r, i) => {
      expect(ok(r).value).toBe(Math.fround(107 * 1000 + i));
      expect(ok(r).units).toBe([19, 48, 5, 3, 27, 98][i % 6]);
    });
    const servedByPoint = new Map<number, ServedValue[]>();
    for (const s of sim.served().filter((x) => x.deviceId === 107))
      servedByPoint.set(s.instance, [...(servedByPoint.get(s.instance) ?? []), s]);
    for (let i = 0; i < 30; i++) expect(servedByPoint.get(i)?.map((s) => s.value)).toEqual([ok(results[i]).value]);
  });

  it('when a meter answers with a BACnet Error PDU, then each point fails with METER_ERROR naming class and code', async () => {
    sim.setBehaviour(108, { error: { errorClass: 0, errorCode: 25 } });
    const results = await adapter.readPoints(dev(108), STANDARD);
    sim.setBehaviour(108, { error: null });
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe(BacnetErrorCode.METER_ERROR);
        expect(r.message).toMatch(/class DEVICE \(0\) code OPERATIONAL_PROBLEM \(25\)/);
      }
    }
    const after = await adapter.readPoints(dev(108), STANDARD);
    expect(after.every((r) => r.ok)).toBe(true);
  });

  it('when a point does not exist, then only that point fails and the others are read', async () => {
    const results = await adapter.readPoints(dev(101), [
      ...STANDARD,
      { objectType: 'analogInput', instance: 99 },
      { objectType: 'nonsense', instance: 0 },
    ]);
    expect(results.slice(0, 4).every((r) => r.ok)).toBe(true);
    const missing = results[4];
    expect(missing?.ok).toBe(false);
    if (missing && !missing.ok) {
      expect(missing.code).toBe(BacnetErrorCode.METER_ERROR);
      expect(missing.message).toMatch(/UNKNOWN_OBJECT/);
    }
    expect(results[5]?.ok).toBe(false);
  });

  it('when asked for one raw property, then readProperty returns the decoded application values', async () => {
    const name = await adapter.readProperty(dev(101), 'analogInput', 0, 'objectName');
    expect(name).toEqual({ ok: true, values: [{ type: 7, value: 'total_kwh' }] });
    const count = await adapter.readProperty(dev(101), 'device', 101, 'objectList', 0);
    expect(count).toEqual({ ok: true, values: [{ type: 2, value: 5 }] });
  });
});
