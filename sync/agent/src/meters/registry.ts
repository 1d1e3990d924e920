import {
  DEFAULT_METER_PROTOCOL,
  METER_PROTOCOLS,
  type DataPointConfig,
  type MeterConfig,
  type MeterProtocolName,
} from '@meterit/shared';
import { MeterErrorCode } from './protocol.js';
import type { MeterDevice, MeterPoint, MeterProtocol, PointResult } from './protocol.js';

// Every protocol a site agent speaks is named once, in @meterit/shared (the client system checks the same list); a
// meter names its own in meters.json (`protocol`, default bacnet).
export { DEFAULT_METER_PROTOCOL, METER_PROTOCOLS };
export type { MeterProtocolName };

/** A meter as configured: meters.json names its protocol; the client system's configuration may not (bacnet). */
export type ProtocolMeter = MeterConfig & { protocol?: string };

/** An open protocol, and how a configured meter names its device and points in that protocol's terms. */
export interface ProtocolBinding {
  readonly protocol: MeterProtocol;
  target(meter: MeterConfig, points: readonly DataPointConfig[]): { device: MeterDevice; points: MeterPoint[] };
}

/**
 * Picks each meter's protocol. The collector reads every meter through here and never knows which
 * protocol answers: a second protocol is a folder under meters/ and one binding where the agent is
 * composed.
 */
export class MeterProtocols {
  constructor(private readonly bindings: Partial<Record<MeterProtocolName, ProtocolBinding>>) {}

  /** The protocol a meter names (bacnet when it names none). */
  static nameOf(meter: ProtocolMeter): string {
    return meter.protocol ?? DEFAULT_METER_PROTOCOL;
  }

  /** Read data points of a configured meter (default all) with its protocol; one result per point, in order. */
  async readMeter(
    meter: ProtocolMeter,
    points: readonly DataPointConfig[] = meter.data_points,
  ): Promise<PointResult[]> {
    const binding = this.binding(meter);
    if (!binding) {
      const name = MeterProtocols.nameOf(meter);
      return points.map(() => ({
        ok: false as const,
        code: MeterErrorCode.METER_ERROR,
        message: `the meter's protocol "${name}" is not open on this agent (known: ${Object.keys(this.bindings).join(', ') || 'none'})`,
      }));
    }
    const target = binding.target(meter, points);
    return binding.protocol.readPoints(target.device, target.points);
  }

  /** Close every open protocol. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.bindings).map((b) => b?.protocol.close()));
  }

  private binding(meter: ProtocolMeter): ProtocolBinding | undefined {
    const name = MeterProtocols.nameOf(meter);
    return Object.hasOwn(this.bindings, name) ? this.bindings[name as MeterProtocolName] : undefined;
  }
}
