#!/usr/bin/env node
// Run simulated meters until SIGINT/SIGTERM. Logs go to stderr as JSON lines.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EngineeringUnits } from '@bacnet-js/client';
import { startSimulator } from './simulator.js';
import type { Logger, SimMeterSpec } from './meter.js';
import { standardMeterPoints } from './points.js';
import type { PointModel, SimObjectType, SimPointSpec } from './points.js';
import { toMetersJson } from './meters-json.js';

const USAGE = `Usage: meterit-simulator [options]
  --meters N                 number of standard meters (default 3)
  --base-address IP          first meter address, the next ones count up (default 127.0.0.10)
  --port PORT                UDP port of every meter (default 47808)
  --base-device-id ID        first device id, the next ones count up (default 1000)
  --config FILE              meters from a JSON file instead: {"meters":[SimMeterSpec...]} or an agent meters.json
  --broadcast-address IP     where Who-Is arrives (default 127.255.255.255)
  --no-broadcast             do not bind the broadcast socket (unicast Who-Is only)
  --bbmd IP[:PORT]           run a BBMD in front of the meters (foreign devices register with it
                             and discover the meters through it); with --no-broadcast the meters
                             are reachable for Who-Is only through the BBMD
  --seed N                   random seed (default 1)
  --write-meters-json FILE   write the matching meters.json for the agent
  --help`;

const log = (level: string) => (msg: string, meta?: Record<string, unknown>) =>
  console.error(
    JSON.stringify({ timestamp: new Date().toISOString(), level, message: msg, service: 'simulator', ...meta }),
  );
const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: () => undefined };

function addressPlus(base: string, n: number): string {
  const parts = base.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${base}`);
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  const value = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d + n) >>> 0;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `ip` or `ip:port` (default port 47808). */
function parseEndpoint(text: string, flag: string): { address: string; port: number } {
  const [address = '', portText = '47808', extra] = text.split(':');
  const port = Number(portText);
  if (
    extra !== undefined ||
    !/^\d+\.\d+\.\d+\.\d+$/.test(address) ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535
  ) {
    throw new Error(
      `${flag} must be an IPv4 address with an optional port, e.g. 127.0.0.5 or 127.0.0.5:47808, got ${text}`,
    );
  }
  addressPlus(address, 0);
  return { address, port };
}

const NAMED_MODELS: Record<string, { model: PointModel; units: number }> = {
  total_kwh: { model: { kind: 'energy' }, units: EngineeringUnits.KILOWATT_HOURS },
  current_kw: { model: { kind: 'power' }, units: EngineeringUnits.KILOWATTS },
  voltage: { model: { kind: 'voltage' }, units: EngineeringUnits.VOLTS },
  current: { model: { kind: 'current' }, units: EngineeringUnits.AMPERES },
};

interface AgentMetersJson {
  meters: Array<{
    id: string;
    name: string;
    bacnet_device_id: number;
    bacnet_ip: string;
    bacnet_port?: number;
    data_points?: Array<{ object_type: string; instance: number; name: string }>;
  }>;
}

/** Meters from a file: either simulator specs or the agent's meters.json (points modelled by name). */
function metersFromFile(json: unknown): { meters: SimMeterSpec[]; broadcastAddress?: string; seed?: number } {
  const doc = json as { meters?: unknown[]; broadcastAddress?: string; seed?: number };
  if (!doc || !Array.isArray(doc.meters)) throw new Error('the config file needs a "meters" array');
  const first = doc.meters[0] as Record<string, unknown> | undefined;
  if (first && 'bacnet_device_id' in first) {
    const agent = doc as unknown as AgentMetersJson;
    return {
      meters: agent.meters.map((m) => ({
        deviceId: m.bacnet_device_id,
        name: m.name,
        externalId: m.id,
        address: m.bacnet_ip,
        port: m.bacnet_port ?? 47808,
        points: m.data_points?.map((p): SimPointSpec => ({
          objectType: (p.object_type === 'analogValue' ? 'analogValue' : 'analogInput') as SimObjectType,
          instance: p.instance,
          name: p.name,
          ...(NAMED_MODELS[p.name] ?? { model: { kind: 'power' }, units: EngineeringUnits.NO_UNITS }),
        })),
      })),
    };
  }
  return doc as { meters: SimMeterSpec[]; broadcastAddress?: string; seed?: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      meters: { type: 'string', default: '3' },
      'base-address': { type: 'string', default: '127.0.0.10' },
      port: { type: 'string', default: '47808' },
      'base-device-id': { type: 'string', default: '1000' },
      config: { type: 'string' },
      'broadcast-address': { type: 'string' },
      'no-broadcast': { type: 'boolean', default: false },
      bbmd: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'write-meters-json': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  let meters: SimMeterSpec[];
  let broadcastAddress = values['broadcast-address'];
  let seed = Number(values.seed);
  if (values.config) {
    const fromFile = metersFromFile(JSON.parse(await readFile(values.config, 'utf8')));
    meters = fromFile.meters;
    broadcastAddress ??= fromFile.broadcastAddress;
    if (fromFile.seed !== undefined) seed = fromFile.seed;
  } else {
    const count = Number(values.meters);
    const port = Number(values.port);
    const baseId = Number(values['base-device-id']);
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`--meters must be a positive integer, got ${values.meters}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`--port must be 1..65535, got ${values.port}`);
    if (!Number.isInteger(baseId) || baseId < 0)
      throw new Error(`--base-device-id must be an integer ≥ 0, got ${values['base-device-id']}`);
    meters = Array.from({ length: count }, (_, i) => ({
      deviceId: baseId + i,
      name: `Simulated meter ${i + 1}`,
      externalId: `meter-${String(i + 1).padStart(3, '0')}`,
      address: addressPlus(values['base-address'], i),
      port,
      points: standardMeterPoints(),
    }));
  }
  for (const m of meters) {
    if (m.address === '127.0.0.1' && (m.port ?? 47808) === 47808) {
      logger.warn('the BACnet library ignores requests from 127.0.0.1:47808; use another address for clients', {
        deviceId: m.deviceId,
      });
    }
  }
  const bbmd = values.bbmd === undefined ? undefined : parseEndpoint(values.bbmd, '--bbmd');
  const sim = await startSimulator({
    meters,
    ...(bbmd ? { bbmd } : {}),
    ...(broadcastAddress ? { broadcastAddress } : {}),
    listenBroadcast: !values['no-broadcast'],
    seed,
    logger,
  });
  for (const m of sim.meters)
    logger.info('meter listening', {
      deviceId: m.deviceId,
      name: m.name,
      address: `${m.address}:${m.port}`,
      points: m.points.length,
    });
  if (values['write-meters-json']) {
    await writeFile(values['write-meters-json'], `${JSON.stringify(toMetersJson(sim.meters), null, 2)}\n`);
    logger.info('wrote meters.json', { path: values['write-meters-json'] });
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  logger.error('simulator failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
