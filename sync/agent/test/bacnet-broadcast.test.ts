// An adapter bound to one address (BACNET_INTERFACE) and meters that answer Who-Is with a
// broadcast I-Am, over real UDP on loopback (127.0.46.x, broadcast 127.0.46.255).
//
// On Linux a socket bound to 127.0.46.1 never receives what is sent to 127.0.46.255, so those I-Am
// were lost. The simulator here does not hold the broadcast address itself (listenBroadcast: false):
// the meters hear the Who-Is sent to their own addresses and broadcast their I-Am to 127.0.46.255,
// where only the adapter's second socket can catch it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@meterit/simulator';
import type { Simulator } from '@meterit/simulator';
import { BacnetAdapter } from '../src/meters/bacnet/index.js';

const NET = '127.0.46';
const METERS = [`${NET}.11`, `${NET}.12`];

describe('BacnetAdapter bound to one address, meters answering with broadcast I-Am', () => {
  let sim: Simulator;
  const open: BacnetAdapter[] = [];
  const adapterAt = async (host: number, listenBroadcast?: boolean): Promise<BacnetAdapter> => {
    const a = await BacnetAdapter.open({
      interface: `${NET}.${host}`,
      port: 47808,
      broadcastAddress: `${NET}.255`,
      apduTimeoutMs: 1000,
      ...(listenBroadcast === undefined ? {} : { listenBroadcast }),
    });
    open.push(a);
    return a;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      broadcastAddress: `${NET}.255`,
      listenBroadcast: false,
      iAmBroadcast: true,
      meters: [
        { deviceId: 4611, name: 'Main incomer', address: METERS[0]! },
        { deviceId: 4612, name: 'Chiller', address: METERS[1]! },
      ],
    });
  });

  afterAll(async () => {
    for (const a of open) await a.close();
    await sim?.stop();
  });

  it('when the meters broadcast their I-Am, then an adapter bound to 127.0.46.1 finds them and reads them at their own addresses', async () => {
    const adapter = await adapterAt(1);
    expect(adapter.broadcastListenerStatus()).toEqual({ state: 'listening', address: `${NET}.255:47808` });

    const found = await adapter.discover({ timeoutMs: 600, address: METERS });
    expect(found.map((d) => [d.deviceId, d.objectName, `${d.address}:${d.port}`, d.errors])).toEqual([
      [4611, 'Main incomer', `${NET}.11:47808`, []],
      [4612, 'Chiller', `${NET}.12:47808`, []],
    ]);
    const [first] = await adapter.readPoints({ deviceId: 4611, address: METERS[0]! }, [
      { objectType: 'analogInput', instance: 0 },
    ]);
    expect(first).toMatchObject({ ok: true, unitSymbol: 'kWh', quality: 'good' });
    // The broadcasts really were the meters' answers: the adapter's own Who-Is never came back as a device.
    expect(adapter.stats().droppedForeignReplies).toBe(0);
  });

  it('when a second adapter on the same subnet finds the broadcast address taken, then it still opens, says so, and reads', async () => {
    const second = await adapterAt(2);
    const status = second.broadcastListenerStatus();
    expect(status).toEqual({ state: 'unavailable', address: `${NET}.255:47808`, error: 'EADDRINUSE' });
    const [r] = await second.readPoints({ deviceId: 4612, address: METERS[1]! }, [
      { objectType: 'analogInput', instance: 1 },
    ]);
    expect(r).toMatchObject({ ok: true, unitSymbol: 'kW' });
  });

  it('when listening on the broadcast address is switched off, then the broadcast I-Am are missed (what the second socket is for)', async () => {
    for (const a of open.splice(0)) await a.close();
    const off = await adapterAt(3, false);
    expect(off.broadcastListenerStatus()).toEqual({ state: 'off' });
    expect(await off.discover({ timeoutMs: 400, address: METERS })).toEqual([]);
  });
});
