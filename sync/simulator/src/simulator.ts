import dgram from 'node:dgram';
import { startBbmd } from './bbmd.js';
import type { Bbmd } from './bbmd.js';
import { applyBehaviour } from './behaviour.js';
import type { MeterBehaviour, MeterBehaviourInput } from './behaviour.js';
import { SimMeter } from './meter.js';
import type { Logger, SimMeterSpec, WhoIsSeen } from './meter.js';
import type { ServedValue } from './object-model.js';
import type { SimObjectType } from './points.js';

export interface SimulatorOptions {
  meters: SimMeterSpec[];
  /**
   * Where Who-Is broadcasts arrive, default 127.255.255.255. The simulator binds one socket on
   * this address per meter port and hands what it receives to every meter, because on Linux a
   * socket bound to one loopback address (127.0.0.2) never sees a broadcast.
   */
  broadcastAddress?: string;
  /** Set false to not bind the broadcast socket (discovery then only works by unicast Who-Is). */
  listenBroadcast?: boolean;
  /**
   * Meters answer every Who-Is with an I-Am broadcast to `broadcastAddress` (as many devices do)
   * instead of unicast to the asker. With `listenBroadcast: false` the asker may then hold the
   * broadcast address itself, as an agent bound to one address does.
   */
  iAmBroadcast?: boolean;
  /**
   * A BBMD on the meters' network, for discovery from another subnet: foreign devices register
   * with it and send Who-Is through it. Combine with `listenBroadcast: false` so that a plain
   * broadcast Who-Is does not reach the meters, as on a real site where they sit on another subnet.
   */
  bbmd?: { address: string; port?: number; graceSeconds?: number; maxForeignDevices?: number };
  /** Seed for every random value; the same seed gives the same meters. */
  seed?: number;
  /** Clock in ms since the epoch; default Date.now. */
  clock?: () => number;
  logger?: Logger;
}

export interface SimPointInfo {
  objectType: SimObjectType;
  instance: number;
  name: string;
  units: number;
}

export interface SimMeterInfo {
  deviceId: number;
  name: string;
  externalId: string;
  address: string;
  port: number;
  maxApdu: number;
  vendorId: number;
  running: boolean;
  points: SimPointInfo[];
}

export interface Simulator {
  /** The meters as configured, with whether each is bound right now. */
  readonly meters: SimMeterInfo[];
  /** The BBMD in front of the meters, when `bbmd` was given: its Foreign Device Table and what it forwarded. */
  readonly bbmd: Omit<Bbmd, 'fromLocalNetwork' | 'stop'> | null;
  /** Every presentValue served, in order, exactly as encoded on the wire. */
  served(): ServedValue[];
  clearServed(): void;
  /** Every Who-Is that reached a meter, in order (one entry per meter it reached). */
  whoIs(): WhoIsSeen[];
  clearWhoIs(): void;
  behaviour(deviceId: number): MeterBehaviour;
  setBehaviour(deviceId: number, behaviour: MeterBehaviourInput): void;
  /** Give one point of a meter other units from now on (objectType default analogInput). */
  setUnits(deviceId: number, point: { instance: number; objectType?: SimObjectType }, units: number): void;
  /** Close one meter's socket (the address stops answering entirely). */
  stopMeter(deviceId: number): Promise<void>;
  startMeter(deviceId: number): Promise<void>;
  stop(): Promise<void>;
}

const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const broadcastAddress = options.broadcastAddress ?? '127.255.255.255';
  const logger = options.logger ?? silentLogger;
  const servedValues: ServedValue[] = [];
  const whoIsSeen: WhoIsSeen[] = [];
  const clock = options.clock ?? Date.now;
  let bbmd: Bbmd | null = null;
  const ctx = {
    broadcastAddress,
    clock,
    seed: options.seed ?? 1,
    record: (s: ServedValue) => servedValues.push(s),
    recordWhoIs: (w: WhoIsSeen) => whoIsSeen.push(w),
    logger,
    ...(options.iAmBroadcast ? { iAmBroadcast: true } : {}),
    ...(options.bbmd
      ? { localBroadcast: (datagram: Buffer, sender: string) => bbmd?.fromLocalNetwork(datagram, sender) }
      : {}),
  };
  const meters = new Map<number, SimMeter>();
  const endpoints = new Set<string>();
  for (const spec of options.meters) {
    if (meters.has(spec.deviceId)) throw new Error(`device id ${spec.deviceId} is used by two meters`);
    const meter = new SimMeter(spec, ctx);
    if (endpoints.has(meter.endpoint)) throw new Error(`two meters bind ${meter.endpoint}`);
    endpoints.add(meter.endpoint);
    meters.set(spec.deviceId, meter);
  }

  const broadcastSockets: dgram.Socket[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all([...meters.values()].map((m) => m.stop()));
    for (const s of broadcastSockets.splice(0)) s.close();
    await bbmd?.stop();
  };

  const bbmdPort = options.bbmd?.port ?? 47808;
  try {
    await Promise.all([...meters.values()].map((m) => m.start()));
    if (options.listenBroadcast !== false) {
      const ports = new Set([...meters.values()].map((m) => m.spec.port));
      for (const port of ports) {
        broadcastSockets.push(await bindBroadcast(broadcastAddress, port, meters, logger));
      }
    }
    if (options.bbmd) {
      bbmd = await startBbmd({
        ...options.bbmd,
        clock,
        logger,
        // The BBMD's network is the meters': its broadcast reaches every meter on its port.
        broadcastLocally: (datagram, sender) => {
          for (const m of meters.values()) if (m.spec.port === bbmdPort) m.inject(datagram, sender);
        },
      });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  logger.info('simulator started', { meters: meters.size, broadcastAddress, bbmd: bbmd?.endpoint ?? null });

  const get = (deviceId: number): SimMeter => {
    const m = meters.get(deviceId);
    if (!m) throw new Error(`no simulated meter with device id ${deviceId}`);
    return m;
  };

  const bbmdView = bbmd as Bbmd | null;
  return {
    bbmd: bbmdView && {
      endpoint: bbmdView.endpoint,
      foreignDevices: () => bbmdView.foreignDevices(),
      forwarded: () => bbmdView.forwarded(),
      clearForwarded: () => bbmdView.clearForwarded(),
    },
    get meters(): SimMeterInfo[] {
      return [...meters.values()].map((m) => ({
        deviceId: m.spec.deviceId,
        name: m.spec.name,
        externalId: m.spec.externalId,
        address: m.spec.address,
        port: m.spec.port,
        maxApdu: m.spec.maxApdu,
        vendorId: m.spec.vendorId,
        running: m.running,
        points: m.points.map((p) => ({
          objectType: p.objectType ?? 'analogInput',
          instance: p.instance,
          name: p.name,
          units: p.units,
        })),
      }));
    },
    served: () => servedValues.slice(),
    clearServed: () => {
      servedValues.length = 0;
    },
    whoIs: () => whoIsSeen.slice(),
    clearWhoIs: () => {
      whoIsSeen.length = 0;
    },
    behaviour: (deviceId) => ({ ...get(deviceId).behaviour }),
    setBehaviour: (deviceId, behaviour) => {
      const m = get(deviceId);
      m.behaviour = applyBehaviour(m.behaviour, behaviour);
    },
    setUnits: (deviceId, point, units) =>
      get(deviceId).setUnits(point.objectType ?? 'analogInput', point.instance, units),
    stopMeter: (deviceId) => get(deviceId).stop(),
    startMeter: (deviceId) => get(deviceId).start(),
    stop: async () => {
      await stopAll();
      logger.info('simulator stopped');
    },
  };
}

function bindBroadcast(
  address: string,
  port: number,
  meters: Map<number, SimMeter>,
  logger: Logger,
): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(
        new Error(
          `cannot bind the broadcast socket ${address}:${port} (${err.code ?? err.message}); another simulator may be using it`,
          { cause: err },
        ),
      );
    });
    socket.on('message', (msg, rinfo) => {
      const sender = `${rinfo.address}:${rinfo.port}`;
      for (const m of meters.values()) {
        // A meter's own broadcast (it sends none today) must not come back to it.
        if (m.spec.port === port && m.endpoint !== sender) m.inject(msg, sender);
      }
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      socket.on('error', (err) => logger.error('broadcast socket error', { error: err.message }));
      resolve(socket);
    });
  });
}
