import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';

/** The UDP payload size the library uses for its encode buffers (BVLC + NPDU + 1476-octet APDU). */
const BUFFER_SIZE = 1482;

export interface SimTransportOptions {
  address: string;
  port: number;
  broadcastAddress: string;
  /** Where the device's broadcasts go instead of the UDP broadcast address (the simulator's BBMD). */
  localBroadcast?: ((datagram: Buffer, sender: string) => void) | undefined;
}

/**
 * A UDP transport for one simulated device, handed to the library's client as `transport`.
 *
 * Why not the library's own transport: it binds with `reuseAddr: true` by default, it reports a
 * peer on port 47808 as a bare IP (which makes the client ignore requests from 127.0.0.1), and it
 * cannot be fed the Who-Is broadcasts that a device bound to one loopback address never receives
 * on Linux. This one always names peers `ip:port`, binds exclusively, and lets the simulator
 * inject the broadcasts it caught on the shared broadcast socket.
 */
export class SimTransport extends EventEmitter {
  private readonly socket: dgram.Socket;
  /** Size of the next encode buffer; lowered briefly to advertise a smaller max APDU in I-Am. */
  advertisedPayload = BUFFER_SIZE;
  readonly ready: Promise<void>;

  constructor(private readonly options: SimTransportOptions) {
    super();
    this.socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    this.ready = new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.socket.once('error', onError);
      this.socket.once('listening', () => {
        this.socket.off('error', onError);
        this.socket.setBroadcast(true);
        resolve();
      });
    });
    // The promise is awaited by the simulator; keep a bind failure from also being "unhandled".
    this.ready.catch(() => undefined);
    this.socket.on('message', (msg, rinfo) => {
      this.emit('message', msg, `${rinfo.address}:${rinfo.port}`);
    });
    this.socket.on('listening', () => {
      this.emit('listening', this.socket.address());
    });
    this.socket.on('error', (err) => {
      this.emit('error', err);
    });
  }

  getBroadcastAddress(): string {
    return `${this.options.broadcastAddress}:${this.options.port}`;
  }

  getMaxPayload(): number {
    return this.advertisedPayload;
  }

  send(buffer: Buffer, offset: number, receiver?: string): void {
    if (receiver === undefined && this.options.localBroadcast) {
      this.options.localBroadcast(
        Buffer.from(buffer.subarray(0, offset)),
        `${this.options.address}:${this.options.port}`,
      );
      return;
    }
    const target = receiver ?? this.getBroadcastAddress();
    const [host, portText] = target.split(':');
    const port = Number(portText) || 47808;
    this.socket.send(buffer, 0, offset, port, host, (err) => {
      if (err) this.emit('error', err);
    });
  }

  /** Deliver a datagram caught elsewhere (the shared broadcast socket) as if it arrived here. */
  inject(msg: Buffer, sender: string): void {
    this.emit('message', msg, sender);
  }

  open(): void {
    this.socket.bind(this.options.port, this.options.address);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

/** BVLC + NPDU header of an original-unicast message without routing information. */
function header(apduLength: number): Buffer {
  const total = 4 + 2 + apduLength;
  return Buffer.from([0x81, 0x0a, (total >> 8) & 0xff, total & 0xff, 0x01, 0x00]);
}

/** A Reject PDU; the library can only send Error PDUs, real devices reject unknown services. */
export function encodeReject(invokeId: number, reason: number): Buffer {
  return Buffer.concat([header(3), Buffer.from([0x60, invokeId & 0xff, reason & 0xff])]);
}

/** An Abort PDU sent by the server (e.g. segmentation-not-supported when a reply does not fit). */
export function encodeAbort(invokeId: number, reason: number): Buffer {
  return Buffer.concat([header(3), Buffer.from([0x71, invokeId & 0xff, reason & 0xff])]);
}
