// The technician's tools' answers, built from what the agent's BACnet adapter reports. The local API
// (POST /api/control/discover, …/read-point) and the site MCP tools (discover_devices, read_point) both
// shape their answers here, so a device or a value reads the same on the dashboard and to an assistant.
// Browser-safe: no Node built-ins (bytes are read as Uint8Array, which a Node Buffer is).
import type { DiscoveredDeviceView, ReadPointResponse } from './control.js';

/** As the agent's BACnet adapter describes a device that answered Who-Is. */
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
  objects: Array<{ objectType: string; instance: number }>;
  points: Array<{
    objectType: string;
    instance: number;
    objectName: string | null;
    units: number | null;
    unitSymbol: string | null;
  }>;
  errors: string[];
}

/** A meter the site collects from, as far as discovery needs to know it. */
export interface ConfiguredDevice {
  /** The meter's id (external id). */
  id: string;
  name: string;
  /** Its BACnet device instance. */
  deviceId: number;
}

/** What a Who-Is asked for: an instance range (both limits or neither) or given addresses. */
export interface DiscoveryAsked {
  low_limit?: number | undefined;
  high_limit?: number | undefined;
  addresses?: string[] | undefined;
}

/**
 * The devices that answered, each with the configured meter it is (if any), and the configured meters in the asked
 * range that did not answer (none when the Who-Is went to given addresses: the others were not asked).
 */
export function discoveryView(
  found: readonly DiscoveredDevice[],
  configured: readonly ConfiguredDevice[],
  asked: DiscoveryAsked,
): { devices: DiscoveredDeviceView[]; configured_not_found: string[] } {
  const byDevice = new Map(configured.map((m) => [m.deviceId, m]));
  const seen = new Set(found.map((d) => d.deviceId));
  const { low_limit: low, high_limit: high } = asked;
  const inRange = (id: number) => low === undefined || high === undefined || (id >= low && id <= high);
  return {
    devices: found.map((d) => {
      const m = byDevice.get(d.deviceId);
      return {
        device_id: d.deviceId,
        address: d.address,
        port: d.port,
        name: d.objectName,
        vendor_id: d.vendorId,
        vendor_name: d.vendorName,
        model_name: d.modelName,
        max_apdu: d.maxApdu,
        objects: d.objects.map((o) => ({ object_type: o.objectType, instance: o.instance })),
        points: d.points.map((p) => ({
          object_type: p.objectType,
          instance: p.instance,
          name: p.objectName,
          units: p.units,
          unit: p.unitSymbol,
        })),
        configured_as: m ? { meter: m.id, name: m.name } : null,
        errors: d.errors,
      };
    }),
    configured_not_found: asked.addresses
      ? []
      : configured.filter((m) => inRange(m.deviceId) && !seen.has(m.deviceId)).map((m) => m.id),
  };
}

/** The values' BACnet application tags, for reading a raw answer. */
export const APPLICATION_TAGS = [
  'NULL',
  'BOOLEAN',
  'UNSIGNED_INTEGER',
  'SIGNED_INTEGER',
  'REAL',
  'DOUBLE',
  'OCTET_STRING',
  'CHARACTER_STRING',
  'BIT_STRING',
  'ENUMERATED',
  'DATE',
  'TIME',
  'OBJECTIDENTIFIER',
] as const;

/** Any decoded value as plain JSON: bytes as hex, bigints as strings, bounded in depth and size. */
export function jsonSafe(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
  if (depth > 5) return '…';
  if (Array.isArray(v)) return v.slice(0, 200).map((x) => jsonSafe(x, depth + 1));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 50)) out[k] = jsonSafe(x, depth + 1);
    return out;
  }
  return String(v);
}

/** One ReadProperty answer's values, each with its application tag by name and as plain JSON. */
export function readValuesView(values: ReadonlyArray<{ type: number; value: unknown }>): ReadPointResponse['values'] {
  return values.map((v) => ({
    tag: v.type,
    tag_name: APPLICATION_TAGS[v.type] ?? `TAG_${v.type}`,
    value: jsonSafe(v.value),
  }));
}
