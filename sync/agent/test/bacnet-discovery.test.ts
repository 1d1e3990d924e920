// Who-Is / I-Am discovery against the simulator over real UDP on loopback (127.0.12.x).
//
// On Linux a socket bound to one loopback address (the meters here) never receives a broadcast,
// so the simulator binds the broadcast address itself (127.0.12.255 here) and hands each Who-Is to
// its meters. The adapter's broadcast therefore works unchanged; unicast Who-Is is covered too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@meterit/simulator';
import type { Simulator, SimPointSpec } from '@meterit/simulator';
import { BacnetAdapter } from '../src/meters/bacnet/index.js';

const NET = '127.0.12';

function many(count: number): SimPointSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    instance: i,
    name: `circuit_${i}_kw`,
    units: 48,
    model: { kind: 'power' },
  }));
}

describe('BacnetAdapter discovery', () => {
  let sim: Simulator;
  let adapter: BacnetAdapter;

  beforeAll(async () => {
    sim = await startSimulator({
      broadcastAddress: `${NET}.255`,
      meters: [
        { deviceId: 401, name: 'Main incomer', address: `${NET}.11`, vendorName: 'Acme', modelName: 'EM-100' },
        { deviceId: 402, name: 'Lighting board', address: `${NET}.12` },
        { deviceId: 403, name: 'Old meter', address: `${NET}.13`, behaviour: { refuseRpm: true } },
        { deviceId: 404, name: 'Sub-metering panel', address: `${NET}.14`, maxApdu: 206, points: many(60) },
        { deviceId: 405, name: 'Dead meter', address: `${NET}.15`, behaviour: { dead: true } },
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

  it('when Who-Is is broadcast, then every live meter is found with its names, objects and units', async () => {
    const found = await adapter.discover({ timeoutMs: 400 });
    expect(found.map((d) => d.deviceId)).toEqual([401, 402, 403, 404]);
    const main = found[0];
    expect(main).toMatchObject({
      deviceId: 401,
      address: `${NET}.11`,
      port: 47808,
      maxApdu: 1476,
      segmentation: 3,
      vendorId: 999,
      objectName: 'Main incomer',
      vendorName: 'Acme',
      modelName: 'EM-100',
      errors: [],
    });
    expect(main?.objects).toEqual([
      { objectType: 'device', instance: 401 },
      { objectType: 'analogInput', instance: 0 },
      { objectType: 'analogInput', instance: 1 },
      { objectType: 'analogInput', instance: 2 },
      { objectType: 'analogInput', instance: 3 },
    ]);
    expect(main?.points).toEqual([
      { objectType: 'analogInput', instance: 0, objectName: 'total_kwh', units: 19, unitSymbol: 'kWh' },
      { objectType: 'analogInput', instance: 1, objectName: 'current_kw', units: 48, unitSymbol: 'kW' },
      { objectType: 'analogInput', instance: 2, objectName: 'voltage', units: 5, unitSymbol: 'V' },
      { objectType: 'analogInput', instance: 3, objectName: 'current', units: 3, unitSymbol: 'A' },
    ]);
    // The meter without ReadPropertyMultiple is described all the same.
    expect(found[2]?.objectName).toBe('Old meter');
    expect(found[2]?.points.map((p) => p.objectName)).toEqual(['total_kwh', 'current_kw', 'voltage', 'current']);
    // A device whose objectList does not fit its APDU is read element by element.
    const panel = found[3];
    expect(panel?.maxApdu).toBe(206);
    expect(panel?.errors).toEqual([]);
    expect(panel?.points).toHaveLength(60);
    expect(panel?.points[59]).toEqual({
      objectType: 'analogInput',
      instance: 59,
      objectName: 'circuit_59_kw',
      units: 48,
      unitSymbol: 'kW',
    });
  });

  it('when Who-Is has limits, then only devices in the range answer', async () => {
    const found = await adapter.discover({ timeoutMs: 300, lowLimit: 402, highLimit: 403 });
    expect(found.map((d) => d.deviceId)).toEqual([402, 403]);
  });

  it('when Who-Is is sent to given addresses, then only those meters are found', async () => {
    const found = await adapter.discover({ timeoutMs: 300, address: [`${NET}.12`, `${NET}.13:47808`, `${NET}.15`] });
    expect(found.map((d) => [d.deviceId, d.objectName])).toEqual([
      [402, 'Lighting board'],
      [403, 'Old meter'],
    ]);
  });

  it('when discovery has read units, then the first read of those points needs no units request', async () => {
    await adapter.discover({ timeoutMs: 300, address: `${NET}.11` });
    const dev = { deviceId: 401, address: `${NET}.11` };
    expect(adapter.deviceInfo(dev).cachedUnits).toBe(4);
    const [r] = await adapter.readPoints(dev, [{ objectType: 'analogInput', instance: 0 }]);
    expect(r).toMatchObject({ ok: true, units: 19, unitSymbol: 'kWh', quality: 'good' });
  });
});
