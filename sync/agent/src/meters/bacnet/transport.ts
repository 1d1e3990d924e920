import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { BacnetError, BacnetErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { isReplyPdu, parseApdu, PduType } from './wire.js';

/** The library's encode buffer size (BVLC + NPDU + 1476-octet APDU). */
const MAX_PAYLOAD = 1482;

/** A request the adapter sent and waits for; the transport lets through only replies that fit it. */
export interface PendingRequest {
  /** `ip:port` the request went to; only this peer may answer. */
  readonly peer: string;
  /** PDU type of the accepted reply, to tell Reject from Abort (the library reports both as "BacnetAbort"). */
  replyPduType: number | null;
  /** The device answered with a segmented reply, which the adapter never asks for. */
  segmented: boolean;
  /** Fail the request now (send error, segmented reply). */
  readonly fail: (err: BacnetError) => void;
}

export interface GuardedTransportOptions {
  interface: string;
  port: number;
  broadcastAddress: string;
  /** Port Who-Is broadcasts go to; default `port`. */
  broadcastPort?: number;
  /**
   * Also receive datagrams sent to `broadcastAddress` (default true). On Linux a socket bound to one
   * unicast address never sees a broadcast, so devices that answer Who-Is with a broadcast I-Am
   * would go unseen; a second socket bound to the broadcast address (same port) catches them.
   * Not needed (and not opened) when bound to 0.0.0.0.
   */
  listenBroadcast?: boolean;
  logger: Logger;
}

/** What became of the broadcast receiver: listening, not needed, or why it could not bind. */
export type BroadcastListener =
  | { state: 'listening'; address: string }
  | { state: 'not-needed' | 'off' }
  | { state: 'unavailable'; address: string; error: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The UDP transport handed to the library's client (its `transport` option), so that the guards
 * the library lacks sit below it:
 * - binds with `reuseAddr: false`, and reports a bind failure through `ready`;
 * - names every peer `ip:port` (the library's own transport strips `:47808`, and its client then
 *   drops every request or I-Am from a peer at exactly 127.0.0.1:47808);
 * - lets a reply (ack/error/reject/abort) through only if its invoke id belongs to a request the
 *   adapter sent to that very peer and not yet answered: the library matches by invoke id alone,
 *   so a late or stray reply from another device would otherwise settle the wrong request;
 * - clears "segmented response accepted" and max-segments in every confirmed request, because the
 *   library cannot be told not to accept segmentation (`maxSegments: 0` is taken as "not given")
 *   and reassembles all devices' segments in one shared buffer. A device whose reply does not fit
 *   then aborts with segmentation-not-supported and the adapter asks for less;
 * - drops its own broadcasts coming back;
 * - bound to one address, also listens on the broadcast address (a second socket, same port, also
 *   `reuseAddr: false`: the two addresses differ, so they need no sharing), and hands what arrives
 *   there to the same client, so broadcast I-Am answers are seen. Sending stays on the first socket.
 */
export class GuardedTransport extends EventEmitter {
  readonly ready: Promise<{ address: string; port: number; broadcast: BroadcastListener }>;
  private readonly socket: dgram.Socket;
  private broadcastSocket: dgram.Socket | null = null;
  private readonly pending = new Map<number, PendingRequest>();
  private ownAddress = '';
  private closed = false;
  readonly dropped = { foreign: 0, duplicate: 0, segmented: 0 };

  constructor(private readonly options: GuardedTransportOptions) {
    super();
    this.socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    this.ready = new Promise<{ address: string; port: number }>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.socket.once('error', onError);
      this.socket.once('listening', () => {
        this.socket.off('error', onError);
        this.socket.setBroadcast(true);
        const a = this.socket.address();
        this.ownAddress = `${a.address}:${a.port}`;
        resolve({ address: a.address, port: a.port });
      });
    }).then(async (bound) => ({ ...bound, broadcast: await this.listenForBroadcasts(bound.port) }));
    this.ready.catch(() => undefined);
    this.socket.on('message', (msg, rinfo) => this.receive(msg, `${rinfo.address}:${rinfo.port}`));
    this.socket.on('listening', () => this.emit('listening', this.socket.address()));
    this.socket.on('error', (err) => {
      // Bind errors are reported through `ready`; the client re-emits the rest.
      if (this.ownAddress) this.emit('error', err);
    });
  }

  /** Register a request before it is sent. */
  expect(invokeId: number, peer: string, fail: (err: BacnetError) => void): PendingRequest {
    const entry: PendingRequest = { peer, replyPduType: null, segmented: false, fail };
    this.pending.set(invokeId, entry);
    return entry;
  }

  forget(invokeId: number, entry: PendingRequest): void {
    if (this.pending.get(invokeId) === entry) this.pending.delete(invokeId);
  }

  getBroadcastAddress(): string {
    return `${this.options.broadcastAddress}:${this.options.broadcastPort ?? this.options.port}`;
  }

  getMaxPayload(): number {
    return MAX_PAYLOAD;
  }

  open(): void {
    this.socket.bind(this.options.port, this.options.interface);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // never bound
    }
    try {
      this.broadcastSocket?.close();
    } catch {
      // never bound
    }
    this.broadcastSocket = null;
  }

  /**
   * The second socket on the broadcast address. Its failure is not fatal: unicast I-Am and every
   * read still work; the adapter logs what is missed. EADDRINUSE here means another program on this
   * machine (often a second agent or a BACnet tool bound to the same subnet) holds it.
   */
  private listenForBroadcasts(port: number): Promise<BroadcastListener> {
    const { interface: iface, broadcastAddress: address } = this.options;
    if (this.options.listenBroadcast === false) return Promise.resolve({ state: 'off' });
    if (iface === '0.0.0.0' || address === iface || !IPV4.test(address))
      return Promise.resolve({ state: 'not-needed' });
    if (this.closed) return Promise.resolve({ state: 'off' });
    return new Promise((resolve) => {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.close();
        resolve({ state: 'unavailable', address: `${address}:${port}`, error: err.code ?? err.message });
      });
      socket.on('message', (msg, rinfo) => this.receive(msg, `${rinfo.address}:${rinfo.port}`));
      socket.bind(port, address, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) =>
          this.options.logger.warn('BACnet broadcast socket error', { address, error: err.message }),
        );
        if (this.closed) {
          socket.close();
          resolve({ state: 'off' });
          return;
        }
        this.broadcastSocket = socket;
        resolve({ state: 'listening', address: `${address}:${port}` });
      });
    });
  }

  send(buffer: Buffer, length: number, receiver?: string): void {
    const target = receiver ?? this.getBroadcastAddress();
    const parsed = parseApdu(buffer, length);
    let invokeId: number | null = null;
    if (parsed && parsed.pduType === PduType.CONFIRMED_REQUEST) {
      const first = buffer[parsed.offset] ?? 0;
      if ((first & 0x08) === 0) {
        buffer[parsed.offset] = first & ~0x02; // segmented-response-accepted off
        buffer[parsed.offset + 1] = (buffer[parsed.offset + 1] ?? 0) & 0x0f; // max-segments: unspecified
        invokeId = buffer[parsed.offset + 2] ?? null;
      }
    }
    const [host, portText] = target.split(':');
    const port = Number(portText) || 47808;
    if (this.closed) return;
    this.socket.send(buffer, 0, length, port, host, (err) => {
      if (!err) return;
      const entry = invokeId === null ? undefined : this.pending.get(invokeId);
      if (entry && entry.peer === target) {
        entry.fail(
          new BacnetError(
            BacnetErrorCode.METER_UNREACHABLE,
            `cannot send to ${target}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
            { cause: err },
          ),
        );
      } else {
        this.options.logger.warn('BACnet send failed', { target, error: err.message });
      }
    });
  }

  private receive(msg: Buffer, sender: string): void {
    if (sender === this.ownAddress) return;
    const parsed = parseApdu(msg);
    if (parsed && isReplyPdu(parsed.pduType)) {
      const peer = parsed.originalSender ?? sender;
      const invokeId = msg[parsed.offset + 1];
      const entry = invokeId === undefined ? undefined : this.pending.get(invokeId);
      if (!entry || entry.peer !== peer) {
        this.dropped.foreign += 1;
        this.options.logger.debug('dropped a BACnet reply that answers no request of ours to that peer', {
          peer,
          invokeId,
          pduType: parsed.pduType,
        });
        return;
      }
      if (entry.replyPduType !== null) {
        this.dropped.duplicate += 1;
        return;
      }
      if (parsed.pduType === PduType.COMPLEX_ACK && ((msg[parsed.offset] ?? 0) & 0x08) !== 0) {
        this.dropped.segmented += 1;
        entry.segmented = true;
        entry.fail(
          new BacnetError(
            BacnetErrorCode.METER_ERROR,
            `${peer} sent a segmented reply although segmentation was not offered`,
          ),
        );
        return;
      }
      if (parsed.pduType === PduType.SEGMENT_ACK) return;
      entry.replyPduType = parsed.pduType;
    }
    this.emit('message', msg, sender);
  }
}
