// The meter's BACnet object model: its Device object and analog points, and the value of each property.
import {
  ApplicationTag,
  ASN1_ARRAY_ALL,
  DeviceStatus,
  ErrorClass,
  ErrorCode,
  EventState,
  ObjectType,
  ObjectTypesSupported,
  ObjectTypesSupportedBitString,
  PropertyIdentifier,
  Reliability,
  Segmentation,
  ServicesSupported,
  ServicesSupportedBitString,
  StatusFlags,
  StatusFlagsBitString,
} from '@bacnet-js/client';
import type { BACNetAppData, BACNetObjectID } from '@bacnet-js/client';
import type { MeterBehaviour } from './behaviour.js';
import { MeterPhysics, modelValue } from './points.js';
import type { SimObjectType, SimPointSpec } from './points.js';

export type PropRead = { ok: true; values: BACNetAppData[] } | { ok: false; errorClass: number; errorCode: number };

/** A present value served by one reply (counted and recorded only once the reply is sent). */
export interface ServedValue {
  deviceId: number;
  objectType: SimObjectType;
  instance: number;
  /** Exactly the float32 value put on the wire. */
  value: number;
  /** Simulator clock when the reply was sent. */
  servedAt: number;
}

/** A present value put into a reply that is about to be sent. */
export interface Served {
  state: PointState;
  record: ServedValue;
}

export interface PointState {
  spec: SimPointSpec;
  objectType: ObjectType;
  readCount: number;
}

/** What the Device object says about the meter. */
export interface DeviceIdentity {
  deviceId: number;
  name: string;
  maxApdu: number;
  vendorName: string;
  vendorId: number;
  modelName: string;
  externalId: string;
}

export const OBJECT_TYPE_IDS: Record<SimObjectType, ObjectType> = {
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

/** The objects of one meter. Reads are pure apart from the present values they draw from the physics. */
export class MeterObjects {
  private readonly pointStates = new Map<string, PointState>();
  private readonly physics: MeterPhysics;
  /** The Device object's databaseRevision: goes up whenever a point's configuration (its units) changes. */
  private databaseRevision = 1;

  constructor(
    private readonly device: DeviceIdentity,
    readonly points: SimPointSpec[],
    private readonly random: () => number,
    private readonly clock: () => number,
  ) {
    for (const point of points) {
      const objectType = OBJECT_TYPE_IDS[point.objectType ?? 'analogInput'];
      const key = `${objectType}:${point.instance}`;
      if (this.pointStates.has(key)) throw new Error(`meter ${device.deviceId}: point ${key} defined twice`);
      this.pointStates.set(key, { spec: point, objectType, readCount: 0 });
    }
    this.physics = new MeterPhysics(random);
  }

  /** Give one point other units from now on, as a meter reconfigured (or restarted with another setup) does. */
  setUnits(objectType: SimObjectType, instance: number, units: number): void {
    const key = `${OBJECT_TYPE_IDS[objectType]}:${instance}`;
    const state = this.pointStates.get(key);
    if (!state) throw new Error(`meter ${this.device.deviceId}: no point ${objectType}:${instance}`);
    state.spec = { ...state.spec, units };
    const i = this.points.findIndex((p) => (p.objectType ?? 'analogInput') === objectType && p.instance === instance);
    if (i >= 0) this.points[i] = state.spec;
    this.databaseRevision += 1;
  }

  /** The reply went out: count the reads and record the values. An aborted reply served nothing. */
  commit(served: Served[], record: (served: ServedValue) => void): void {
    for (const s of served) {
      s.state.readCount += 1;
      record(s.record);
    }
  }

  /** ALL / REQUIRED / OPTIONAL spelled out as the properties they stand for. */
  expandProperties(
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

  readValue(
    b: MeterBehaviour,
    objectId: BACNetObjectID,
    propertyId: number,
    index: number,
    replyId: BACNetObjectID,
    served: Served[],
  ): PropRead {
    if (objectId.type === ObjectType.DEVICE) {
      if (objectId.instance !== this.device.deviceId && objectId.instance !== 4194303) return unknownObject();
      return this.deviceProperty(b, propertyId, index);
    }
    const state = this.pointStates.get(`${objectId.type}:${objectId.instance}`);
    if (!state) return unknownObject();
    return this.pointProperty(b, state, propertyId, index, replyId, served);
  }

  private deviceProperty(b: MeterBehaviour, propertyId: number, index: number): PropRead {
    const device = this.device;
    const objectList: BACNetAppData[] = [
      { type: ApplicationTag.OBJECTIDENTIFIER, value: { type: ObjectType.DEVICE, instance: device.deviceId } },
      ...[...this.pointStates.values()].map((s): BACNetAppData => ({
        type: ApplicationTag.OBJECTIDENTIFIER,
        value: { type: s.objectType, instance: s.spec.instance },
      })),
    ];
    if (propertyId === P.OBJECT_LIST) return arrayValue(objectList, index);
    if (index !== ASN1_ARRAY_ALL) return notAnArray();
    const services = [ServicesSupported.READ_PROPERTY, ServicesSupported.WHO_IS, ServicesSupported.I_AM];
    if (!b.refuseRpm) services.push(ServicesSupported.READ_PROPERTY_MULTIPLE);
    switch (propertyId) {
      case P.OBJECT_IDENTIFIER:
        return ok({
          type: ApplicationTag.OBJECTIDENTIFIER,
          value: { type: ObjectType.DEVICE, instance: device.deviceId },
        });
      case P.OBJECT_NAME:
        return ok(charString(device.name));
      case P.OBJECT_TYPE:
        return ok({ type: ApplicationTag.ENUMERATED, value: ObjectType.DEVICE });
      case P.SYSTEM_STATUS:
        return ok({ type: ApplicationTag.ENUMERATED, value: DeviceStatus.OPERATIONAL });
      case P.VENDOR_NAME:
        return ok(charString(device.vendorName));
      case P.VENDOR_IDENTIFIER:
        return ok(unsigned(device.vendorId));
      case P.MODEL_NAME:
        return ok(charString(device.modelName));
      case P.FIRMWARE_REVISION:
        return ok(charString('1.0.0'));
      case P.APPLICATION_SOFTWARE_VERSION:
        return ok(charString('meterit-simulator 0.1.0'));
      case P.DESCRIPTION:
        return ok(charString(`Simulated energy meter ${device.externalId}`));
      case P.PROTOCOL_VERSION:
        return ok(unsigned(1));
      case P.PROTOCOL_REVISION:
        return ok(unsigned(14));
      case P.PROTOCOL_SERVICES_SUPPORTED:
        return ok({ type: ApplicationTag.BIT_STRING, value: new ServicesSupportedBitString(...services) });
      case P.PROTOCOL_OBJECT_TYPES_SUPPORTED:
        return ok({
          type: ApplicationTag.BIT_STRING,
          value: new ObjectTypesSupportedBitString(
            ObjectTypesSupported.DEVICE,
            ObjectTypesSupported.ANALOG_INPUT,
            ObjectTypesSupported.ANALOG_VALUE,
          ),
        });
      case P.MAX_APDU_LENGTH_ACCEPTED:
        return ok(unsigned(device.maxApdu));
      case P.SEGMENTATION_SUPPORTED:
        return ok({ type: ApplicationTag.ENUMERATED, value: Segmentation.NO_SEGMENTATION });
      case P.APDU_TIMEOUT:
        return ok(unsigned(3000));
      case P.NUMBER_OF_APDU_RETRIES:
        return ok(unsigned(0));
      case P.DATABASE_REVISION:
        return ok(unsigned(this.databaseRevision));
      default:
        return unknownProperty();
    }
  }

  private pointProperty(
    b: MeterBehaviour,
    state: PointState,
    propertyId: number,
    index: number,
    replyId: BACNetObjectID,
    served: Served[],
  ): PropRead {
    if (index !== ASN1_ARRAY_ALL) return notAnArray();
    switch (propertyId) {
      case P.OBJECT_IDENTIFIER:
        return ok({
          type: ApplicationTag.OBJECTIDENTIFIER,
          value: { type: state.objectType, instance: state.spec.instance },
        });
      case P.OBJECT_NAME:
        return ok(charString(state.spec.name));
      case P.OBJECT_TYPE:
        return ok({ type: ApplicationTag.ENUMERATED, value: state.objectType });
      case P.DESCRIPTION:
        return ok(charString(state.spec.description ?? state.spec.name));
      case P.PRESENT_VALUE:
        return ok({ type: ApplicationTag.REAL, value: this.presentValue(state, replyId, served) });
      case P.STATUS_FLAGS: {
        const bits: number[] = [];
        if (b.inAlarm) bits.push(StatusFlags.IN_ALARM);
        if (b.fault) bits.push(StatusFlags.FAULT);
        if (b.overridden) bits.push(StatusFlags.OVERRIDDEN);
        if (b.outOfService) bits.push(StatusFlags.OUT_OF_SERVICE);
        return ok({ type: ApplicationTag.BIT_STRING, value: new StatusFlagsBitString(...bits) });
      }
      case P.EVENT_STATE:
        return ok({ type: ApplicationTag.ENUMERATED, value: EventState.NORMAL });
      case P.RELIABILITY:
        return ok({
          type: ApplicationTag.ENUMERATED,
          value: b.fault ? b.faultReliability : Reliability.NO_FAULT_DETECTED,
        });
      case P.OUT_OF_SERVICE:
        return ok({ type: ApplicationTag.BOOLEAN, value: b.outOfService });
      case P.UNITS:
        return ok({ type: ApplicationTag.ENUMERATED, value: state.spec.units });
      default:
        return unknownProperty();
    }
  }

  /** Draw the point's next value from its model and note it as served under the id the reply names. */
  private presentValue(state: PointState, replyId: BACNetObjectID, served: Served[]): number {
    const now = this.clock();
    const raw = modelValue(state.spec.model, this.physics, {
      now,
      deviceId: this.device.deviceId,
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
        deviceId: this.device.deviceId,
        objectType: replyType,
        instance: replyId.instance,
        value,
        servedAt: now,
      },
    });
    return value;
  }
}

function ok(value: BACNetAppData): PropRead {
  return { ok: true, values: [value] };
}

function unsigned(value: number): BACNetAppData {
  return { type: ApplicationTag.UNSIGNED_INTEGER, value };
}

function charString(value: string): BACNetAppData {
  return { type: ApplicationTag.CHARACTER_STRING, value };
}

function notAnArray(): PropRead {
  return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.PROPERTY_IS_NOT_AN_ARRAY };
}

function unknownObject(): PropRead {
  return { ok: false, errorClass: ErrorClass.OBJECT, errorCode: ErrorCode.UNKNOWN_OBJECT };
}

function unknownProperty(): PropRead {
  return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.UNKNOWN_PROPERTY };
}

function arrayValue(items: BACNetAppData[], index: number): PropRead {
  if (index === ASN1_ARRAY_ALL) return { ok: true, values: items };
  if (index === 0) return { ok: true, values: [unsigned(items.length)] };
  const item = items[index - 1];
  if (!item) return { ok: false, errorClass: ErrorClass.PROPERTY, errorCode: ErrorCode.INVALID_ARRAY_INDEX };
  return { ok: true, values: [item] };
}
