import bacnet from '@bacnet-js/client';
import type { MeterProtocol, PointQuery } from '../protocol.js';
import { Discovery } from './discovery.js';
import { BacnetError, BacnetErrorCode } from './errors.js';
import { ForeignDeviceRegistration } from './foreign-device.js';
import type { ForeignDeviceStatus } from './foreign-device.js';
import { RequestLanes } from './lanes.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { objectTypeId, propertyId } from './names.js';
import { ObjectReader } from './object-reader.js';
import { resolveOptions } from './options.js';
import { PointReader } from './point-reader.js';
import { GuardedTransport } from './transport.js';
import type { BroadcastListener } from './transport.js';
import type {
  BacnetAdapterOptions,
  Client,
  ClientClass,
  DeviceRef,
  DiscoveredDevice,
  DiscoverOptions,
  PointRef,
  PointResult,
  RawReadResult,
  ResolvedOptions,
} from './types.js';

// Node hands a CommonJS module's exports to a default import; bundlers such as Vite (vitest) hand
// over its `default` export instead. Accept both.
const BACnetClient: ClientClass = typeof bacnet === 'function' ? (bacnet as unknown as ClientClass) : bacnet.default;

/**
 * The agent's only door to BACnet/IP, and its MeterProtocol. Reads points with
 * ReadPropertyMultiple (ReadProperty for devices that refuse it), discovers devices, and guards
 * against the library's defects: own invoke ids with a quarantine, per-device and total in-flight
 * caps, an own timeout on every call (lanes.ts), reply source and object id checks (transport.ts,
 * object-reader.ts), exclusive bind.
 */
export class BacnetAdapter implements MeterProtocol {
  private readonly lanes: RequestLanes;
  private readonly objects: ObjectReader;
  private readonly points: PointReader;
  private readonly discovery: Discovery;
  /** The registration with the BBMD, when discovery goes through one. */
  private readonly foreign: ForeignDeviceRegistration | null;
  /** Whether datagrams to the broadcast address reach this adapter (see `listenBroadcast`). */
  private broadcastListener: BroadcastListener = { state: 'not-needed' };

  private constructor(
    private readonly client: Client,
    private readonly transport: GuardedTransport,
    options: ResolvedOptions,
    logger: Logger,
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
    this.lanes = new RequestLanes(client, transport, options);
    this.objects = new ObjectReader(client, this.lanes, logger);
    this.points = new PointReader(client, this.lanes, this.objects, options, logger);
    this.discovery = new Discovery(client, this.lanes, this.objects, this.foreign, options.broadcastPort);
  }

  static async open(options: BacnetAdapterOptions): Promise<BacnetAdapter> {
    const logger = options.logger ?? silentLogger;
    const { resolved, bbmd } = resolveOptions(options);

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
    if (this.lanes.closed) throw new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    await this.foreign.register();
    return this.foreign.status();
  }

  /** Register with the configured BBMD now and again every TTL/2 until close() (failures are logged and retried). */
  keepForeignDeviceRegistration(): void {
    if (!this.foreign) throw new Error('no BBMD is configured for this BACnet adapter');
    if (!this.lanes.closed) this.foreign.keepAlive();
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
      inFlight: this.lanes.inFlight().total,
      probesInFlight: this.lanes.inFlight().probes,
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
    const d = this.lanes.device(device);
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
    this.lanes.close(() => this.foreign?.stop());
  }

  /**
   * Read points of one device. Results come in the order of `points`. Reads to other devices run
   * in parallel; a dead device costs one timeout per call, not one per request.
   */
  readPoints(device: DeviceRef, points: PointRef[]): Promise<PointResult[]> {
    return this.points.readPoints(device, points);
  }

  /** One raw read of a property (MeterProtocol), for diagnostics. */
  readPoint(device: DeviceRef, point: PointQuery): Promise<RawReadResult> {
    return this.readProperty(
      device,
      point.objectType,
      point.instance,
      point.property ?? 'presentValue',
      point.arrayIndex,
    );
  }

  /** One raw ReadProperty, for diagnostics. */
  async readProperty(
    device: DeviceRef,
    objectType: string | number,
    instance: number,
    property: string | number,
    arrayIndex?: number,
  ): Promise<RawReadResult> {
    if (this.lanes.closed)
      return { ok: false, code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' };
    let type: number;
    let prop: number;
    try {
      type = objectTypeId(objectType);
      prop = propertyId(property);
    } catch (err) {
      return { ok: false, code: BacnetErrorCode.METER_ERROR, message: `invalid request: ${(err as Error).message}` };
    }
    const r = await this.objects.readOne(this.lanes.device(device), type, instance, prop, arrayIndex, null);
    return r.ok ? r : { ok: false, code: r.code, message: r.message };
  }

  /**
   * Who-Is (broadcast, through the BBMD when one is configured, or unicast to `address`), collect
   * I-Am, then read each device's names, object list and analog points.
   */
  discover(options: DiscoverOptions): Promise<DiscoveredDevice[]> {
    return this.discovery.discover(options);
  }
}
