// Discovery through a BBMD as a foreign device, over real UDP on loopback (127.0.15.1–.19).
//
// The meters do not listen to broadcasts at all (listenBroadcast: false): as on a site whose meters
// sit on another IP subnet, a plain Who-Is broadcast reaches none of them. Only the simulator's
// BBMD at 127.0.15.1 puts a Who-Is on their network, and forwards their I-Am back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@meterit/shared/testing';
import { startSimulator } from '@meterit/simulator';
import type { Simulator } from '@meterit/simulator';
import { BacnetAdapter, BacnetErrorCode } from '../src/meters/bacnet/index.js';

const NET = '127.0.15';
const BBMD = `${NET}.1:47808`;

describe('BacnetAdapter discovery through a BBMD', () => {
  let sim: Simulator;
  let refusing: Simulator;
  let now = Date.now();
  const open: BacnetAdapter[] = [];
  const adapterAt = async (host: number, bbmd?: { address: string; ttlSeconds: number }): Promise<BacnetAdapter> => {
    const a = await BacnetAdapter.open({
      interface: `${NET}.${host}`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 500,
      ...(bbmd ? { bbmd } : {}),
    });
    open.push(a);
    return a;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      listenBroadcast: false,
      clock: () => now,
      bbmd: { address: `${NET}.1` },
      meters: [
        { deviceId: 1511, name: 'Main incomer', address: `${NET}.11` },
        { deviceId: 1512, name: 'Lighting board', address: `${NET}.12` },
      ],
    });
    // A BBMD that takes no foreign devices at all.
    refusing = await startSimulator({
      listenBroadcast: false,
      bbmd: { address: `${NET}.5`, maxForeignDevices: 0 },
      meters: [],
    });
  });

  afterAll(async () => {
    for (const a of open) await a.close();
    await sim?.stop();
    await refusing?.stop();
  });

  it('when the meters are on another subnet, then a plain broadcast finds none, and Who-Is through the BBMD finds them at their own addresses and a point reads straight from the meter', async () => {
    const plain = await adapterAt(3);
    expect(await plain.discover({ timeoutMs: 300 })).toEqual([]);

    const adapter = await adapterAt(2, { address: `${NET}.1`, ttlSeconds: 60 });
    sim.bbmd!.clearForwarded();
    const found = await adapter.discover({ timeoutMs: 500 });
    expect(found.map((d) => [d.deviceId, d.objectName, `${d.address}:${d.port}`, d.errors])).toEqual([
      [1511, 'Main incomer', `${NET}.11:47808`, []],
      [1512, 'Lighting board', `${NET}.12:47808`, []],
    ]);
    expect(found[0]?.points.map((p) => p.objectName)).toEqual(['total_kwh', 'current_kw', 'voltage', 'current']);
    expect(adapter.foreignDeviceStatus()).toMatchObject({
      bbmd: BBMD,
      ttlSeconds: 60,
      registered: true,
      lastError: null,
    });
    expect(sim.bbmd!.foreignDevices()).toEqual([{ address: `${NET}.2:47808`, ttlSeconds: 60, remainingSeconds: 90 }]);
    // The Who-Is went through the BBMD in the agent's name; the I-Am came back through it in the meters' names.
    const forwarded = sim
      .bbmd!.forwarded()
      .map((f) => `${f.direction} ${f.originator} service ${f.unconfirmedService}`);
    expect(forwarded.sort()).toEqual([
      `to-foreign-devices ${NET}.11:47808 service 0`,
      `to-foreign-devices ${NET}.12:47808 service 0`,
      `to-network ${NET}.2:47808 service 8`,
    ]);

    sim.clearServed();
    const main = found[0]!;
    const [reading] = await adapter.readPoints({ deviceId: main.deviceId, address: main.address, port: main.port }, [
      { objectType: 'analogInput', instance: 2 },
    ]);
    expect(reading).toMatchObject({ ok: true, unitSymbol: 'V', quality: 'good' });
    expect(sim.served().map((s) => [s.deviceId, s.instance, s.value])).toEqual([
      [1511, 2, reading?.ok ? reading.value : null],
    ]);
  });

  it('when the registration is kept alive, then the adapter re-registers before TTL + grace run out', async () => {
    const adapter = await adapterAt(4, { address: `${NET}.1`, ttlSeconds: 2 });
    adapter.keepForeignDeviceRegistration();
    const entry = () => sim.bbmd!.foreignDevices().find((e) => e.address === `${NET}.4:47808`);
    await waitUntil('the first registration', async () => entry()?.remainingSeconds === 32, 5000, 20);
    now += 31_000; // 1 s before the BBMD would drop the entry
    expect(entry()?.remainingSeconds).toBe(1);
    await waitUntil('a re-registration at half the TTL', async () => entry()?.remainingSeconds === 32, 5000, 20);
    expect(adapter.foreignDeviceStatus()).toMatchObject({ registered: true, lastError: null });
  });

  it('when the BBMD does not answer, then discovery fails saying so, and nothing is reported as found', async () => {
    const adapter = await adapterAt(6, { address: `${NET}.9`, ttlSeconds: 60 });
    const err = await adapter.discover({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: BacnetErrorCode.BBMD_REGISTRATION_FAILED });
    expect((err as Error).message).toContain(
      `the BBMD at ${NET}.9:47808 did not answer the foreign-device registration`,
    );
    expect(adapter.foreignDeviceStatus()).toMatchObject({
      registered: false,
      lastRegisteredAt: null,
      lastError: (err as Error).message,
    });
  });

  it('when the BBMD refuses foreign devices, then the registration fails naming its NAK', async () => {
    const adapter = await adapterAt(7, { address: `${NET}.5`, ttlSeconds: 60 });
    const err = await adapter.registerForeignDevice().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: BacnetErrorCode.BBMD_REGISTRATION_FAILED });
    expect((err as Error).message).toContain(
      `the BBMD at ${NET}.5:47808 refused the foreign-device registration (BVLC-Result 0x0030)`,
    );
    await expect(adapter.discover({ timeoutMs: 300 })).rejects.toThrow('refused the foreign-device registration');
  });

  it('when the BBMD address is not an IPv4 address, then the adapter does not open and says what to give', async () => {
    await expect(
      BacnetAdapter.open({
        interface: `${NET}.8`,
        port: 47808,
        broadcastAddress: `${NET}.255`,
        bbmd: { address: 'bbmd.local:47808', ttlSeconds: 60 },
      }),
    ).rejects.toThrow('give its IPv4 address with an optional UDP port, e.g. 192.168.10.1 or 192.168.10.1:47808');
  });
});
