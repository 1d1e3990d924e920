import { ErrorCode, type MeterConfig } from '@meterit/shared';
import {
  DISCOVER_TIMEOUT_MS,
  discoveryView,
  readValuesView,
  type BacklogHistoryResponse,
  type DiscoverRequest,
  type DiscoverResponse,
  type ReadPointRequest,
  type ReadPointResponse,
} from '@meterit/shared/site-contracts';
import type { SiteControl, SiteReadModel } from '../site/ports.js';
import type { DiscoveryGate } from './discovery-gate.js';
import { LocalApiError } from './errors.js';

const HOUR_MS = 3600_000;
const MAX_CHART_POINTS = 288;
const BACNET_PORT = 47808;

/** "10.0.0.5" or "10.0.0.5:47809" as address and port. */
function splitAddress(a: string): { address: string; port: number } {
  const [address = a, port] = a.split(':');
  return { address, port: port === undefined ? BACNET_PORT : Number(port) };
}

/**
 * The technician's tools and the backlog chart, shaped into the local API's answers: Who-Is discovery (through the
 * site's one discovery gate, shared with MCP), one live read of a point, the sampled backlog of the day.
 */
export class ToolsView {
  constructor(
    private readonly read: SiteReadModel,
    private readonly control: SiteControl,
    private readonly discovery: DiscoveryGate,
  ) {}

  async backlogHistory(hours: number): Promise<BacklogHistoryResponse> {
    const now = this.read.now();
    const from = now - hours * HOUR_MS;
    const samples = this.read.backlogHistory(new Date(from));
    // One point per slot, its highest count: a chart of a day stays small and no peak is hidden. The slots divide the
    // span the samples cover, so a history of minutes (a fresh install) is drawn as finely as one of a day.
    const bucketMs = Math.max(1, Math.ceil((now - (samples[0]?.at ?? now)) / MAX_CHART_POINTS));
    const points: Array<{ at: number; count: number }> = [];
    for (const s of samples) {
      const last = points.at(-1);
      if (last && Math.floor(last.at / bucketMs) === Math.floor(s.at / bucketMs)) {
        if (s.count >= last.count) points[points.length - 1] = s;
      } else points.push(s);
    }
    const current = await this.read.backlog().then(
      (q) => q.depth,
      () => samples.at(-1)?.count ?? null,
    );
    if (current !== null && (points.at(-1)?.at ?? 0) < now) points.push({ at: now, count: current });
    return {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      sample_s: this.read.facts().backlogSampleSeconds,
      source:
        'The agent samples how many readings wait in its upload queue whenever it reads its status (at most once per sample_s) and keeps the samples of the last 24 hours; the chart shows the highest count per time slot.',
      samples: points.map((p) => ({ t: new Date(p.at).toISOString(), count: p.count })),
    };
  }

  async discover(b: DiscoverRequest, caller: string): Promise<DiscoverResponse> {
    const timeoutMs = b.timeout_ms ?? DISCOVER_TIMEOUT_MS;
    const started = Date.now();
    const [found, { meters }] = await Promise.all([
      this.discovery.discover(
        {
          timeoutMs,
          lowLimit: b.low_limit,
          highLimit: b.high_limit,
          address: b.addresses,
        },
        caller,
      ),
      this.read.meters(),
    ]);
    const view = discoveryView(
      found,
      meters.map((m) => ({ id: m.id, name: m.name, deviceId: m.bacnet_device_id })),
      b,
    );
    return {
      target: b.addresses ? b.addresses.join(', ') : this.read.facts().discoveryTarget,
      timeout_ms: timeoutMs,
      duration_ms: Date.now() - started,
      ...view,
    };
  }

  /** The object and property to read: a configured data point of the meter, or as given. */
  private pointOf(
    b: ReadPointRequest,
    meters: readonly MeterConfig[],
  ): { objectType: string; instance: number; property: string } {
    if (b.point === undefined)
      return {
        objectType: b.object_type as string,
        instance: b.instance as number,
        property: b.property ?? 'presentValue',
      };
    const m = meters.find((x) => x.id === b.meter);
    const p = m?.data_points.find((x) => x.name === b.point);
    if (!m || !p)
      throw new LocalApiError(
        404,
        ErrorCode.NOT_FOUND,
        `meter ${JSON.stringify(b.meter)} has no data point ${JSON.stringify(b.point)}; its points: ${m?.data_points.map((x) => x.name).join(', ') || 'none'}`,
      );
    return {
      objectType: String(p.object_type),
      instance: p.instance,
      property: b.property ?? String(p.property ?? 'presentValue'),
    };
  }

  async readPoint(b: ReadPointRequest): Promise<ReadPointResponse> {
    const { meters } = await this.read.meters();
    let device: { deviceId: number; address: string; port: number };
    let meter: string | null = null;
    if (b.meter !== undefined) {
      const m = meters.find((x) => x.id === b.meter);
      if (!m)
        throw new LocalApiError(
          404,
          ErrorCode.NOT_FOUND,
          `no meter ${JSON.stringify(b.meter)} is configured on this site; configured meters: ${meters.map((x) => x.id).join(', ') || 'none'}`,
        );
      if (b.device_id !== undefined && b.device_id !== m.bacnet_device_id)
        throw new LocalApiError(
          400,
          ErrorCode.VALIDATION_FAILED,
          `invalid request: meter ${m.id} is device ${m.bacnet_device_id}, not ${b.device_id}; give one of them`,
        );
      meter = m.id;
      device = {
        deviceId: m.bacnet_device_id,
        ...(b.address ? splitAddress(b.address) : { address: m.bacnet_ip, port: m.bacnet_port ?? BACNET_PORT }),
      };
    } else {
      const id = b.device_id as number;
      const m = meters.find((x) => x.bacnet_device_id === id);
      if (!b.address && !m)
        throw new LocalApiError(
          400,
          ErrorCode.VALIDATION_FAILED,
          `invalid request: address: device ${id} is not a configured meter, so give its address too`,
        );
      meter = m && !b.address ? m.id : null;
      device = {
        deviceId: id,
        ...(b.address ? splitAddress(b.address) : { address: m!.bacnet_ip, port: m!.bacnet_port ?? BACNET_PORT }),
      };
    }
    const what = this.pointOf(b, meters);
    const property = what.property;
    const started = Date.now();
    const r = await this.control.readPoint({
      device,
      objectType: /^\d+$/.test(what.objectType) ? Number(what.objectType) : what.objectType,
      instance: what.instance,
      property: /^\d+$/.test(property) ? Number(property) : property,
      arrayIndex: b.array_index,
    });
    const values = r.ok ? readValuesView(r.values) : [];
    return {
      device: { device_id: device.deviceId, address: device.address, port: device.port },
      meter,
      point: b.point ?? null,
      object: { type: what.objectType, instance: what.instance },
      property,
      array_index: b.array_index ?? null,
      response_ms: Date.now() - started,
      ok: r.ok,
      value: values[0]?.value ?? null,
      values,
      error: r.ok ? null : { code: r.code, message: r.message },
    };
  }
}
