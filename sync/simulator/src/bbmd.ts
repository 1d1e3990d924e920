import dgram from 'node:dgram';
import type { Logger } from './meter.js';

/** BVLC functions (ASHRAE 135 Annex J.2) this BBMD knows. */
export const Bvlc = {
  RESULT: 0x00,
  FORWARDED_NPDU: 0x04,
  REGISTER_FOREIGN_DEVICE: 0x05,
  READ_FOREIGN_DEVICE_TABLE: 0x06,
  READ_FOREIGN_DEVICE_TABLE_ACK: 0x07,
  DISTRIBUTE_BROADCAST_TO_NETWORK: 0x09,
  ORIGINAL_BROADCAST_NPDU: 0x0b,
} as const;

/** BVLC-Result codes. */
export const BvlcResultCode = {
  SUCCESSFUL_COMPLETION: 0x0000,
  REGISTER_FOREIGN_DEVICE_NAK: 0x0030,
  READ_FOREIGN_DEVICE_TABLE_NAK: 0x0040,
  DISTRIBUTE_BROADCAST_TO_NETWORK_NAK: 0x0060,
} as const;

const BVLL_TYPE_BACNET_IP = 0x81;

export interface BbmdOptions {
  /** IPv4 address the BBMD binds (e.g. 127.0.15.1). */
  address: string;
  /** UDP port, default 47808. */
  port?: number;
  /** Seconds a foreign device stays in the table after its TTL runs out; the standard says 30. */
  graceSeconds?: number;
  /** Foreign devices the table holds; 0 makes the BBMD refuse every registration (NAK 0x0030). Default 64. */
  maxForeignDevices?: number;
  /** Clock in ms since the epoch; default Date.now. */
  clock?: () => number;
  logger?: Logger;
  /** The BBMD's own network: hands a datagram (here a Forwarded-NPDU) to every device on it, as a local broadcast would. */
  broadcastLocally: (datagram: Buffer, sender: string) => void;
}

export interface ForeignDeviceEntry {
  /** `ip:port` of the foreign device. */
  address: string;
  /** TTL it registered with, seconds. */
  ttlSeconds: number;
  /** Seconds until the entry is dropped (TTL + grace, counted from the last registration). */
  remainingSeconds: number;
}

/** One NPDU the BBMD passed on. */
export interface BbmdForward {
  /** 'to-network': a foreign device's Distribute-Broadcast-To-Network put on the BBMD's network; 'to-foreign-devices': a broadcast from the BBMD's network sent to the registered foreign devices. */
  direction: 'to-network' | 'to-foreign-devices';
  /** B/IP address (`ip:port`) of the device that sent the NPDU, as carried in the Forwarded-NPDU. */
  originator: string;
  /** Where the Forwarded-NPDU went: 'local network', or the foreign devices' addresses. */
  to: string[];
  /** BACnet service of an unconfirmed request in the NPDU (0 I-Am, 8 Who-Is), null for anything else. */
  unconfirmedService: number | null;
  /** BBMD clock when it was forwarded. */
  at: number;
}

export interface Bbmd {
  /** `ip:port` the BBMD listens on. */
  readonly endpoint: string;
  /** The Foreign Device Table as it stands now (expired entries dropped). */
  foreignDevices(): ForeignDeviceEntry[];
  /** Every NPDU forwarded, in order. */
  forwarded(): BbmdForward[];
  clearForwarded(): void;
  /** A broadcast heard on the BBMD's own network (a meter's I-Am): forwarded to the foreign devices. */
  fromLocalNetwork(datagram: Buffer, sender: string): void;
  stop(): Promise<void>;
}

function bvlc(func: number, body: Buffer): Buffer {
  const head = Buffer.from([BVLL_TYPE_BACNET_IP, func, 0, 0]);
  head.writeUInt16BE(4 + body.length, 2);
  return Buffer.concat([head, body]);
}

function bvlcResult(code: number): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code, 0);
  return bvlc(Bvlc.RESULT, body);
}

/** B/IP address octets: 4 of IPv4, 2 of port. */
function bip(endpoint: string): Buffer {
  const [host = '', port = '47808'] = endpoint.split(':');
  const out = Buffer.alloc(6);
  host.split('.').forEach((octet, i) => out.writeUInt8(Number(octet) & 0xff, i));
  out.writeUInt16BE(Number(port), 4);
  return out;
}

function forwardedNpdu(originator: string, npdu: Buffer): Buffer {
  return bvlc(Bvlc.FORWARDED_NPDU, Buffer.concat([bip(originator), npdu]));
}

/** The unconfirmed service of an NPDU without routing information, else null. */
function unconfirmedService(npdu: Buffer): number | null {
  if (npdu.length < 4 || npdu[0] !== 0x01) return null;
  const control = npdu[1] ?? 0;
  if (control & (0x80 | 0x20 | 0x08)) return null;
  return (npdu[2] ?? 0) >> 4 === 1 ? (npdu[3] ?? null) : null;
}

/**
 * A BACnet Broadcast Management Device for foreign devices (ASHRAE 135 Annex J.4–J.5), enough for
 * discovery from another subnet: it keeps a Foreign Device Table (TTL + grace), answers
 * Register-Foreign-Device and Read-Foreign-Device-Table, puts a registered foreign device's
 * Distribute-Broadcast-To-Network on its own network as a Forwarded-NPDU naming the originator,
 * and forwards the broadcasts of its network (the meters' I-Am) to the foreign devices. No
 * Broadcast Distribution Table: it is the only BBMD.
 */
export async function startBbmd(options: BbmdOptions): Promise<Bbmd> {
  const port = options.port ?? 47808;
  const graceMs = (options.graceSeconds ?? 30) * 1000;
  const maxForeignDevices = options.maxForeignDevices ?? 64;
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  const endpoint = `${options.address}:${port}`;
  const table = new Map<string, { ttlSeconds: number; expiresAt: number }>();
  const forwards: BbmdForward[] = [];

  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(new Error(`the BBMD cannot bind ${endpoint}: ${err.code ?? err.message}`, { cause: err }));
    });
    socket.bind(port, options.address, () => {
      socket.removeAllListeners('error');
      socket.on('error', (err) => logger?.error('BBMD socket error', { error: err.message }));
      resolve();
    });
  });

  const send = (datagram: Buffer, to: string): void => {
    const [host = '', p = '47808'] = to.split(':');
    socket.send(datagram, Number(p), host, (err) => {
      if (err) logger?.warn('BBMD send failed', { to, error: err.message });
    });
  };

  /** Drop the entries whose TTL and grace ran out. */
  const purge = (): void => {
    const now = clock();
    for (const [address, e] of table) {
      if (e.expiresAt <= now) {
        table.delete(address);
        logger?.info('BBMD dropped an expired foreign device', { address });
      }
    }
  };

  /** To every registered foreign device but the originator. */
  const toForeignDevices = (originator: string, npdu: Buffer): void => {
    purge();
    const targets = [...table.keys()].filter((a) => a !== originator);
    if (targets.length === 0) return;
    const datagram = forwardedNpdu(originator, npdu);
    for (const t of targets) send(datagram, t);
    forwards.push({
      direction: 'to-foreign-devices',
      originator,
      to: targets,
      unconfirmedService: unconfirmedService(npdu),
      at: clock(),
    });
  };

  const onMessage = (msg: Buffer, sender: string): void => {
    if (msg.length < 4 || msg[0] !== BVLL_TYPE_BACNET_IP || msg.readUInt16BE(2) !== msg.length) return;
    const func = msg[1];
    const body = msg.subarray(4);
    switch (func) {
      case Bvlc.REGISTER_FOREIGN_DEVICE: {
        purge();
        const ttlSeconds = body.length === 2 ? body.readUInt16BE(0) : 0;
        if (ttlSeconds === 0 || (!table.has(sender) && table.size >= maxForeignDevices)) {
          logger?.info('BBMD refused a foreign-device registration', { sender, ttlSeconds });
          send(bvlcResult(BvlcResultCode.REGISTER_FOREIGN_DEVICE_NAK), sender);
          return;
        }
        table.set(sender, { ttlSeconds, expiresAt: clock() + ttlSeconds * 1000 + graceMs });
        logger?.info('BBMD registered a foreign device', { sender, ttlSeconds });
        send(bvlcResult(BvlcResultCode.SUCCESSFUL_COMPLETION), sender);
        return;
      }
      case Bvlc.READ_FOREIGN_DEVICE_TABLE: {
        const entries = listForeignDevices();
        const out = Buffer.concat(
          entries.map((e) => {
            const times = Buffer.alloc(4);
            times.writeUInt16BE(e.ttlSeconds, 0);
            times.writeUInt16BE(Math.min(e.remainingSeconds, 0xffff), 2);
            return Buffer.concat([bip(e.address), times]);
          }),
        );
        send(bvlc(Bvlc.READ_FOREIGN_DEVICE_TABLE_ACK, out), sender);
        return;
      }
      case Bvlc.DISTRIBUTE_BROADCAST_TO_NETWORK: {
        purge();
        if (!table.has(sender)) {
          logger?.info('BBMD refused a broadcast from an unregistered device', { sender });
          send(bvlcResult(BvlcResultCode.DISTRIBUTE_BROADCAST_TO_NETWORK_NAK), sender);
          return;
        }
        options.broadcastLocally(forwardedNpdu(sender, body), endpoint);
        forwards.push({
          direction: 'to-network',
          originator: sender,
          to: ['local network'],
          unconfirmedService: unconfirmedService(body),
          at: clock(),
        });
        toForeignDevices(sender, body);
        return;
      }
      default:
        logger?.debug('BBMD ignored a BVLC message', { sender, func });
    }
  };
  socket.on('message', (msg, rinfo) => onMessage(msg, `${rinfo.address}:${rinfo.port}`));

  function listForeignDevices(): ForeignDeviceEntry[] {
    purge();
    const now = clock();
    return [...table.entries()].map(([address, e]) => ({
      address,
      ttlSeconds: e.ttlSeconds,
      remainingSeconds: Math.ceil((e.expiresAt - now) / 1000),
    }));
  }

  logger?.info('BBMD listening', { endpoint, graceSeconds: graceMs / 1000 });
  return {
    endpoint,
    foreignDevices: listForeignDevices,
    forwarded: () => forwards.slice(),
    clearForwarded: () => {
      forwards.length = 0;
    },
    fromLocalNetwork(datagram, sender) {
      if (datagram.length < 4 || datagram[0] !== BVLL_TYPE_BACNET_IP || datagram[1] !== Bvlc.ORIGINAL_BROADCAST_NPDU)
        return;
      toForeignDevices(sender, datagram.subarray(4));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      }),
  };
}
