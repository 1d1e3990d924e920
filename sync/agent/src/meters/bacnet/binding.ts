import type { DataPointConfig, MeterConfig } from '@meterit/shared';
import type { MeterProtocol } from '../protocol.js';
import type { ProtocolBinding } from '../registry.js';

/** The BACnet/IP port a meter without `bacnet_port` listens on. */
const BACNET_PORT = 47808;

/**
 * BACnet as the registry's `bacnet` protocol: a meter is its `bacnet_device_id` at
 * `bacnet_ip:bacnet_port`, a data point its `object_type`, `instance` and `property`.
 */
export function bacnetBinding(protocol: MeterProtocol): ProtocolBinding {
  return {
    protocol,
    target: (meter: MeterConfig, points: readonly DataPointConfig[]) => ({
      device: { deviceId: meter.bacnet_device_id, address: meter.bacnet_ip, port: meter.bacnet_port ?? BACNET_PORT },
      points: points.map((p) => ({
        objectType: p.object_type,
        instance: p.instance,
        property: p.property ?? 'presentValue',
      })),
    }),
  };
}
