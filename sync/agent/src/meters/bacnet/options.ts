import { parseBbmdAddress } from './foreign-device.js';
import type { BacnetAdapterOptions, ResolvedOptions } from './types.js';

/** The library reuses invoke ids 0–255; stay far enough below that for the quarantine to work. */
const MAX_TOTAL_LIMIT = 200;
/** Upper bound of maxInFlightProbes: probes and shared requests together stay well below the 255 invoke ids. */
const MAX_PROBE_LIMIT = 32;

/** The adapter's options with their defaults; throws listing every bad one at once. */
export function resolveOptions(options: BacnetAdapterOptions): {
  resolved: ResolvedOptions;
  bbmd: { address: string; ttlSeconds: number } | null;
} {
  const resolved: ResolvedOptions = {
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
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) bad.push(`port ${resolved.port}`);
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
  return { resolved, bbmd };
}
