import type { MeterConfig } from '@meterit/shared';
import type { DiscoveredDevice } from '../meters/bacnet/index.js';

/** 'Active Energy Total' → 'active_energy_total'; unique within the meter. */
function pointName(objectName: string | null, fallback: string, taken: Set<string>): string {
  const base =
    (objectName ?? '')
      .normalize('NFKD')
      .replace(/[^\w]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase()
      .slice(0, 90) || fallback;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** A meters.json proposal from what discovery found: every analog input/value of every device. */
export function proposeMeters(devices: DiscoveredDevice[]): MeterConfig[] {
  return devices
    .filter((d) => d.points.length > 0)
    .map((d) => {
      const taken = new Set<string>();
      return {
        id: `meter-${d.deviceId}`,
        name: d.objectName ?? `BACnet device ${d.deviceId}`,
        bacnet_device_id: d.deviceId,
        bacnet_ip: d.address,
        bacnet_port: d.port,
        data_points: d.points.map((p) => ({
          object_type: p.objectType,
          instance: p.instance,
          property: 'presentValue',
          name: pointName(p.objectName, `${p.objectType}_${p.instance}`, taken),
          ...(p.unitSymbol ? { unit: p.unitSymbol } : {}),
        })),
      };
    });
}
