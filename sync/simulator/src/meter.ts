import bacnet, { ConfirmedServiceChoice, Segmentation } from '@bacnet-js/client';
import type { BACNetAddress } from '@bacnet-js/client';
import { applyBehaviour, DEFAULT_BEHAVIOUR, injectedFault } from './behaviour.js';
import type { MeterBehaviour, MeterBehaviourInput } from './behaviour.js';
import { MeterObjects } from './object-model.js';
import type { ServedValue } from './object-model.js';
import { createRandom, mixSeed } from './random.js';
import { standardMeterPoints } from './points.js';
import type { SimObjectType, SimPointSpec } from './points.js';
import { answerReadProperty, answerReadPropertyMultiple } from './services.js';
import type { Client, ServiceContext } from './services.js';
import { encodeReject, SimTransport } from './transport.js';

type ClientClass = typeof bacnet.default;
// Node hands a CommonJS module's exports to a default import; bundlers such as Vite (vitest) hand
// over its `default` export instead. Accept both.
const BACnetClient: ClientClass = typeof bacnet === 'function' ? (bacnet as unknown as ClientClass) : bacnet.default;

export interface Logger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  debug(msg: string, meta?: Record<string, unknown>): void;
}

export interface SimMeterSpec {
  deviceId: number;
  name: string;
  /** IPv4 address to bind (a loopback address such as 127.0.0.2 in tests). Not 127.0.0.1:47808: the library ignores that peer. */
  address: string;
  /** UDP port, default 47808. */
  port?: number;
  /** Default: the standard meter (total_kwh, current_kw, voltage, current). */
  points?: SimPointSpec[];
  behaviour?: MeterBehaviourInput;
  /** Max APDU length accepted, advertised in I-Am and enforced on replies (abort segmentation-not-supported). Default 1476. */
  maxApdu?: number;
  vendorName?: string;
  vendorId?: number;
  modelName?: string;
  /** Meter id written to meters.json; default `meter-<deviceId>`. */
  externalId?: string;
}

/** A Who-Is that reached a meter (broadcast, unicast or through the BBMD), answered or not. */
export interface WhoIsSeen {
  deviceId: number;
  /** ip:port of the sender. */
  from: string;
  at: number;
}

export interface MeterContext {
  broadcastAddress: string;
  clock: () => number;
  seed: number;
  record: (served: ServedValue) => void;
  recordWhoIs?: (seen: WhoIsSeen) => void;
  logger: Logger;
  /** The meters' own network broadcast when a BBMD serves it: the BBMD hears it (and forwards it to its foreign devices). */
  localBroadcast?: (datagram: Buffer, sender: string) => void;
  /** Answer every Who-Is, a local one too, with an I-Am broadcast (to `broadcastAddress`) instead of unicast. */
  iAmBroadcast?: boolean;
}

/** One simulated BACnet/IP energy meter: a library client used as a server on its own address. */
export class SimMeter {
  readonly spec: Required<
    Pick<
      SimMeterSpec,
      'deviceId' | 'name' | 'address' | 'port' | 'maxApdu' | 'vendorName' | 'vendorId' | 'modelName' | 'externalId'
    >
  >;
  readonly points: SimPointSpec[];
  behaviour: MeterBehaviour;
  private readonly objects: MeterObjects;
  private readonly random: () => number;
  private client: Client | null = null;
  private transport: SimTransport | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    spec: SimMeterSpec,
    private readonly ctx: MeterContext,
  ) {
    this.spec = {
      deviceId: spec.deviceId,
      name: spec.name,
      address: spec.address,
      port: spec.port ?? 47808,
      maxApdu: spec.maxApdu ?? 1476,
      vendorName: spec.vendorName ?? 'MeterIT',
      vendorId: spec.vendorId ?? 999,
      modelName: spec.modelName ?? 'MeterIT simulated energy meter',
      externalId: spec.externalId ?? `meter-${spec.deviceId}`,
    };
    this.points = spec.points ?? standardMeterPoints();
    this.random = createRandom(mixSeed(ctx.seed, spec.deviceId));
    this.objects = new MeterObjects(this.spec, this.points, this.random, ctx.clock);
    this.behaviour = applyBehaviour(DEFAULT_BEHAVIOUR, spec.behaviour ?? {});
  }

  get running(): boolean {
    return this.client !== null;
  }

  get endpoint(): string {
    return `${this.spec.address}:${this.spec.port}`;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const transport = new SimTransport({
      address: this.spec.address,
      port: this.spec.port,
      broadcastAddress: this.ctx.broadcastAddress,
      localBroadcast: this.ctx.localBroadcast,
    });
    const client = new BACnetClient({ transport, apduTimeout: 3000 });
    client.on('error', (err: Error) =>
      this.ctx.logger.error('simulated meter socket error', { deviceId: this.spec.deviceId, error: err.message }),
    );
    try {
      await transport.ready;
    } catch (err) {
      client.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`meter ${this.spec.deviceId} cannot bind ${this.endpoint}: ${code ?? (err as Error).message}`, {
        cause: err,
      });
    }
    client.on('whoIs', (content) => this.onWhoIs(content.header?.sender, content.payload));
    client.on('readProperty', (content) => {
      const { objectId, property } = content.payload;
      this.onConfirmed(content.header?.sender, content.invokeId, ConfirmedServiceChoice.READ_PROPERTY, (c, to, id) =>
        answerReadProperty(c, to, id, objectId, property.id, property.index),
      );
    });
    client.on('readPropertyMultiple', (content) =>
      this.onConfirmed(
        content.header?.sender,
        content.invokeId,
        ConfirmedServiceChoice.READ_PROPERTY_MULTIPLE,
        (c, to, id) => answerReadPropertyMultiple(c, to, id, content.payload.properties),
      ),
    );
    this.client = client;
    this.transport = transport;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const client = this.client;
    this.client = null;
    this.transport = null;
    if (client) client.close();
  }

  /** Give one point other units from now on, as a meter reconfigured (or restarted with another setup) does. */
  setUnits(objectType: SimObjectType, instance: number, units: number): void {
    this.objects.setUnits(objectType, instance, units);
  }

  /** A datagram caught on the shared broadcast socket. */
  inject(msg: Buffer, sender: string): void {
    this.transport?.inject(msg, sender);
  }

  private later(fn: () => void): void {
    const delay = this.behaviour.delayMs;
    if (delay <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delay);
    this.timers.add(timer);
  }

  private onWhoIs(sender: BACNetAddress | undefined, payload: { lowLimit?: number; highLimit?: number }): void {
    if (sender)
      this.ctx.recordWhoIs?.({ deviceId: this.spec.deviceId, from: sender.address ?? '?', at: this.ctx.clock() });
    if (this.behaviour.dead || !sender) return;
    const id = this.spec.deviceId;
    if (
      payload.lowLimit !== undefined &&
      payload.highLimit !== undefined &&
      (id < payload.lowLimit || id > payload.highLimit)
    )
      return;
    this.later(() => {
      const { client, transport } = this;
      if (!client || !transport || this.behaviour.dead) return;
      // The library writes its buffer size as max-APDU into I-Am; advertise the meter's own.
      transport.advertisedPayload = this.spec.maxApdu;
      try {
        // A Who-Is from another subnet arrives through a BBMD (Forwarded-NPDU). The meter answers it
        // as most devices answer Who-Is: with an I-Am broadcast on its own network, which the BBMD
        // forwards to its foreign devices. A local Who-Is is answered by unicast, as before.
        // Many devices broadcast every I-Am (`iAmBroadcast`), which an agent bound to one address must catch on the broadcast address.
        const replyTo: BACNetAddress = sender.forwardedFrom || this.ctx.iAmBroadcast ? {} : { address: sender.address };
        client.iAmResponse(replyTo, id, Segmentation.NO_SEGMENTATION, this.spec.vendorId);
      } finally {
        transport.advertisedPayload = 1482;
      }
    });
  }

  private onConfirmed(
    sender: BACNetAddress | undefined,
    invokeId: number | undefined,
    service: number,
    answer: (ctx: ServiceContext, sender: BACNetAddress, invokeId: number) => void,
  ): void {
    if (this.behaviour.dead || !sender || invokeId === undefined) return;
    this.later(() => {
      const client = this.client;
      const b = this.behaviour;
      if (!client || b.dead) return;
      const replyTo: BACNetAddress = { address: sender.address };
      const fault = injectedFault(b, service, this.random);
      if (fault?.kind === 'reject') {
        this.sendRaw(encodeReject(invokeId, fault.reason), replyTo);
        return;
      }
      if (fault) {
        client.errorResponse(replyTo, service, invokeId, fault.errorClass, fault.errorCode);
        return;
      }
      const serviceContext: ServiceContext = {
        client,
        objects: this.objects,
        behaviour: b,
        maxApdu: this.spec.maxApdu,
        sendRaw: (buffer, receiver) => this.sendRaw(buffer, receiver),
        record: this.ctx.record,
      };
      answer(serviceContext, replyTo, invokeId);
    });
  }

  private sendRaw(buffer: Buffer, receiver: BACNetAddress): void {
    this.transport?.send(buffer, buffer.length, receiver.address);
  }
}
