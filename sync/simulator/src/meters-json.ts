import type { SimMeterInfo } from './simulator.js';

/** One meter in the original meters.json format (bacnet_port is the agent's addition). */
export interface MetersJsonMeter {
  id: string;
  name: string;
  bacnet_device_id: number;
  bacnet_ip: string;
  bacnet_port?: number;
  data_points: Array<{ object_type: string; instance: number; property: string; name: string }>;
}

/** The meters.json that makes the agent read exactly these simulated meters. */
export function toMetersJson(meters: SimMeterInfo[]): { meters: MetersJsonMeter[] } {
  return {
    meters: meters.map((m) => ({
      id: m.externalId,
      name: m.name,
      bacnet_device_id: m.deviceId,
      bacnet_ip: m.address,
      bacnet_port: m.port,
      data_points: m.points.map((p) => ({
        object_type: p.objectType,
        instance: p.instance,
        property: 'presentValue',
        name: p.name,
      })),
    })),
  };
}
