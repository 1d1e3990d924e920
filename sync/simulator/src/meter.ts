import bacnet, {
  AbortReason,
  ApplicationTag,
  ASN1_ARRAY_ALL,
  ConfirmedServiceChoice,
  DeviceStatus,
  ErrorClass,
  ErrorCode,
  EventState,
  ObjectType,
  ObjectTypesSupported,
  ObjectTypesSupportedBitString,
  PropertyIdentifier,
  RejectReason,
  Reliability,
  Segmentation,
  ServicesSupported,
  ServicesSupportedBitString,
  StatusFlags,
  StatusFlagsBitString,
} from '@bacnet-js/client';
import type { BACNetAddress, BACNetAppData, BACNetObjectID, BACNetReadAccess } from '@bacnet-js/client';
import { createRandom, mixSeed } from './random.js';
import { MeterPhysics, modelValue, standardMeterPoints } from './points.js';
import type { SimObjectType, SimPointSpec } from './points.js';
import { encodeAbort, encodeReject, SimTransport } from './transport.js';

type ClientClass = typeof bacnet.default;
// Node hands a CommonJS module's exports to a default import; bundlers such as Vite (vitest) hand
// over its `default` export instead. Accept both.
const BACnetClient: ClientClass = typeof bacnet === 'function' ? (bacnet as unknown as ClientClass) : bacnet.default;
type Client = InstanceType<ClientClass>;

export interface Logger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
  debug(msg: string, meta?: Record<string, unknown>): void;
}

/** How a meter misbehaves; every field can be changed while the simulator runs. */
export interface MeterBehaviour {
  /** Answer nothing at all, Who-Is included (the socket stays bound). */
  dead: boolean;
  /** Answer every request this many ms late. */
  delayMs: number;
  /** Probability (0..1) that a confirmed request is answered with `error` (or device/operational-problem). */
  errorRate: number;
  /** When set, every confirmed request is answered with this BACnet Error PDU. */
  error: { errorClass: number; errorCode: number } | null;
  /** Refuse ReadPropertyMultiple: 'reject' (Reject PDU, unrecognized-service) or 'error' (Error PDU services/reject-unrecognized-service, as the library itself does). */
  refuseRpm: false | 'reject' | 'error';
  /** Set the fault status flag and report `reliability` on every analog point. */
  fault: boolean;
  /** Reliability reported while `fault` is set (BACnet Reliability enumeration). */
  faultReliability: number;
  /** Other status flags to report. */
  inAlarm: boolean;
  overridden: boolean;
  outOfService: boolean;
  /** Reply naming the next object instance (instance + 1) instead of the one asked for. */
  wrongObjectId: boolean;
}

/** What `setBehaviour` and `SimMeterSpec.behaviour` accept (`refuseRpm: true` means 'reject'). */
export type MeterBehaviourInput = Partial<Omit<MeterBehaviour, 'refuseRpm'>> & {
  refuseRpm?: boolean | 'reject' | 'error';
};

export const DEFAULT_BEHAVIOUR: MeterBehaviour = {
  dead: false,
  delayMs: 0,
  errorRate: 0,
  error: null,
  refuseRpm: false,
  fault: false,
  faultReliability: Reliability.UNRELIABLE_OTHER,
  inAlarm: false,
  overridden: false,
  outOfService: false,
  wrongObjectId: false,
};

export function applyBehaviour(current: MeterBehaviour, input: MeterBehaviourInput): MeterBehaviour {
  const { refuseRpm, ...rest } = input;
  const next: MeterBehaviour = { ...current, ...rest };
  if (refuseRpm !== undefined) next.refuseRpm = refuseRpm === true ? 'reject' : refuseRpm;
  return next;
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

export interface ServedValue {
  deviceId: number;
  objectType: SimObjectType;
  instance: number;
  /** Exactly the float32 value put on the wire. */
  value: number;
  /** Simulator clock when the reply was sent. */
  servedAt: number;
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

type PropRead = { ok: true; values: BACNetAppData[] } | { ok: false; errorClass: number; errorCode: number };

/** A present value put into a reply that is about to be sent. */
interface Served {
  state: PointState;
  record: ServedValue;
}

interface PointState {
  spec: SimPointSpec;
  objectType: ObjectType;
  readCount: number;
}

const OBJECT_TYPE_IDS: Record<SimObjectType, ObjectType> = {
  analogInput: ObjectType.ANALOG_INPUT,
  analogValue: ObjectType.ANALOG_VALUE,
};

const OBJECT_TYPE_NAMES = new Map<number, SimObjectType>([
  [ObjectType.ANALOG_INPUT, 'analogInput'],
  [ObjectType.ANALOG_VALUE, 'analogValue'],
]);

const P = PropertyIdentifier;

const DEVICE_PROPERTIES = [
  P.OBJECT_IDENTIFIER,
  P.OBJECT_NAME,
  P.OBJECT_TYPE,
  P.SYSTEM_STATUS,
  P.VENDOR_NAME,
  P.VENDOR_IDENTIFIER,
  P.MODEL_NAME,
  P.FIRMWARE_REVISION,
  P.APPLICATION_SOFTWARE_VERSION,
  P.DESCRIPTION,
  P.PROTOCOL_VERSION,
  P.PROTOCOL_REVISION,
  P.PROTOCOL_SERVICES_SUPPORTED,
  P.PROTOCOL_OBJECT_TYPES_SUPPORTED,
  P.OBJECT_LIST,
  P.MAX_APDU_LENGTH_ACCEPTED,
  P.SEGMENTATION_SUPPORTED,
  P.APDU_TIMEOUT,
  P.NUMBER_OF_APDU_RETRIES,
  P.DATABASE_REVISION,
];

const POINT_PROPERTIES = [
  P.OBJECT_IDENTIFIER,
  P.OBJECT_NAME,
  P.OBJECT_TYPE,
  P.PRESENT_VALUE,
  P.DESCRIPTION,
  P.STATUS_FLAGS,
  P.EVENT_STATE,
  P.RELIABILITY,
  P.OUT_OF_SERVICE,
  P.UNITS,
];

const REQUIRED_POINT_PROPERTIES = [
  P.OBJECT_IDENTIFIER,
  P.OBJECT_NAME,
  P.OBJECT_TYPE,
  P.PRESENT_VALUE,
  P.STATUS_FLAGS,
  P.EVENT_STATE,
  P.OUT_OF_SERVICE,
  P.UNITS,
];

const APDU_ACK_HEADER = 3;

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
  private readonly pointStates = new Map<string, PointState>();
  private readonly random: () => number;
  private readonly physics: MeterPhysics;
  private client: Client | null = null;
  private transport: SimTransport | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The Device object's databaseRevision: goes up whenever a point's configuration (its units) changes. */
  private databaseRevision = 1;

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
    for (const point of this.points) {
      const objectType = OBJECT_TYPE_IDS[point.objectType ?? 'analogInput'];
      const key = `${objectType}:${point.instance}`;
      if (this.pointStates.has(key)) throw new Error(`meter ${spec.deviceId}: point ${key} defined twice`);
      this.pointStates.set(key, { spec: point, objectType, readCount: 0 });
    }
    this.behaviour = applyBehaviour(DEFAULT_BEHAVIOUR, spec.behaviour ?? {});
    this.random = createRandom(mixSeed(ctx.seed, spec.deviceId));
    this.physics = new MeterPhysics(this.random);
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
    client.on('readProperty', (content) =>
      this.onConfirmed(
        content.header?.sender,
        content.invokeId,
        ConfirmedServiceChoice.READ_PROPERTY,
        (sender, invokeId) =>
          this.answerReadProperty(
            sender,
            invokeId,
            content.payload.objectId,
            content.payload.property.id,
            content.payload.property.index,
          ),
      ),
    );
    client.on('readPropertyMultiple', (content) =>
      this.onConfirmed(
        content.header?.sender,
        content.invokeId,
        ConfirmedServiceChoice.READ_PROPERTY_MULTIPLE,
        (sender, invokeId) => this.answerReadPropertyMultiple(sender, invokeId, content.payload.properties),
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
    const key = `${OBJECT_TYPE_IDS[objectType]}:${instance}`;
    const state = this.pointStates.get(key);
    if (!state) throw new Error(`meter ${this.spec.deviceId}: no point ${objectType}:${instance}`);
    state.spec = { ...state.spec, units };
    const i = this.points.findIndex((p) => (p.objectType ?? 'analogInput') === objectType && p.instance === instance);
    if (i >= 0) this.points[i] = state.spec;
    this.databaseRevision += 1;
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
    answer: (sender: BACNetAddress, invokeId: number) => void,
  ): void {
    if (this.behaviour.dead || !sender || invokeId === undefined) return;
    this.later(() => {
      const client = this.client;
      const b = this.behaviour;
      if (!client || b.dead) return;
      const replyTo: BACNetAddress = { address: sender.address };
      if (service === ConfirmedServiceChoice.READ_PROPERTY_MULTIPLE && b.refuseRpm) {
        if (b.refuseRpm === 'reject') this.sendRaw(encodeReject(invokeId, RejectReason.UNRECOGNIZED_SERVICE), replyTo);
        else
          client.errorResponse(replyTo, service, invokeId, ErrorClass.SERVICES, ErrorCode.REJECT_UNRECOGNIZED_SERVICE);
        return;
      }
      if (b.error || (b.errorRate > 0 && this.random() < b.errorRate)) {
        const e = b.error ?? { errorClass: ErrorClass.DEVICE, errorCode: ErrorCode.OPERATIONAL_PROBLEM };
        client.errorResponse(replyTo, service, invokeId, e.errorClass, e.errorCode);
        return;
      }
      answer(replyTo, invokeId);
    });
  }

  private sendRaw(buffer: Buffer, receiver: BACNetAddress): void {
    this.transport?.send(buffer, buffer.length, receiver.address);
  }

  private replyObjectId(objectId: BACNetObjectID): BACNetObjectID {
    return this.behaviour.wrongObjectId ? { type: objectId.type, instance: objectId.instance + 1 } : objectId;
  }

  private answerReadProperty(
    sender: BACNetAddress,
    invokeId: number,
    objectId: BACNetObjectID,
    propertyId: number,
    index: number,
  ): void {
    const client = this.client;
    if (!client) return;
    const served: Served[] = [];
    const replyId = this.replyObjectId(objectId);
    const result = this.readValue(objectId, propertyId, index, replyId, served);
    if (!result.ok) {
      client.errorResponse(sender, ConfirmedServiceChoice.READ_PROPERTY, invokeId, result.errorClass, result.errorCode);
      return;
    }
    // object id (5) + property id (2) + optional index (5) + opening/closing tags (2) + values
    const size =
      APDU_ACK_HEADER +
      5 +
      2 +
      (index === ASN1_ARRAY_ALL ? 0 : 5) +
      2 +
      result.values.reduce((n, v) => n + encodedSize(v), 0);
    if (size > this.spec.maxApdu) {
      this.sendRaw(encodeAbort(invokeId, AbortReason.SEGMENTATION_NOT_SUPPORTED), sender);
      return;
    }
    client.readPropertyResponse(sender, invokeId, replyId, { id: propertyId, index }, result.values);
    this.commit(served);
  }

  private answerReadPropertyMultiple(
    sender: BACNetAddress,
    invokeId: number,
    specs: Array<{ objectId: BACNetObjectID; properties: Array<{ id: number; index: number }> }>,
  ): void {
    const client = this.client;
    if (!client) return;
    const served: Served[] = [];
    let size = APDU_ACK_HEADER;
    const results: BACNetReadAccess[] = specs.map((spec) => {
      const replyId = this.replyObjectId(spec.objectId);
      size += 5 + 2;
      const values = this.expandProperties(spec.objectId, spec.properties).map((property) => {
        const r = this.readValue(spec.objectId, property.id, property.index, replyId, served);
        size += 2 + (property.index === ASN1_ARRAY_ALL ? 0 : 5) + 2;
        if (r.ok) {
          size += r.values.reduce((n, v) => n + encodedSize(v), 0);
          return { property, value: r.values };
        }
        size += 4;
        return {
          property,
          value: [{ value: { type: 'BacnetError', errorClass: r.errorClass, errorCode: r.errorCode } }],
        };
      });
      return { objectId: replyId, values };
    });
    if (size > this.spec.maxApdu) {
      // A real device that cannot segment aborts; the client must ask for less.
      this.sendRaw(encodeAbort(invokeId, AbortReason.SEGMENTATION_NOT_SUPPORTED), sender);
      return;
    }
    client.readPropertyMultipleResponse(sender, invokeId, results);
    this.commit(served);
  }

  /** The reply went out: count the reads and record the values. An aborted reply served nothing. */
  private commit(served: Served[]): void {
    for (const s of served) {
      s.state.readCount += 1;
      this.ctx.record(s.record);
    }
  }

  private expandProperties(
    objectId: BACNetObjectID,
    properties: Array<{ id: number; index: number }>,
  ): Array<{ id: number; index: number }> {
    const out: Array<{ id: number; index: number }> = [];
    const isDevice = objectId.type === ObjectType.DEVICE;
    for (const p of properties) {
      if (p.id === P.ALL || p.id === P.REQUIRED || p.id === P.OPTIONAL) {
        let list = isDevice ? DEVICE_PROPERTIES : POINT_PROPERTIES;
        if (!isDevice && p.id === P.REQUIRED) list = REQUIRED_POINT_PROPERTIES;
        if (!isDevice && p.id === P.OPTIONAL)
          list = POINT_PROPERTIES.filter((x) => !REQUIRED_POINT_PROPERTIES.includes(x));
        for (const id of list) out.push({ id, index: ASN1_ARRAY_ALL });
      } else {
        out.push(p);
      }
    }
    return out;
  }

  private readValue(
    objectId: BACNetObjectID,
    propertyId: number,
    index: number,
    replyId: BACNetObjectID,
    served: Served[],
  ): PropRead {
    if (objectId.type === ObjectType.DEVICE) {
      if (objectId.instance !== this.spec.deviceId && objectId.instance !== 4194303) return unknownObject();
      return this.deviceProperty(propertyId, index);
    }
    const state = this.pointStates.get(`${objectId.type}:${objectId.instance}`);
    if (!state) return unknownObject();
    return this.pointProperty(state, propertyId, index, replyId, served);
  }

  private deviceProperty(propertyId: number, index: number): PropRead {
    const b = this.behaviour;
    const objectList: BACNetAppData[] = [
      { type: ApplicationTag.OBJECTIDENTIFIER, value: { type: ObjectType.DEVICE, instance: this.spec.deviceId } },
      ...[...this.pointStates.values()].map((s): BACNetAppData => ({
        type: ApplicationTag.OBJECTIDENTIFIER,
        value: { type: s.objectType, instance: s.spec.instance },
      })),
    ];
    if (propertyId === P.OBJECT_LIST) return arrayValue(objectList, index);
    if (index !== ASN1_ARRAY_ALL)
      return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY };
    const services = [ServicesSupported.READ_PROPERTY, ServicesSupported.WHO_IS, ServicesSupported.I_AM];
    if (!b.refuseRpm) services.push(ServicesSupported.READ_PROPERTY_MULTIPLE);
    const v = (values: BACNetAppData[]): PropRead => ({ ok: true, values });
    switch (propertyId) {
      case P.OBJECT_IDENTIFIER:
        return v([
          { type: ApplicationTag.OBJECTIDENTIFIER, value: { type: ObjectType.DEVICE, instance: this.spec.deviceId } },
        ]);
      case P.OBJECT_NAME:
        return v([charString(this.spec.name)]);
      case P.OBJECT_TYPE:
        return v([{ type: ApplicationTag.ENUMERATED, value: ObjectType.DEVICE }]);
      case P.SYSTEM_STATUS:
        return v([{ type: ApplicationTag.ENUMERATED, value: DeviceStatus.OPERATIONAL }]);
      case P.VENDOR_NAME:
        return v([charString(this.spec.vendorName)]);
      case P.VENDOR_IDENTIFIER:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.spec.vendorId }]);
      case P.MODEL_NAME:
        return v([charString(this.spec.modelName)]);
      case P.FIRMWARE_REVISION:
        return v([charString('1.0.0')]);
      case P.APPLICATION_SOFTWARE_VERSION:
        return v([charString('meterit-simulator 0.1.0')]);
      case P.DESCRIPTION:
        return v([charString(`Simulated energy meter ${this.spec.externalId}`)]);
      case P.PROTOCOL_VERSION:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: 1 }]);
      case P.PROTOCOL_REVISION:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: 14 }]);
      case P.PROTOCOL_SERVICES_SUPPORTED:
        return v([{ type: ApplicationTag.BIT_STRING, value: new ServicesSupportedBitString(...services) }]);
      case P.PROTOCOL_OBJECT_TYPES_SUPPORTED:
        return v([
          {
            type: ApplicationTag.BIT_STRING,
            value: new ObjectTypesSupportedBitString(
              ObjectTypesSupported.DEVICE,
              ObjectTypesSupported.ANALOG_INPUT,
              ObjectTypesSupported.ANALOG_VALUE,
            ),
          },
        ]);
      case P.MAX_APDU_LENGTH_ACCEPTED:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.spec.maxApdu }]);
      case P.SEGMENTATION_SUPPORTED:
        return v([{ type: ApplicationTag.ENUMERATED, value: Segmentation.NO_SEGMENTATION }]);
      case P.APDU_TIMEOUT:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: 3000 }]);
      case P.NUMBER_OF_APDU_RETRIES:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: 0 }]);
      case P.DATABASE_REVISION:
        return v([{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.databaseRevision }]);
      default:
        return unknownProperty();
    }
  }

  private pointProperty(
    state: PointState,
    propertyId: number,
    index: number,
    replyId: BACNetObjectID,
    served: Served[],
  ): PropRead {
    if (index !== ASN1_ARRAY_ALL)
      return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY };
    const b = this.behaviour;
    const v = (values: BACNetAppData[]): PropRead => ({ ok: true, values });
    switch (propertyId) {
      case P.OBJECT_IDENTIFIER:
        return v([
          { type: ApplicationTag.OBJECTIDENTIFIER, value: { type: state.objectType, instance: state.spec.instance } },
        ]);
      case P.OBJECT_NAME:
        return v([charString(state.spec.name)]);
      case P.OBJECT_TYPE:
        return v([{ type: ApplicationTag.ENUMERATED, value: state.objectType }]);
      case P.DESCRIPTION:
        return v([charString(state.spec.description ?? state.spec.name)]);
      case P.PRESENT_VALUE: {
        const now = this.ctx.clock();
        const raw = modelValue(state.spec.model, this.physics, {
          now,
          deviceId: this.spec.deviceId,
          instance: state.spec.instance,
          readCount: state.readCount,
          random: this.random,
        });
        // A BACnet REAL is a float32: record exactly what goes on the wire.
        const value = Math.fround(raw);
        const replyType = OBJECT_TYPE_NAMES.get(replyId.type) ?? state.spec.objectType ?? 'analogInput';
        served.push({
          state,
          record: {
            deviceId: this.spec.deviceId,
            objectType: replyType,
            instance: replyId.instance,
            value,
            servedAt: now,
          },
        });
        return v([{ type: ApplicationTag.REAL, value }]);
      }
      case P.STATUS_FLAGS: {
        const bits: number[] = [];
        if (b.inAlarm) bits.push(StatusFlags.IN_ALARM);
        if (b.fault) bits.push(StatusFlags.FAULT);
        if (b.overridden) bits.push(StatusFlags.OVERRIDDEN);
        if (b.outOfService) bits.push(StatusFlags.OUT_OF_SERVICE);
        return v([{ type: ApplicationTag.BIT_STRING, value: new StatusFlagsBitString(...bits) }]);
      }
      case P.EVENT_STATE:
        return v([{ type: ApplicationTag.ENUMERATED, value: EventState.NORMAL }]);
      case P.RELIABILITY:
        return v([
          { type: ApplicationTag.ENUMERATED, value: b.fault ? b.faultReliability : Reliability.NO_FAULT_DETECTED },
        ]);
      case P.OUT_OF_SERVICE:
        return v([{ type: ApplicationTag.BOOLEAN, value: b.outOfService }]);
      case P.UNITS:
        return v([{ type: ApplicationTag.ENUMERATED, value: state.spec.units }]);
      default:
        return unknownProperty();
    }
  }
}

function charString(value: string): BACNetAppData {
  return { type: ApplicationTag.CHARACTER_STRING, value };
}

function unknownObject(): PropRead {
  return { ok: false, errorClass: ErrorClass.OBJECT, errorCode: ErrorCode.UNKNOWN_OBJECT };
}

function unknownProperty(): PropRead {
  return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY };
}

function arrayValue(items: BACNetAppData[], index: number): PropRead {
  if (index === ASN1_ARRAY_ALL) return { ok: true, values: items };
  if (index === 0) return { ok: true, values: [{ type: ApplicationTag.UNSIGNED_INTEGER, value: items.length }] };
  const item = items[index - 1];
  if (!item) return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.INVALID_ARRAY_INDEX };
  return { ok: true, values: [item] };
}

/** Octets an application-tagged value takes on the wire (close enough to decide whether a reply fits). */
function encodedSize(v: BACNetAppData): number {
  switch (v.type) {
    case ApplicationTag.NULL:
    case ApplicationTag.BOOLEAN:
      return 1;
    case ApplicationTag.REAL:
      return 5;
    case ApplicationTag.DOUBLE:
      return 10;
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.ENUMERATED:
    case ApplicationTag.SIGNED_INTEGER:
      return 1 + unsignedLength(Math.abs(Number(v.value)));
    case ApplicationTag.OBJECTIDENTIFIER:
      return 5;
    case ApplicationTag.BIT_STRING: {
      const bits = (v.value as { bitsUsed: number }).bitsUsed;
      return 2 + Math.ceil(bits / 8);
    }
    case ApplicationTag.CHARACTER_STRING: {
      const len = Buffer.byteLength(String(v.value), 'utf8') + 1;
      return len + (len <= 4 ? 1 : len < 254 ? 2 : 4);
    }
    default:
      return 16;
  }
}

function unsignedLength(value: number): number {
  if (value < 0x100) return 1;
  if (value < 0x10000) return 2;
  if (value < 0x1000000) return 3;
  return 4;
}
