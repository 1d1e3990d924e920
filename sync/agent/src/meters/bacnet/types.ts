// The BACnet adapter's types: its options, what it reads and finds, and its inner state per device.
import type bacnet from '@bacnet-js/client';
import type { Logger } from './logger.js';
import type { Semaphore } from './semaphore.js';
import type {
  DiscoveredDevice as MeterDiscoveredDevice,
  MeterDevice,
  MeterErrorCodeValue,
  MeterPoint,
  PointFailure,
  RawValue,
} from '../protocol.js';

export type {
  DiscoveredPoint,
  DiscoverOptions,
  PointFailure,
  PointReading,
  PointResult,
  RawReadResult,
  RawValue,
} from '../protocol.js';

type ClientClass = typeof bacnet.default;
/** The library's client (constructed once, by the adapter). */
export type Client = InstanceType<ClientClass>;
export type { ClientClass };

export interface BacnetAdapterOptions {
  /** Local IPv4 address to bind, e.g. '0.0.0.0' on a site, '127.0.1.1' in tests. */
  interface: string;
  /** Local UDP port, usually 47808. */
  port: number;
  /** Where Who-Is goes, e.g. '192.168.1.255' (never 255.255.255.255 in tests: use 127.255.255.255). */
  broadcastAddress: string;
  /** UDP port of the devices for broadcast Who-Is; default `port`. */
  broadcastPort?: number;
  /**
   * Bound to one address: also receive what is sent to `broadcastAddress` (a second socket there,
   * same port), so devices answering Who-Is with a broadcast I-Am are found. Default true; when the
   * broadcast address is held by another program the adapter opens anyway and logs a warning.
   */
  listenBroadcast?: boolean;
  /** Own timeout on every request, ms (default 3000). */
  apduTimeoutMs?: number;
  /** Requests in flight to one device (default 2: small meters often queue badly beyond that). */
  maxInFlightPerDevice?: number;
  /** Requests in flight in total (default 64, at most 200 so the 0–255 invoke ids never run out). */
  maxInFlightTotal?: number;
  /**
   * Probes in flight: requests to devices whose last request timed out. Such a device gets one
   * request at a time, outside `maxInFlightTotal`, so its timeouts do not hold the slots the
   * answering devices need (default 16, at most 32).
   */
  maxInFlightProbes?: number;
  /** Upper bound of objects per ReadPropertyMultiple request (default 16). */
  maxObjectsPerRequest?: number;
  /**
   * Meters on another IP subnet: register as a foreign device with this BBMD ('ip' or 'ip:port')
   * for `ttlSeconds`, keep the registration alive while the adapter is open, and send Who-Is
   * through the BBMD instead of broadcasting.
   */
  bbmd?: { address: string; ttlSeconds: number };
  /**
   * How often readPoints confirms again that the configured device instance answers at the
   * address, ms (default one hour). It is also confirmed on first contact and after every silence.
   */
  identityCheckMs?: number;
  /** How often the units of each point are read again, ms (default one hour); also after every silence. */
  unitsRefreshMs?: number;
  logger?: Logger;
}

/** Where a device is. `address` may carry ':port'. */
export interface DeviceRef extends MeterDevice {
  /** Max APDU the device accepts (from I-Am); learned by discover() when not given. */
  maxApdu?: number;
}

export type PointRef = MeterPoint;

/** A device that answered Who-Is, described: objects are its objectList, points its analog inputs and values. */
export interface DiscoveredDevice extends MeterDiscoveredDevice {
  /** From its I-Am. */
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

/** The options after defaults, as the adapter's parts use them. */
export type ResolvedOptions = Required<
  Omit<BacnetAdapterOptions, 'broadcastPort' | 'logger' | 'bbmd' | 'listenBroadcast'>
> & { broadcastPort: number };

export interface DeviceState {
  peer: string;
  deviceId: number;
  maxApdu: number | null;
  rpmSupported: boolean | null;
  objectsPerRequest: number;
  units: Map<string, number | null>;
  semaphore: Semaphore;
  /** The last request timed out: the next ones are probes, one at a time, until the device answers. */
  silent: boolean;
  probeTurn: Semaphore;
  /** When the device instance at the address was last confirmed (Date.now ms); null: not yet. */
  confirmedAt: number | null;
  /** A request timed out or a read failed whole since: confirm the instance and read units again. */
  recheck: boolean;
  /** The other device instance found at the address on the last check, undefined when it was the right one. */
  wrongDevice: number | null | undefined;
  /** When units were last read for every cached object; unitsDue asks for them again on the next read. */
  unitsReadAt: number | null;
  unitsDue: boolean;
}

export type CallFailure =
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; errorClass: number; errorCode: number; message: string }
  | { kind: 'reject'; reason: number; message: string }
  | { kind: 'abort'; reason: number; message: string }
  | { kind: 'segmented'; message: string }
  | { kind: 'failed'; code: MeterErrorCodeValue; message: string };

export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: CallFailure };

export type PropOutcome =
  { ok: true; values: RawValue[] } | (PointFailure & { errorClass?: number; errorCode?: number });

export interface ObjectRequest {
  type: number;
  instance: number;
  props: number[];
}

/** Per readPoints/discover call: once a device timed out, its queued requests of this call give up at once. */
export interface CallCycle {
  timedOut: boolean;
}
