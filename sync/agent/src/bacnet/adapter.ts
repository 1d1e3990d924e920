import bacnet, {
  AbortReason,
  ApplicationTag,
  ErrorClass,
  ErrorCode,
  MaxApduLengthAccepted,
  ObjectType,
  PropertyIdentifier,
  RejectReason,
} from '@bacnet-js/client';
import type { BACNetAddress, BACNetObjectID, BACNetReadAccessSpecification } from '@bacnet-js/client';
import { qualityFromStatusFlags, unitSymbol } from '@meterit/shared';
import type { StatusFlags } from '@meterit/shared';
import { BacnetError, BacnetErrorCode } from './errors.js';
import type { BacnetErrorCodeValue } from './errors.js';
import { ForeignDeviceRegistration, parseBbmdAddress } from './foreign-device.js';
import type { ForeignDeviceStatus } from './foreign-device.js';
import { InvokeIds } from './invoke-ids.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { objectTypeId, objectTypeName, propertyId, propertyName } from './names.js';
import { Semaphore } from './semaphore.js';
import { GuardedTransport } from './transport.js';
import type { BroadcastListener, PendingRequest } from './transport.js';
import { PduType } from './wire.js';

type ClientClass = typeof bacnet.default;
// Node hands a CommonJS module's exports to a default import; bundlers such as Vite (vitest) hand
// over its `default` export instead. Accept both.
const BACnetClient: ClientClass = typeof bacnet === 'function' ? (bacnet as unknown as ClientClass) : bacnet.default;
type Client = InstanceType<ClientClass>;

const P = PropertyIdentifier;
const ARRAY_ALL = 0xffffffff;
/** Octets one object with presentValue, statusFlags, units and reliability takes in an RPM reply, rounded up. */
const OCTETS_PER_OBJECT = 40;
/** Max APDU assumed for a device that has not told us (no I-Am seen, nothing configured). */
const DEFAULT_MAX_APDU = 480;
/** The library reuses invoke ids 0–255; stay far enough below that for the quarantine to work. */
const MAX_TOTAL_LIMIT = 200;
/** Upper bound of maxInFlightProbes: probes and shared requests together stay well below the 255 invoke ids. */
const MAX_PROBE_LIMIT = 32;
/** How long an answered request's invoke id rests once the library's timer for it is gone, so a duplicate reply finds no request. */
const ID_REST_AFTER_ANSWER_MS = 20;
/** The Device object instance every device takes as its own (ASHRAE 135 12.11.1). */
const WILDCARD_DEVICE_INSTANCE = 4194303;

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
export interface DeviceRef {
  deviceId: number;
  address: string;
  port?: number;
  /** Max APDU the device accepts (from I-Am); learned by discover() when not given. */
  maxApdu?: number;
}

export interface PointRef {
  /** 'analogInput', 'analog-input', 'ANALOG_INPUT' or the BACnet number. */
  objectType: string | number;
  instance: number;
  /** Default 'presentValue'. */
  property?: string | number;
}

export interface PointReading {
  ok: true;
  value: number;
  /** BACnet EngineeringUnits number, null when the object has none. */
  units: number | null;
  unitSymbol?: string;
  statusFlags: StatusFlags;
  /** BACnet Reliability number, when the device reports it. */
  reliability?: number;
  /** 'good', or the set status flags joined with '+'. */
  quality: string;
}

export interface PointFailure {
  ok: false;
  code: BacnetErrorCodeValue;
  message: string;
  /** WRONG_DEVICE: the configured device instance and the one that answers (null when it would not say). */
  expectedDeviceId?: number;
  foundDeviceId?: number | null;
}

export type PointResult = PointReading | PointFailure;

export interface RawValue {
  /** BACnet application tag number (4 REAL, 7 CharacterString, 9 Enumerated, 12 ObjectIdentifier, …). */
  type: number;
  value: unknown;
}

export type RawReadResult = { ok: true; values: RawValue[] } | PointFailure;

export interface DiscoverOptions {
  /** How long to collect I-Am answers. */
  timeoutMs: number;
  lowLimit?: number;
  highLimit?: number;
  /** Send Who-Is to these addresses ('ip' or 'ip:port') instead of broadcasting. */
  address?: string | string[];
}

export interface DiscoveredPoint {
  objectType: string;
  instance: number;
  objectName: string | null;
  units: number | null;
  unitSymbol: string | null;
}

export interface DiscoveredDevice {
  deviceId: number;
  address: string;
  port: number;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
  objectName: string | null;
  vendorName: string | null;
  modelName: string | null;
  /** Every object of the device, as in its objectList. */
  objects: Array<{ objectType: string; instance: number }>;
  /** Analog inputs and analog values with their names and units. */
  points: DiscoveredPoint[];
  /** What could not be read, in words for the commissioning report. */
  errors: string[];
}

interface DeviceState {
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

type CallFailure =
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; errorClass: number; errorCode: number; message: string }
  | { kind: 'reject'; reason: number; message: string }
  | { kind: 'abort'; reason: number; message: string }
  | { kind: 'segmented'; message: string }
  | { kind: 'failed'; code: BacnetErrorCodeValue; message: string };

type CallResult<T> = { ok: true; value: T } | { ok: false; failure: CallFailure };

type PropOutcome = { ok: true; values: RawValue[] } | (PointFailure & { errorClass?: number; errorCode?: number });

interface ObjectRequest {
  type: number;
  instance: number;
  props: number[];
}

/** Per readPoints/discover call: once a device timed out, its queued requests of this call give up at once. */
interface CallCycle {
  timedOut: boolean;
}

const propKey = (type: number, instance: number, prop: number): string => `${type}:${instance}:${prop}`;
const objKey = (type: number, instance: number): string => `${type}:${instance}`;

function splitPeer(address: string, port: number | undefined, defaultPort: number): string {
  if (address.includes(':')) return address;
  return `${address}:${port ?? defaultPort}`;
}

function failureToPoint(f: CallFailure): PointFailure & { errorClass?: number; errorCode?: number } {
  switch (f.kind) {
    case 'timeout':
      return { ok: false, code: BacnetErrorCode.METER_TIMEOUT, message: f.message };
    case 'error':
      return {
        ok: false,
        code: BacnetErrorCode.METER_ERROR,
        message: f.message,
        errorClass: f.errorClass,
        errorCode: f.errorCode,
      };
    case 'reject':
    case 'abort':
    case 'segmented':
      return { ok: false, code: BacnetErrorCode.METER_ERROR, message: f.message };
    case 'failed':
      return { ok: false, code: f.code, message: f.message };
  }
}

function isRpmUnsupported(f: CallFailure): boolean {
  if (f.kind === 'reject') return f.reason === RejectReason.UNRECOGNIZED_SERVICE;
  if (f.kind === 'error') {
    return (
      (f.errorClass === ErrorClass.SERVICES &&
        (f.errorCode === ErrorCode.REJECT_UNRECOGNIZED_SERVICE || f.errorCode === ErrorCode.SERVICE_REQUEST_DENIED)) ||
      f.errorCode === ErrorCode.REJECT_UNRECOGNIZED_SERVICE
    );
  }
  return false;
}

function isTooBig(f: CallFailure): boolean {
  if (f.kind === 'segmented') return true;
  if (f.kind === 'abort')
    return f.reason === AbortReason.SEGMENTATION_NOT_SUPPORTED || f.reason === AbortReason.BUFFER_OVERFLOW;
  if (f.kind === 'reject') return f.reason === RejectReason.BUFFER_OVERFLOW;
  if (f.kind === 'error')
    return (
      f.errorCode === ErrorCode.ABORT_SEGMENTATION_NOT_SUPPORTED || f.errorCode === ErrorCode.ABORT_BUFFER_OVERFLOW
    );
  return false;
}

/** A function, not an inline check: the flag changes while readObjects awaits. */
function usesReadProperty(d: DeviceState): boolean {
  return d.rpmSupported === false;
}

function enumName(table: Record<number, string | undefined>, value: number): string {
  return table[value] ?? String(value);
}

function decodeStatusFlags(values: RawValue[]): StatusFlags | null {
  const first = values[0];
  if (!first || first.type !== ApplicationTag.BIT_STRING) return null;
  const bits = first.value as { value?: number[]; bitsUsed?: number };
  const bytes = bits.value ?? [];
  const bit = (i: number): boolean => (((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
  return { inAlarm: bit(0), fault: bit(1), overridden: bit(2), outOfService: bit(3) };
}

function numericValue(values: RawValue[]): number | null {
  const first = values[0];
  if (!first) return null;
  switch (first.type) {
    case ApplicationTag.REAL:
    case ApplicationTag.DOUBLE:
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.SIGNED_INTEGER:
    case ApplicationTag.ENUMERATED:
      return typeof first.value === 'number' ? first.value : null;
    case ApplicationTag.BOOLEAN:
      return first.value ? 1 : 0;
    default:
      return null;
  }
}

function stringValue(outcome: PropOutcome | undefined): string | null {
  if (!outcome?.ok) return null;
  const first = outcome.values[0];
  return first && typeof first.value === 'string' ? first.value : null;
}

/**
 * @bacnet-js/client 3.3.2 keeps an answered request in its timer list until that timer expires, and
 * then deletes whatever request holds the same invoke id by then. Its request manager's `clear()`
 * drops every entry whose id no request holds (and fails the expired ones, as its timer would), so
 * calling it after an answer lets the id be reused at once instead of after the whole timeout.
 * Null when the library has no such method: ids then wait out the library's timer.
 */
function libraryTimerPurge(client: Client): (() => void) | null {
  const manager = (client as unknown as { _requestManager?: { clear?: unknown } })._requestManager;
  const clear = manager?.clear;
  return typeof clear === 'function' ? () => (clear as (force?: boolean) => void).call(manager, false) : null;
}

function toRaw(values: Array<{ type: number; value: unknown }>): RawValue[] {
  return values.map((v) => ({ type: v.type, value: v.value }));
}

/**
 * The agent's only door to BACnet/IP. Reads points with ReadPropertyMultiple (ReadProperty for
 * devices that refuse it), discovers devices, and guards against the library's defects: own
 * invoke ids with a quarantine, per-device and total in-flight caps, an own timeout on every call,
 * reply source and object id checks, exclusive bind.
 */
export class BacnetAdapter {
  private readonly devices = new Map<string, DeviceState>();
  private readonly total: Semaphore;
  private readonly probes: Semaphore;
  private readonly ids: InvokeIds;
  private readonly active = new Set<(err: BacnetError) => void>();
  private readonly purgeLibraryTimers: (() => void) | null;
  private closed = false;
  /** The registration with the BBMD, when discovery goes through one. */
  private readonly foreign: ForeignDeviceRegistration | null;
  /** Whether datagrams to the broadcast address reach this adapter (see `listenBroadcast`). */
  private broadcastListener: BroadcastListener = { state: 'not-needed' };

  private constructor(
    private readonly client: Client,
    private readonly transport: GuardedTransport,
    private readonly options: Required<
      Omit<BacnetAdapterOptions, 'broadcastPort' | 'logger' | 'bbmd' | 'listenBroadcast'>
    > & { broadcastPort: number },
    private readonly logger: Logger,
    bbmd: { address: string; ttlSeconds: number } | null,
  ) {
    this.foreign = bbmd
      ? new ForeignDeviceRegistration(
          bbmd.address,
          bbmd.ttlSeconds,
          (to, ttl) => this.client.registerForeignDevice({ address: to }, ttl),
          options.apduTimeoutMs,
          logger,
        )
      : null;
    this.total = new Semaphore(options.maxInFlightTotal);
    this.probes = new Semaphore(options.maxInFlightProbes);
    // The library's timer for a request runs apduTimeoutMs; reuse its id only after that (+ slack for a
    // late timer), or shortly after an answer once that timer has been dropped.
    this.purgeLibraryTimers = libraryTimerPurge(client);
    this.ids = new InvokeIds(options.apduTimeoutMs + 500, Date.now, ID_REST_AFTER_ANSWER_MS);
  }

  static async open(options: BacnetAdapterOptions): Promise<BacnetAdapter> {
    const logger = options.logger ?? silentLogger;
    const resolved = {
      interface: options.interface,
      port: options.port,
      broadcastAddress: options.broadcastAddress,
      broadcastPort: options.broadcastPort ?? options.port,
      apduTimeoutMs: options.apduTimeoutMs ?? 3000,
      maxInFlightPerDevice: options.maxInFlightPerDevice ?? 2,
      maxInFlightTotal: options.maxInFlightTotal ?? 64,
      maxInFlightProbes: options.maxInFlightProbes ?? 16,
      maxObjectsPerRequest: options.maxObjectsPerRequest ?? 16,
      identityCheckMs: options.identityCheckMs ?? 3_600_000,
      unitsRefreshMs: options.unitsRefreshMs ?? 3_600_000,
    };
    const bad: string[] = [];
    if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535)
      bad.push(`port ${resolved.port}`);
    if (!(resolved.apduTimeoutMs > 0)) bad.push(`apduTimeoutMs ${resolved.apduTimeoutMs}`);
    if (!Number.isInteger(resolved.maxInFlightPerDevice) || resolved.maxInFlightPerDevice < 1)
      bad.push(`maxInFlightPerDevice ${resolved.maxInFlightPerDevice}`);
    if (
      !Number.isInteger(resolved.maxInFlightTotal) ||
      resolved.maxInFlightTotal < 1 ||
      resolved.maxInFlightTotal > MAX_TOTAL_LIMIT
    ) {
      bad.push(`maxInFlightTotal ${resolved.maxInFlightTotal} (1..${MAX_TOTAL_LIMIT})`);
    }
    if (
      !Number.isInteger(resolved.maxInFlightProbes) ||
      resolved.maxInFlightProbes < 1 ||
      resolved.maxInFlightProbes > MAX_PROBE_LIMIT
    ) {
      bad.push(`maxInFlightProbes ${resolved.maxInFlightProbes} (1..${MAX_PROBE_LIMIT})`);
    }
    if (!Number.isInteger(resolved.maxObjectsPerRequest) || resolved.maxObjectsPerRequest < 1)
      bad.push(`maxObjectsPerRequest ${resolved.maxObjectsPerRequest}`);
    if (!(resolved.identityCheckMs > 0)) bad.push(`identityCheckMs ${resolved.identityCheckMs}`);
    if (!(resolved.unitsRefreshMs > 0)) bad.push(`unitsRefreshMs ${resolved.unitsRefreshMs}`);
    let bbmd: { address: string; ttlSeconds: number } | null = null;
    if (options.bbmd) {
      const ttl = options.bbmd.ttlSeconds;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 65535) bad.push(`bbmd.ttlSeconds ${ttl} (1..65535)`);
      try {
        bbmd = { address: parseBbmdAddress(options.bbmd.address), ttlSeconds: ttl };
      } catch (err) {
        bad.push(`bbmd.address: ${(err as Error).message}`);
      }
    }
    if (bad.length > 0) throw new Error(`invalid BACnet adapter options: ${bad.join(', ')}`);

    const transport = new GuardedTransport({
      interface: resolved.interface,
      port: resolved.port,
      broadcastAddress: resolved.broadcastAddress,
      broadcastPort: resolved.broadcastPort,
      ...(options.listenBroadcast === false ? { listenBroadcast: false } : {}),
      logger,
    });
    const client = new BACnetClient({ transport, apduTimeout: resolved.apduTimeoutMs });
    client.on('error', (err: Error) => logger.error('BACnet socket error', { error: err.message }));
    let bound: Awaited<GuardedTransport['ready']>;
    try {
      bound = await transport.ready;
    } catch (err) {
      client.close();
      const code = (err as NodeJS.ErrnoException).code;
      const where = `${resolved.interface}:${resolved.port}`;
      if (code === 'EADDRINUSE') {
        throw new BacnetError(
          BacnetErrorCode.BACNET_PORT_IN_USE,
          `UDP ${where} is already in use by another process (another agent or BACnet tool?)`,
          { cause: err },
        );
      }
      throw new BacnetError(
        BacnetErrorCode.BACNET_BIND_FAILED,
        `cannot bind UDP ${where}: ${code ?? (err as Error).message}`,
        { cause: err },
      );
    }
    if (bound.broadcast.state === 'unavailable') {
      logger.warn(
        'cannot listen on the BACnet broadcast address: devices that answer Who-Is with a broadcast I-Am will not be found (reads and unicast answers work)',
        {
          address: bound.broadcast.address,
          error: bound.broadcast.error,
          fix:
            bound.broadcast.error === 'EADDRINUSE'
              ? 'another program on this machine holds it (a second agent or a BACnet tool?): stop it, or bind BACNET_INTERFACE=0.0.0.0'
              : 'check BACNET_BROADCAST_ADDRESS',
        },
      );
    }
    logger.info('BACnet adapter listening', {
      interface: resolved.interface,
      port: bound.port,
      broadcastAddress: resolved.broadcastAddress,
      broadcastListener: bound.broadcast.state,
      bbmd: bbmd?.address ?? null,
    });
    const adapter = new BacnetAdapter(client, transport, resolved, logger, bbmd);
    adapter.broadcastListener = bound.broadcast;
    return adapter;
  }

  /**
   * Register as a foreign device with the configured BBMD now, waiting for its BVLC-Result.
   * Throws BBMD_REGISTRATION_FAILED saying whether the BBMD refused or did not answer.
   */
  async registerForeignDevice(): Promise<ForeignDeviceStatus> {
    if (!this.foreign) throw new Error('no BBMD is configured for this BACnet adapter');
    if (this.closed) throw new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    await this.foreign.register();
    return this.foreign.status();
  }

  /** Register with the configured BBMD now and again every TTL/2 until close() (failures are logged and retried). */
  keepForeignDeviceRegistration(): void {
    if (!this.foreign) throw new Error('no BBMD is configured for this BACnet adapter');
    if (!this.closed) this.foreign.keepAlive();
  }

  /** The registration with the BBMD, null when none is configured. */
  foreignDeviceStatus(): ForeignDeviceStatus | null {
    return this.foreign?.status() ?? null;
  }

  /** Whether datagrams sent to the broadcast address reach this adapter: listening, not needed (bound to 0.0.0.0), off, or unavailable and why. */
  broadcastListenerStatus(): BroadcastListener {
    return this.broadcastListener;
  }

  /** Figures for the dashboard and tests. */
  stats(): {
    inFlight: number;
    probesInFlight: number;
    droppedForeignReplies: number;
    droppedDuplicateReplies: number;
    droppedSegmentedReplies: number;
  } {
    return {
      /** Requests under `maxInFlightTotal`; probes to silent devices are counted apart. */
      inFlight: this.total.inUse,
      probesInFlight: this.probes.inUse,
      droppedForeignReplies: this.transport.dropped.foreign,
      droppedDuplicateReplies: this.transport.dropped.duplicate,
      droppedSegmentedReplies: this.transport.dropped.segmented,
    };
  }

  /** What the adapter has learned about a device: RPM support, cached units, and whether it is being probed after a timeout. */
  deviceInfo(device: DeviceRef): {
    rpmSupported: boolean | null;
    objectsPerRequest: number;
    cachedUnits: number;
    inFlight: number;
    silent: boolean;
    /** Another device instance answered at the address on the last check (null: one that would not say which). */
    wrongDevice?: number | null;
  } {
    const d = this.device(device);
    return {
      rpmSupported: d.rpmSupported,
      objectsPerRequest: d.objectsPerRequest,
      cachedUnits: d.units.size,
      inFlight: d.semaphore.inUse,
      silent: d.silent,
      ...(d.wrongDevice !== undefined ? { wrongDevice: d.wrongDevice } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.foreign?.stop();
    const err = new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    for (const fail of [...this.active]) fail(err);
    this.ids.dispose(err);
    this.client.close();
  }

  private device(ref: DeviceRef): DeviceState {
    const peer = splitPeer(ref.address, ref.port, this.options.port);
    let d = this.devices.get(peer);
    if (!d || d.deviceId !== ref.deviceId) {
      // A new device, or another device now answers at this address: forget what we knew.
      d = {
        peer,
        deviceId: ref.deviceId,
        maxApdu: null,
        rpmSupported: null,
        objectsPerRequest: 1,
        units: new Map(),
        semaphore: new Semaphore(this.options.maxInFlightPerDevice),
        silent: false,
        probeTurn: new Semaphore(1),
        confirmedAt: null,
        recheck: false,
        wrongDevice: undefined,
        unitsReadAt: null,
        unitsDue: false,
      };
      this.devices.set(peer, d);
      this.setMaxApdu(d, ref.maxApdu ?? null);
    } else if (ref.maxApdu !== undefined && ref.maxApdu !== d.maxApdu) {
      this.setMaxApdu(d, ref.maxApdu);
    }
    return d;
  }

  private setMaxApdu(d: DeviceState, maxApdu: number | null): void {
    d.maxApdu = maxApdu;
    const apdu = maxApdu ?? DEFAULT_MAX_APDU;
    d.objectsPerRequest = Math.max(
      1,
      Math.min(this.options.maxObjectsPerRequest, Math.floor((apdu - 16) / OCTETS_PER_OBJECT)),
    );
  }

  /**
   * One confirmed request: device slot, then total slot (or, for a device whose last request timed
   * out, its probe turn and a probe slot), then an invoke id, then the request raced against the
   * adapter's own timer.
   */
  private async call<T>(
    d: DeviceState,
    cycle: CallCycle | null,
    run: (invokeId: number, receiver: BACNetAddress) => Promise<T>,
  ): Promise<CallResult<T>> {
    const releaseDevice = await d.semaphore.acquire();
    let releaseProbeTurn: (() => void) | null = null;
    let releaseSlot: (() => void) | null = null;
    const gaveUp = (): CallResult<T> => ({
      ok: false,
      failure: {
        kind: 'timeout',
        message: `device ${d.deviceId} at ${d.peer} did not answer an earlier request of this read`,
      },
    });
    try {
      if (cycle?.timedOut) return gaveUp();
      if (d.silent) {
        releaseProbeTurn = await d.probeTurn.acquire();
        if (cycle?.timedOut) return gaveUp();
        if (!d.silent) {
          // The probe before this one was answered: back to the shared slots.
          releaseProbeTurn();
          releaseProbeTurn = null;
        }
      }
      releaseSlot = await (releaseProbeTurn ? this.probes : this.total).acquire();
      if (this.closed)
        return {
          ok: false,
          failure: { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' },
        };
      let invokeId: number;
      try {
        invokeId = await this.ids.acquire();
      } catch (err) {
        return {
          ok: false,
          failure: { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: (err as Error).message },
        };
      }
      const startedAt = Date.now();
      let fail: (err: BacnetError) => void = () => undefined;
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<never>((_, reject) => {
        fail = reject;
        timer = setTimeout(
          () =>
            reject(
              new BacnetError(
                BacnetErrorCode.METER_TIMEOUT,
                `device ${d.deviceId} at ${d.peer} did not answer within ${this.options.apduTimeoutMs} ms`,
              ),
            ),
          this.options.apduTimeoutMs,
        );
      });
      this.active.add(fail);
      const entry = this.transport.expect(invokeId, d.peer, fail);
      // Settled by the library because a reply got through: it no longer holds the id (only its timer may).
      let answered = false;
      const request = run(invokeId, { address: d.peer }).finally(() => {
        answered = entry.replyPduType !== null;
      });
      try {
        const value = await Promise.race([request, guard]);
        return { ok: true, value };
      } catch (err) {
        const failure = this.classify(err, entry, d);
        if (failure.kind === 'timeout') {
          if (cycle) cycle.timedOut = true;
          d.silent = true;
          d.recheck = true;
        }
        return { ok: false, failure };
      } finally {
        clearTimeout(timer);
        this.active.delete(fail);
        this.transport.forget(invokeId, entry);
        if (entry.replyPduType !== null) d.silent = false;
        const timerCleared = answered && this.purgeLibraryTimers !== null;
        if (timerCleared) this.purgeLibraryTimers?.();
        this.ids.release(invokeId, startedAt, { timerCleared });
      }
    } finally {
      releaseSlot?.();
      releaseProbeTurn?.();
      releaseDevice();
    }
  }

  private classify(err: unknown, entry: PendingRequest, d: DeviceState): CallFailure {
    const who = `device ${d.deviceId} at ${d.peer}`;
    if (err instanceof BacnetError) {
      if (err.code === BacnetErrorCode.METER_TIMEOUT) return { kind: 'timeout', message: err.message };
      if (entry.segmented) return { kind: 'segmented', message: err.message };
      return { kind: 'failed', code: err.code, message: err.message };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (message === 'ERR_TIMEOUT')
      return { kind: 'timeout', message: `${who} did not answer within ${this.options.apduTimeoutMs} ms` };
    const e = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(message);
    if (e) {
      const errorClass = Number(e[1]);
      const errorCode = Number(e[2]);
      return {
        kind: 'error',
        errorClass,
        errorCode,
        message: `${who} answered with BACnet error class ${enumName(ErrorClass as unknown as Record<number, string>, errorClass)} (${errorClass}) code ${enumName(ErrorCode as unknown as Record<number, string>, errorCode)} (${errorCode})`,
      };
    }
    const a = /BacnetAbort - Reason:(\d+)/.exec(message);
    if (a) {
      const reason = Number(a[1]);
      // The library reports Reject and Abort alike; the transport saw which one it was.
      if (entry.replyPduType === PduType.REJECT) {
        return {
          kind: 'reject',
          reason,
          message: `${who} rejected the request: ${enumName(RejectReason as unknown as Record<number, string>, reason)} (${reason})`,
        };
      }
      return {
        kind: 'abort',
        reason,
        message: `${who} aborted the request: ${enumName(AbortReason as unknown as Record<number, string>, reason)} (${reason})`,
      };
    }
    if (message === 'ERR_CLOSED' || this.closed)
      return { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' };
    return { kind: 'failed', code: BacnetErrorCode.METER_ERROR, message: `${who}: ${message}` };
  }

  /** Read properties of objects: RPM in chunks that fit the device, ReadProperty where RPM does not work. */
  private async readObjects(
    d: DeviceState,
    requests: ObjectRequest[],
    cycle: CallCycle,
  ): Promise<Map<string, PropOutcome>> {
    const out = new Map<string, PropOutcome>();
    const chunks: ObjectRequest[][] = [];
    for (let i = 0; i < requests.length; i += d.objectsPerRequest)
      chunks.push(requests.slice(i, i + d.objectsPerRequest));
    await Promise.all(chunks.map((chunk) => this.readChunk(d, chunk, out, cycle)));
    return out;
  }

  private async readChunk(
    d: DeviceState,
    chunk: ObjectRequest[],
    out: Map<string, PropOutcome>,
    cycle: CallCycle,
  ): Promise<void> {
    if (chunk.length === 0) return;
    if (d.rpmSupported === false) {
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    const spec: BACNetReadAccessSpecification[] = chunk.map((o) => ({
      objectId: { type: o.type, instance: o.instance } as BACNetObjectID,
      properties: o.props.map((id) => ({ id, index: ARRAY_ALL })),
    }));
    const res = await this.call(d, cycle, (invokeId, receiver) =>
      this.client.readPropertyMultiple(receiver, spec, { invokeId, maxApdu: MaxApduLengthAccepted.OCTETS_1476 }),
    );
    if (res.ok) {
      d.rpmSupported = true;
      this.acceptRpmReply(d, chunk, res.value.values, out);
      return;
    }
    const f = res.failure;
    if (isRpmUnsupported(f)) {
      if (!usesReadProperty(d))
        this.logger.info('device does not support ReadPropertyMultiple; using ReadProperty', {
          deviceId: d.deviceId,
          peer: d.peer,
        });
      d.rpmSupported = false;
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    if (isTooBig(f)) {
      if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        d.objectsPerRequest = Math.max(1, Math.min(d.objectsPerRequest, half));
        this.logger.debug('RPM reply did not fit; asking for fewer objects', { deviceId: d.deviceId, objects: half });
        await Promise.all([
          this.readChunk(d, chunk.slice(0, half), out, cycle),
          this.readChunk(d, chunk.slice(half), out, cycle),
        ]);
      } else {
        await this.readViaReadProperty(d, chunk, out, cycle);
      }
      return;
    }
    if (f.kind === 'error' && (f.errorClass === ErrorClass.OBJECT || f.errorClass === ErrorClass.PROPERTY)) {
      // Some devices fail the whole RPM for one unknown object or property: find out which, one by one.
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    const failure = failureToPoint(f);
    for (const o of chunk) for (const p of o.props) out.set(propKey(o.type, o.instance, p), failure);
  }

  private acceptRpmReply(
    d: DeviceState,
    chunk: ObjectRequest[],
    values: Array<{
      objectId: BACNetObjectID;
      values: Array<{ id: number; index: number; value: Array<{ type: number; value: unknown }> }>;
    }>,
    out: Map<string, PropOutcome>,
  ): void {
    const mismatch = (why: string): PointFailure => ({
      ok: false,
      code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
      message: `device ${d.deviceId} at ${d.peer}: ${why}; values discarded`,
    });
    const objectsMatch =
      values.length === chunk.length &&
      chunk.every((o, i) => values[i]?.objectId.type === o.type && values[i]?.objectId.instance === o.instance);
    if (!objectsMatch) {
      const asked = chunk.map((o) => `${objectTypeName(o.type)}:${o.instance}`).join(',');
      const got = values.map((v) => `${objectTypeName(v.objectId.type)}:${v.objectId.instance}`).join(',');
      const failure = mismatch(`ReadPropertyMultiple asked for [${asked}] but the reply names [${got}]`);
      this.logger.warn('BACnet reply names other objects than asked', {
        deviceId: d.deviceId,
        peer: d.peer,
        asked,
        got,
      });
      for (const o of chunk) for (const p of o.props) out.set(propKey(o.type, o.instance, p), failure);
      return;
    }
    chunk.forEach((o, i) => {
      const results = values[i]?.values ?? [];
      for (const p of o.props) {
        const r = results.find((x) => x.id === p && (x.index === ARRAY_ALL || x.index === undefined));
        if (!r) {
          out.set(
            propKey(o.type, o.instance, p),
            mismatch(`the reply for ${objectTypeName(o.type)}:${o.instance} lacks ${propertyName(p)}`),
          );
          continue;
        }
        const first = r.value[0];
        if (first && first.type === ApplicationTag.ERROR) {
          const e = first.value as { errorClass: number; errorCode: number };
          out.set(propKey(o.type, o.instance, p), {
            ok: false,
            code: BacnetErrorCode.METER_ERROR,
            message: `device ${d.deviceId}: ${objectTypeName(o.type)}:${o.instance} ${propertyName(p)}: BACnet error class ${enumName(ErrorClass as unknown as Record<number, string>, e.errorClass)} (${e.errorClass}) code ${enumName(ErrorCode as unknown as Record<number, string>, e.errorCode)} (${e.errorCode})`,
            errorClass: e.errorClass,
            errorCode: e.errorCode,
          });
          continue;
        }
        out.set(propKey(o.type, o.instance, p), { ok: true, values: toRaw(r.value) });
      }
    });
  }

  private async readViaReadProperty(
    d: DeviceState,
    chunk: ObjectRequest[],
    out: Map<string, PropOutcome>,
    cycle: CallCycle,
  ): Promise<void> {
    const jobs: Array<Promise<void>> = [];
    for (const o of chunk) {
      for (const p of o.props) {
        jobs.push(
          this.readOne(d, o.type, o.instance, p, undefined, cycle).then((r) => {
            out.set(propKey(o.type, o.instance, p), r);
          }),
        );
      }
    }
    await Promise.all(jobs);
  }

  private async readOne(
    d: DeviceState,
    type: number,
    instance: number,
    prop: number,
    arrayIndex: number | undefined,
    cycle: CallCycle | null,
  ): Promise<PropOutcome> {
    const res = await this.call(d, cycle, (invokeId, receiver) =>
      this.client.readProperty(receiver, { type, instance } as BACNetObjectID, prop, {
        invokeId,
        maxApdu: MaxApduLengthAccepted.OCTETS_1476,
        ...(arrayIndex === undefined ? {} : { arrayIndex }),
      }),
    );
    if (!res.ok) return failureToPoint(res.failure);
    const r = res.value;
    const expectedIndex = arrayIndex ?? ARRAY_ALL;
    if (
      r.objectId.type !== type ||
      r.objectId.instance !== instance ||
      r.property.id !== prop ||
      (r.property.index ?? ARRAY_ALL) !== expectedIndex
    ) {
      const got = `${objectTypeName(r.objectId.type)}:${r.objectId.instance} ${propertyName(r.property.id)}`;
      const asked = `${objectTypeName(type)}:${instance} ${propertyName(prop)}`;
      this.logger.warn('BACnet reply names another object or property than asked', {
        deviceId: d.deviceId,
        peer: d.peer,
        asked,
        got,
      });
      return {
        ok: false,
        code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
        message: `device ${d.deviceId} at ${d.peer}: asked for ${asked}, the reply names ${got}; value discarded`,
      };
    }
    return { ok: true, values: toRaw(r.values) };
  }

  /**
   * Read points of one device. Results come in the order of `points`. Reads to other devices run
   * in parallel; a dead device costs one timeout per call, not one per request.
   */
  async readPoints(device: DeviceRef, points: PointRef[]): Promise<PointResult[]> {
    if (this.closed)
      return points.map(() => ({
        ok: false,
        code: BacnetErrorCode.BACNET_CLOSED,
        message: 'the BACnet adapter was closed',
      }));
    const d = this.device(device);
    const cycle: CallCycle = { timedOut: false };
    // Nothing is read under a meter before the device at its address has said it is that meter:
    // on first contact, after a silence or a failed read (a restart, a swapped meter, a DHCP change),
    // while another device answers there, and every identityCheckMs.
    const now = Date.now();
    if (
      d.confirmedAt === null ||
      d.recheck ||
      d.wrongDevice !== undefined ||
      now - d.confirmedAt >= this.options.identityCheckMs
    ) {
      const identity = await this.confirmIdentity(d, cycle);
      if (!identity.ok) return points.map(() => ({ ...identity }));
      // Back after a silence: it may have restarted with other units.
      if (d.recheck) d.unitsDue = true;
      d.recheck = false;
    }
    if (d.unitsReadAt !== null && now - d.unitsReadAt >= this.options.unitsRefreshMs) d.unitsDue = true;
    const planned: Array<{ type: number; instance: number; prop: number } | PointFailure> = points.map((p) => {
      try {
        return {
          type: objectTypeId(p.objectType),
          instance: p.instance,
          prop: propertyId(p.property ?? 'presentValue'),
        };
      } catch (err) {
        return { ok: false, code: BacnetErrorCode.METER_ERROR, message: `invalid point: ${(err as Error).message}` };
      }
    });
    // Reliability costs a request per point with ReadProperty; there it is read only when the fault flag is set.
    const withReliability = d.rpmSupported !== false;
    const byObject = new Map<string, ObjectRequest>();
    for (const p of planned) {
      if ('ok' in p) continue;
      const key = objKey(p.type, p.instance);
      let o = byObject.get(key);
      if (!o) {
        o = { type: p.type, instance: p.instance, props: [] };
        byObject.set(key, o);
      }
      const want = [p.prop, P.STATUS_FLAGS];
      if (d.unitsDue || !d.units.has(key)) want.push(P.UNITS);
      if (withReliability) want.push(P.RELIABILITY);
      for (const w of want) if (!o.props.includes(w)) o.props.push(w);
    }
    const outcomes = await this.readObjects(d, [...byObject.values()], cycle);

    // Objects in fault read over ReadProperty: fetch their reliability now.
    if (!withReliability || usesReadProperty(d)) {
      const faulty: ObjectRequest[] = [];
      for (const o of byObject.values()) {
        const sf = outcomes.get(propKey(o.type, o.instance, P.STATUS_FLAGS));
        const flags = sf?.ok ? decodeStatusFlags(sf.values) : null;
        if (flags?.fault && !outcomes.has(propKey(o.type, o.instance, P.RELIABILITY)))
          faulty.push({ type: o.type, instance: o.instance, props: [P.RELIABILITY] });
      }
      if (faulty.length > 0) for (const [k, v] of await this.readObjects(d, faulty, cycle)) outcomes.set(k, v);
    }

    // Cache units: a number, or null when the device says the object has none. A refresh that
    // does not get an answer keeps the units known so far and asks again next time.
    let unitsAsked = false;
    let unitsMissing = false;
    for (const o of byObject.values()) {
      const key = objKey(o.type, o.instance);
      if (!o.props.includes(P.UNITS)) continue;
      unitsAsked = true;
      const u = outcomes.get(propKey(o.type, o.instance, P.UNITS));
      if (u?.ok) {
        const n = numericValue(u.values);
        d.units.set(key, n);
      } else if (u && (u.errorClass === ErrorClass.PROPERTY || u.errorClass === ErrorClass.OBJECT)) {
        d.units.set(key, null);
      } else {
        unitsMissing = true;
      }
    }
    if (unitsAsked && !unitsMissing) {
      d.unitsDue = false;
      d.unitsReadAt = now;
    }
    // Nothing answered at all: confirm who answers at the address before the next values are taken.
    if (planned.length > 0 && [...outcomes.values()].every((o) => !o.ok)) d.recheck = true;

    return planned.map((p): PointResult => {
      if ('ok' in p) return p;
      const outcome = outcomes.get(propKey(p.type, p.instance, p.prop));
      if (!outcome) return { ok: false, code: BacnetErrorCode.METER_ERROR, message: 'no outcome (internal error)' };
      if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
      const value = numericValue(outcome.values);
      if (value === null) {
        const tag = outcome.values[0]?.type;
        return {
          ok: false,
          code: BacnetErrorCode.METER_ERROR,
          message: `device ${d.deviceId}: ${objectTypeName(p.type)}:${p.instance} ${propertyName(p.prop)} is not a number (application tag ${tag ?? 'none'})`,
        };
      }
      const sf = outcomes.get(propKey(p.type, p.instance, P.STATUS_FLAGS));
      if (sf && !sf.ok && sf.code !== BacnetErrorCode.METER_ERROR) {
        // The value arrived but its status did not (timeout, mismatch): do not report it as good.
        return { ok: false, code: sf.code, message: sf.message };
      }
      const statusFlags = (sf?.ok ? decodeStatusFlags(sf.values) : null) ?? {
        inAlarm: false,
        fault: false,
        overridden: false,
        outOfService: false,
      };
      const rel = outcomes.get(propKey(p.type, p.instance, P.RELIABILITY));
      const reliability = rel?.ok ? numericValue(rel.values) : null;
      const units = d.units.get(objKey(p.type, p.instance)) ?? null;
      const symbol = unitSymbol(units);
      return {
        ok: true,
        value,
        units,
        ...(symbol !== null ? { unitSymbol: symbol } : {}),
        statusFlags,
        ...(reliability !== null ? { reliability } : {}),
        quality: qualityFromStatusFlags(statusFlags),
      };
    });
  }

  /**
   * Ask the device at the address for its Device object's objectIdentifier (the wildcard instance,
   * which every device takes as its own; the configured instance for devices that refuse it).
   */
  private async confirmIdentity(d: DeviceState, cycle: CallCycle): Promise<{ ok: true } | PointFailure> {
    const res = await this.call(d, cycle, (invokeId, receiver) =>
      this.client.readProperty(
        receiver,
        { type: ObjectType.DEVICE, instance: WILDCARD_DEVICE_INSTANCE } as BACNetObjectID,
        P.OBJECT_IDENTIFIER,
        {
          invokeId,
          maxApdu: MaxApduLengthAccepted.OCTETS_1476,
        },
      ),
    );
    const deviceIdIn = (values: Array<{ type: number; value: unknown }>): number | null => {
      const first = values[0];
      if (!first || first.type !== ApplicationTag.OBJECTIDENTIFIER) return null;
      const id = first.value as BACNetObjectID;
      return id.type === ObjectType.DEVICE ? id.instance : null;
    };
    let found: number | null;
    if (res.ok) {
      const r = res.value;
      found =
        r.objectId.type === ObjectType.DEVICE && r.property.id === P.OBJECT_IDENTIFIER ? deviceIdIn(r.values) : null;
      if (found === null) {
        return {
          ok: false,
          code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
          message: `device at ${d.peer}: the answer to "which device are you" names no device; values not read`,
        };
      }
    } else {
      const failure = failureToPoint(res.failure);
      if (res.failure.kind !== 'error') return failure;
      const own = await this.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_IDENTIFIER, undefined, cycle);
      if (own.ok) found = deviceIdIn(own.values) ?? d.deviceId;
      else if (own.errorClass === ErrorClass.OBJECT) found = null;
      else return { ok: false, code: own.code, message: own.message };
    }
    if (found === d.deviceId) {
      if (d.wrongDevice !== undefined)
        this.logger.info('the configured BACnet device answers at its address again', {
          deviceId: d.deviceId,
          peer: d.peer,
        });
      d.wrongDevice = undefined;
      d.confirmedAt = Date.now();
      return { ok: true };
    }
    if (d.wrongDevice !== found) {
      this.logger.warn('another BACnet device answers at the address of a configured meter; nothing is stored for it', {
        expectedDeviceId: d.deviceId,
        foundDeviceId: found,
        peer: d.peer,
      });
      // What was learned belongs to the other device.
      d.units.clear();
      d.unitsReadAt = null;
      d.rpmSupported = null;
    }
    d.wrongDevice = found;
    d.confirmedAt = null;
    return {
      ok: false,
      code: BacnetErrorCode.WRONG_DEVICE,
      message:
        found === null
          ? `configured as device ${d.deviceId}, but the device at ${d.peer} is another one (it has no device ${d.deviceId}); nothing is stored`
          : `configured as device ${d.deviceId}, but device ${found} answers at ${d.peer}; nothing is stored`,
      expectedDeviceId: d.deviceId,
      foundDeviceId: found,
    };
  }

  /** One raw ReadProperty, for diagnostics. */
  async readProperty(
    device: DeviceRef,
    objectType: string | number,
    instance: number,
    property: string | number,
    arrayIndex?: number,
  ): Promise<RawReadResult> {
    if (this.closed)
      return { ok: false, code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' };
    let type: number;
    let prop: number;
    try {
      type = objectTypeId(objectType);
      prop = propertyId(property);
    } catch (err) {
      return { ok: false, code: BacnetErrorCode.METER_ERROR, message: `invalid request: ${(err as Error).message}` };
    }
    const r = await this.readOne(this.device(device), type, instance, prop, arrayIndex, null);
    return r.ok ? r : { ok: false, code: r.code, message: r.message };
  }

  /**
   * Who-Is (broadcast, through the BBMD when one is configured, or unicast to `address`), collect
   * I-Am, then read each device's names, object list and analog points.
   */
  async discover(options: DiscoverOptions): Promise<DiscoveredDevice[]> {
    if (this.closed) throw new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    const targets =
      options.address === undefined ? [] : Array.isArray(options.address) ? options.address : [options.address];
    // Through a BBMD: (re-)register first, so that a refusing or silent BBMD is a clear error, not "no devices".
    const viaBbmd = targets.length === 0 ? this.foreign : null;
    if (viaBbmd) await viaBbmd.register();
    const found = new Map<number, { peer: string; maxApdu: number; segmentation: number; vendorId: number }>();
    const onIAm = (content: {
      header?: { sender?: BACNetAddress };
      payload: { deviceId: number; maxApdu: number; segmentation: number; vendorId: number };
    }): void => {
      // An I-Am forwarded by a BBMD names the meter itself in the Forwarded-NPDU (the library drops ':47808'); read the meter there, not at the BBMD.
      const forwardedFrom = content.header?.sender?.forwardedFrom;
      const peer = forwardedFrom ? splitPeer(forwardedFrom, undefined, 47808) : content.header?.sender?.address;
      const p = content.payload;
      if (!peer || found.has(p.deviceId)) return;
      if (options.lowLimit !== undefined && p.deviceId < options.lowLimit) return;
      if (options.highLimit !== undefined && p.deviceId > options.highLimit) return;
      found.set(p.deviceId, { peer, maxApdu: p.maxApdu, segmentation: p.segmentation, vendorId: p.vendorId });
    };
    this.client.on('iAm', onIAm);
    try {
      const limits =
        options.lowLimit !== undefined && options.highLimit !== undefined
          ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
          : {};
      if (viaBbmd) {
        this.client.whoIs({ address: viaBbmd.bbmd, distributeBroadcastToNetwork: true }, limits);
      } else if (targets.length === 0) {
        this.client.whoIs(undefined, limits);
      } else {
        for (const t of targets)
          this.client.whoIs({ address: splitPeer(t, undefined, this.options.broadcastPort) }, limits);
      }
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
    } finally {
      this.client.off('iAm', onIAm);
    }
    const devices = [...found.entries()].sort(([a], [b]) => a - b);
    return Promise.all(devices.map(([deviceId, info]) => this.describe(deviceId, info)));
  }

  private async describe(
    deviceId: number,
    info: { peer: string; maxApdu: number; segmentation: number; vendorId: number },
  ): Promise<DiscoveredDevice> {
    const [host = '', portText = ''] = info.peer.split(':');
    const ref: DeviceRef = { deviceId, address: host, port: Number(portText), maxApdu: Math.min(info.maxApdu, 1476) };
    const d = this.device(ref);
    const cycle: CallCycle = { timedOut: false };
    const errors: string[] = [];
    const result: DiscoveredDevice = {
      deviceId,
      address: host,
      port: Number(portText),
      maxApdu: info.maxApdu,
      segmentation: info.segmentation,
      vendorId: info.vendorId,
      objectName: null,
      vendorName: null,
      modelName: null,
      objects: [],
      points: [],
      errors,
    };
    const names = await this.readObjects(
      d,
      [{ type: ObjectType.DEVICE, instance: deviceId, props: [P.OBJECT_NAME, P.VENDOR_NAME, P.MODEL_NAME] }],
      cycle,
    );
    for (const [prop, field] of [
      [P.OBJECT_NAME, 'objectName'],
      [P.VENDOR_NAME, 'vendorName'],
      [P.MODEL_NAME, 'modelName'],
    ] as const) {
      const o = names.get(propKey(ObjectType.DEVICE, deviceId, prop));
      result[field] = stringValue(o);
      if (o && !o.ok) errors.push(`${propertyName(prop)}: ${o.message}`);
    }

    const list = await this.readObjectList(d, cycle);
    if (!list.ok) {
      errors.push(`objectList: ${list.message}`);
      return result;
    }
    result.objects = list.objects.map((o) => ({ objectType: objectTypeName(o.type), instance: o.instance }));
    const analog = list.objects.filter((o) => o.type === ObjectType.ANALOG_INPUT || o.type === ObjectType.ANALOG_VALUE);
    const details = await this.readObjects(
      d,
      analog.map((o) => ({ type: o.type, instance: o.instance, props: [P.OBJECT_NAME, P.UNITS] })),
      cycle,
    );
    for (const o of analog) {
      const name = details.get(propKey(o.type, o.instance, P.OBJECT_NAME));
      const u = details.get(propKey(o.type, o.instance, P.UNITS));
      const units = u?.ok ? numericValue(u.values) : null;
      if (u?.ok) d.units.set(objKey(o.type, o.instance), units);
      if (name && !name.ok) errors.push(`${objectTypeName(o.type)}:${o.instance} objectName: ${name.message}`);
      if (u && !u.ok && u.errorClass !== ErrorClass.PROPERTY)
        errors.push(`${objectTypeName(o.type)}:${o.instance} units: ${u.message}`);
      result.points.push({
        objectType: objectTypeName(o.type),
        instance: o.instance,
        objectName: stringValue(name),
        units,
        unitSymbol: unitSymbol(units),
      });
    }
    return result;
  }

  /** The device's objectList, whole or (when it does not fit in one reply) element by element. */
  private async readObjectList(
    d: DeviceState,
    cycle: CallCycle,
  ): Promise<{ ok: true; objects: BACNetObjectID[] } | PointFailure> {
    const toIds = (values: RawValue[]): BACNetObjectID[] =>
      values.filter((v) => v.type === ApplicationTag.OBJECTIDENTIFIER).map((v) => v.value as BACNetObjectID);
    const whole = await this.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, undefined, cycle);
    if (whole.ok) return { ok: true, objects: toIds(whole.values) };
    if (whole.code === BacnetErrorCode.METER_TIMEOUT) return whole;
    const count = await this.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, 0, cycle);
    if (!count.ok) return whole;
    const n = numericValue(count.values) ?? 0;
    const items = await Promise.all(
      Array.from({ length: n }, (_, i) => this.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, i + 1, cycle)),
    );
    const objects: BACNetObjectID[] = [];
    for (const item of items) {
      if (!item.ok) return item;
      objects.push(...toIds(item.values));
    }
    return { ok: true, objects };
  }
}
