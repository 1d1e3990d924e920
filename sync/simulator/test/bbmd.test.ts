// The simulator's BBMD over real UDP on loopback (127.0.15.100–.119), spoken to byte by byte as a
// foreign device would. The meters do not listen to broadcasts: only the BBMD reaches them.
import dgram from 'node:dgram';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@meterit/shared/testing';
import { startSimulator } from '../src/index.js';
import type { Simulator } from '../src/index.js';

const NET = '127.0.15';
const BBMD = `${NET}.100`;
const WHO_IS_NPDU = [0x01, 0x00, 0x10, 0x08];

/** A foreign device: a bare UDP socket that records every datagram it receives. */
interface Peer {
  endpoint: string;
  received: Array<{ msg: Buffer; from: string }>;
  send(bytes: number[]): void;
  close(): void;
}

async function peer(address: string): Promise<Peer> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const received: Peer['received'] = [];
  socket.on('message', (msg, rinfo) => received.push({ msg, from: `${rinfo.address}:${rinfo.port}` }));
  await new Promise<void>((resolve) => socket.bind(47808, address, resolve));
  return {
    endpoint: `${address}:47808`,
    received,
    send: (bytes) => socket.send(Buffer.from(bytes), 47808, BBMD),
    close: () => socket.close(),
  };
}

function bvlc(func: number, body: number[]): number[] {
  const length = 4 + body.length;
  return [0x81, func, length >> 8, length & 0xff, ...body];
}

const register = (ttl: number) => bvlc(0x05, [ttl >> 8, ttl & 0xff]);

/** The next datagram after `from` received so far, waiting for it. */
async function next(p: Peer, from: number): Promise<Buffer> {
  await waitUntil('a datagram from the BBMD', async () => p.received.length > from, 2000, 10);
  return p.received[from]!.msg;
}

describe('simulator BBMD', () => {
  let sim: Simulator;
  let now = 1_700_000_000_000;
  let fd: Peer;
  let stranger: Peer;

  beforeAll(async () => {
    sim = await startSimulator({
      listenBroadcast: false,
      clock: () => now,
      bbmd: { address: BBMD },
      meters: [
        { deviceId: 1501, name: 'Meter A', address: `${NET}.110` },
        { deviceId: 1502, name: 'Meter B', address: `${NET}.111` },
      ],
    });
    fd = await peer(`${NET}.101`);
    stranger = await peer(`${NET}.102`);
  });

  afterAll(async () => {
    fd?.close();
    stranger?.close();
    await sim?.stop();
  });

  beforeEach(() => {
    sim.bbmd!.clearForwarded();
  });

  it('when a device registers as a foreign device, then the BBMD answers BVLC-Result success and lists it with TTL + 30 s grace', async () => {
    const before = fd.received.length;
    fd.send(register(60));
    expect([...(await next(fd, before))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]);
    expect(sim.bbmd!.foreignDevices()).toEqual([{ address: fd.endpoint, ttlSeconds: 60, remainingSeconds: 90 }]);

    // Read-Foreign-Device-Table answers the same entry: B/IP address, TTL, time remaining.
    const n = fd.received.length;
    fd.send(bvlc(0x06, []));
    expect([...(await next(fd, n))]).toEqual([0x81, 0x07, 0x00, 0x0e, 127, 0, 15, 101, 0xba, 0xc0, 0, 60, 0, 90]);
  });

  it('when an unregistered device asks the BBMD to broadcast, then it gets a NAK and nothing reaches the meters', async () => {
    const before = stranger.received.length;
    stranger.send(bvlc(0x09, WHO_IS_NPDU));
    expect([...(await next(stranger, before))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x60]);
    expect(sim.bbmd!.forwarded()).toEqual([]);
  });

  it('when a registered foreign device sends Who-Is through the BBMD, then the meters get it with the originator address and their I-Am come back as Forwarded-NPDU naming each meter', async () => {
    const registered = fd.received.length;
    fd.send(register(60));
    expect([...(await next(fd, registered))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]);
    const before = fd.received.length;
    fd.send(bvlc(0x09, WHO_IS_NPDU));
    await waitUntil('two I-Am through the BBMD', async () => fd.received.length >= before + 2, 2000, 10);

    const iAms = fd.received
      .slice(before)
      .map((r) => r.msg)
      .filter((m) => m[1] === 0x04)
      .map((m) => ({
        from: `${m[4]}.${m[5]}.${m[6]}.${m[7]}:${m.readUInt16BE(8)}`,
        service: m[13],
        deviceId: m.readUInt32BE(15) & 0x3fffff,
      }));
    expect(iAms.sort((a, b) => a.deviceId - b.deviceId)).toEqual([
      { from: `${NET}.110:47808`, service: 0x00, deviceId: 1501 },
      { from: `${NET}.111:47808`, service: 0x00, deviceId: 1502 },
    ]);
    const forwarded = sim
      .bbmd!.forwarded()
      .map(({ direction, originator, to, unconfirmedService }) => ({ direction, originator, to, unconfirmedService }));
    expect(forwarded).toEqual(
      expect.arrayContaining([
        { direction: 'to-network', originator: fd.endpoint, to: ['local network'], unconfirmedService: 8 },
        { direction: 'to-foreign-devices', originator: `${NET}.110:47808`, to: [fd.endpoint], unconfirmedService: 0 },
        { direction: 'to-foreign-devices', originator: `${NET}.111:47808`, to: [fd.endpoint], unconfirmedService: 0 },
      ]),
    );
    expect(forwarded).toHaveLength(3);
  });

  it('when a foreign device does not re-register before TTL + grace run out, then the BBMD drops it and refuses its broadcasts', async () => {
    const registered = fd.received.length;
    fd.send(register(10));
    expect([...(await next(fd, registered))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]);

    now += 39_000; // TTL 10 s + grace 30 s not yet over
    expect(sim.bbmd!.foreignDevices()).toEqual([{ address: fd.endpoint, ttlSeconds: 10, remainingSeconds: 1 }]);

    now += 1_000;
    expect(sim.bbmd!.foreignDevices()).toEqual([]);
    const before = fd.received.length;
    fd.send(bvlc(0x09, WHO_IS_NPDU));
    expect([...(await next(fd, before))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x60]);
  });

  it('when a registration asks for TTL 0, then the BBMD refuses it with NAK 0x0030', async () => {
    const before = stranger.received.length;
    stranger.send(register(0));
    expect([...(await next(stranger, before))]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x30]);
    expect(sim.bbmd!.foreignDevices().map((e) => e.address)).not.toContain(stranger.endpoint);
  });
});
