// The meter protocol port: what the collector (and the site's discovery and diagnostics) see of
// a meter protocol. Each protocol is a folder of its own behind it (meters/bacnet/); nothing here
// names a protocol library.
import { ErrorCode } from '@meterit/shared';
import type { StatusFlags } from '@meterit/shared';

/**
 * The one vocabulary of meter errors: what a protocol reports per point, what the collector
 * stores in the meter status and the dashboard explains (health/plain-words.ts). The code,
 * not the message, decides what happens. The strings are stored and shown, so they never change;
 * the ones with a BACNET_ prefix predate the port and keep their spelling for every protocol.
 */
export const MeterErrorCode = {
  /** The meter did not answer within the protocol's own timeout. */
  METER_TIMEOUT: ErrorCode.METER_TIMEOUT,
  /** The meter answered with an error (protocol error, reject, abort), or with a value that is not a number. */
  METER_ERROR: ErrorCode.METER_ERROR,
  /** Another device answers at the meter's address than the one configured: nothing read from it is stored. */
  WRONG_DEVICE: 'WRONG_DEVICE',
  /** The request could not be sent to the meter (bad address, no route). */
  METER_UNREACHABLE: 'METER_UNREACHABLE',
  /** The reply named another object or property than was asked; its value was discarded. */
  REPLY_MISMATCH: 'BACNET_REPLY_MISMATCH',
  /** The protocol was closed (the agent stopping) while the request waited or ran. */
  CLOSED: 'BACNET_CLOSED',
  /** The protocol's port (UDP 47808 for BACnet/IP) is already bound by another process. */
  PORT_IN_USE: 'BACNET_PORT_IN_USE',
  /** The protocol's socket could not be bound for another reason (address not on this host, permissions). */
  BIND_FAILED: 'BACNET_BIND_FAILED',
} as const;

export type MeterErrorCodeValue = (typeof MeterErrorCode)[keyof typeof MeterErrorCode];

const METER_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(MeterErrorCode));

/** Whether a code is one of the meter vocabulary (a protocol's internal codes are not). */
export function isMeterErrorCode(code: string): code is MeterErrorCodeValue {
  return METER_ERROR_CODES.has(code);
}

/** Where a meter is: which device (BACnet device instance, Modbus unit id), at which address ('ip' or 'ip:port'). */
export interface MeterDevice {
  deviceId: number;
  address: string;
  port?: number;
}

/** One value of a device: an object (and the property of it) in the protocol's own names or numbers. */
export interface MeterPoint {
  /** 'analogInput', 'analog-input', 'ANALOG_INPUT' or the protocol's number. */
  objectType: string | number;
  instance: number;
  /** Default 'presentValue'. */
  property?: string | number;
}

export interface PointReading {
  ok: true;
  value: number;
  /** EngineeringUnits number (the agent's unit vocabulary, see @meterit/shared units), null when the object has none. */
  units: number | null;
  unitSymbol?: string;
  statusFlags: StatusFlags;
  /** Reliability number, when the device reports it. */
  reliability?: number;
  /** 'good', or the set status flags joined with '+'. */
  quality: string;
}

export interface PointFailure {
  ok: false;
  code: MeterErrorCodeValue;
  message: string;
  /** WRONG_DEVICE: the configured device and the one that answers (null when it would not say). */
  expectedDeviceId?: number;
  foundDeviceId?: number | null;
}

export type PointResult = PointReading | PointFailure;

export interface RawValue {
  /** The protocol's type tag of the value (BACnet application tag: 4 REAL, 7 CharacterString, 9 Enumerated, …). */
  type: number;
  value: unknown;
}

export type RawReadResult = { ok: true; values: RawValue[] } | PointFailure;

/** A diagnostic read of one property, optionally one element of an array property. */
export interface PointQuery extends MeterPoint {
  arrayIndex?: number;
}

export interface DiscoverOptions {
  /** How long to collect answers. */
  timeoutMs: number;
  lowLimit?: number;
  highLimit?: number;
  /** Ask only these addresses ('ip' or 'ip:port') instead of broadcasting. */
  address?: string | string[];
}

export interface DiscoveredPoint {
  objectType: string;
  instance: number;
  objectName: string | null;
  units: number | null;
  unitSymbol: string | null;
}

/** A device found by discovery, described for the commissioning report (a protocol may add its own fields). */
export interface DiscoveredDevice {
  deviceId: number;
  address: string;
  port: number;
  objectName: string | null;
  vendorName: string | null;
  modelName: string | null;
  /** Every object of the device. */
  objects: Array<{ objectType: string; instance: number }>;
  /** The points worth reading (analog inputs and values) with their names and units. */
  points: DiscoveredPoint[];
  /** What could not be read, in words for the commissioning report. */
  errors: string[];
}

/**
 * A meter protocol. Before anything is filed under a meter, the protocol confirms it talks to
 * that meter (BACnet device instance, Modbus identification): another one answering fails every
 * point with WRONG_DEVICE. A meter that fails is per-point failures, never a throw.
 */
export interface MeterProtocol {
  /** Read points of one device; one result per point, in the order of `points`. */
  readPoints(device: MeterDevice, points: MeterPoint[]): Promise<PointResult[]>;
  /** One raw read, for diagnostics. */
  readPoint(device: MeterDevice, point: PointQuery): Promise<RawReadResult>;
  /** Find the devices on the network and describe each (names, objects, points). */
  discover(options: DiscoverOptions): Promise<DiscoveredDevice[]>;
  close(): Promise<void>;
}
