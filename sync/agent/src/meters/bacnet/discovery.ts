// Discovery: Who-Is (broadcast, through a BBMD, or unicast), collect I-Am, then describe each
// device (names, object list, analog points with their units) for the commissioning report.
import { ApplicationTag, ErrorClass, ObjectType, PropertyIdentifier } from '@bacnet-js/client';
import type { BACNetAddress, BACNetObjectID } from '@bacnet-js/client';
import { unitSymbol } from '@meterit/shared';
import { numericValue, objKey, propKey, splitPeer, stringValue } from './decoders.js';
import { BacnetError, BacnetErrorCode } from './errors.js';
import type { ForeignDeviceRegistration } from './foreign-device.js';
import type { RequestLanes } from './lanes.js';
import { objectTypeName, propertyName } from './names.js';
import type { ObjectReader } from './object-reader.js';
import type {
  CallCycle,
  Client,
  DeviceRef,
  DeviceState,
  DiscoveredDevice,
  DiscoverOptions,
  PointFailure,
  RawValue,
} from './types.js';

const P = PropertyIdentifier;

export class Discovery {
  constructor(
    private readonly client: Client,
    private readonly lanes: RequestLanes,
    private readonly objects: ObjectReader,
    /** The registration with the BBMD, when discovery goes through one. */
    private readonly foreign: ForeignDeviceRegistration | null,
    private readonly broadcastPort: number,
  ) {}

  /**
   * Who-Is (broadcast, through the BBMD when one is configured, or unicast to `address`), collect
   * I-Am, then read each device's names, object list and analog points.
   */
  async discover(options: DiscoverOptions): Promise<DiscoveredDevice[]> {
    if (this.lanes.closed) throw new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    const targets =
      options.address === undefined ? [] : Array.isArray(options.address) ? options.address : [options.address];
    // Through a BBMD: (re-)register first, so that a refusing or silent BBMD is a clear error, not "no devices".
    const viaBbmd = targets.length === 0 ? this.foreign : null;
    if (viaBbmd) await viaBbmd.register();
    const found = new Map<number, { peer: string; maxApdu: number; segmentation: number; vendorId: number }>();
    const onIAm = (content: {
      header?: { sender?: BACNetAddress };
      payload: { deviceId: number; maxApdu: number; segmentation: number; vendorId: number };
    }): void => {
      // An I-Am forwarded by a BBMD names the meter itself in the Forwarded-NPDU (the library drops ':47808'); read the meter there, not at the BBMD.
      const forwardedFrom = content.header?.sender?.forwardedFrom;
      const peer = forwardedFrom ? splitPeer(forwardedFrom, undefined, 47808) : content.header?.sender?.address;
      const p = content.payload;
      if (!peer || found.has(p.deviceId)) return;
      if (options.lowLimit !== undefined && p.deviceId < options.lowLimit) return;
      if (options.highLimit !== undefined && p.deviceId > options.highLimit) return;
      found.set(p.deviceId, { peer, maxApdu: p.maxApdu, segmentation: p.segmentation, vendorId: p.vendorId });
    };
    this.client.on('iAm', onIAm);
    try {
      const limits =
        options.lowLimit !== undefined && options.highLimit !== undefined
          ? { lowLimit: options.lowLimit, highLimit: options.highLimit }
          : {};
      if (viaBbmd) {
        this.client.whoIs({ address: viaBbmd.bbmd, distributeBroadcastToNetwork: true }, limits);
      } else if (targets.length === 0) {
        this.client.whoIs(undefined, limits);
      } else {
        for (const t of targets) this.client.whoIs({ address: splitPeer(t, undefined, this.broadcastPort) }, limits);
      }
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
    } finally {
      this.client.off('iAm', onIAm);
    }
    const devices = [...found.entries()].sort(([a], [b]) => a - b);
    return Promise.all(devices.map(([deviceId, info]) => this.describe(deviceId, info)));
  }

  private async describe(
    deviceId: number,
    info: { peer: string; maxApdu: number; segmentation: number; vendorId: number },
  ): Promise<DiscoveredDevice> {
    const [host = '', portText = ''] = info.peer.split(':');
    const ref: DeviceRef = { deviceId, address: host, port: Number(portText), maxApdu: Math.min(info.maxApdu, 1476) };
    const d = this.lanes.device(ref);
    const cycle: CallCycle = { timedOut: false };
    const errors: string[] = [];
    const result: DiscoveredDevice = {
      deviceId,
      address: host,
      port: Number(portText),
      maxApdu: info.maxApdu,
      segmentation: info.segmentation,
      vendorId: info.vendorId,
      objectName: null,
      vendorName: null,
      modelName: null,
      objects: [],
      points: [],
      errors,
    };
    const names = await this.objects.readObjects(
      d,
      [{ type: ObjectType.DEVICE, instance: deviceId, props: [P.OBJECT_NAME, P.VENDOR_NAME, P.MODEL_NAME] }],
      cycle,
    );
    for (const [prop, field] of [
      [P.OBJECT_NAME, 'objectName'],
      [P.VENDOR_NAME, 'vendorName'],
      [P.MODEL_NAME, 'modelName'],
    ] as const) {
      const o = names.get(propKey(ObjectType.DEVICE, deviceId, prop));
      result[field] = stringValue(o);
      if (o && !o.ok) errors.push(`${propertyName(prop)}: ${o.message}`);
    }

    const list = await this.readObjectList(d, cycle);
    if (!list.ok) {
      errors.push(`objectList: ${list.message}`);
      return result;
    }
    result.objects = list.objects.map((o) => ({ objectType: objectTypeName(o.type), instance: o.instance }));
    const analog = list.objects.filter((o) => o.type === ObjectType.ANALOG_INPUT || o.type === ObjectType.ANALOG_VALUE);
    const details = await this.objects.readObjects(
      d,
      analog.map((o) => ({ type: o.type, instance: o.instance, props: [P.OBJECT_NAME, P.UNITS] })),
      cycle,
    );
    for (const o of analog) {
      const name = details.get(propKey(o.type, o.instance, P.OBJECT_NAME));
      const u = details.get(propKey(o.type, o.instance, P.UNITS));
      const units = u?.ok ? numericValue(u.values) : null;
      if (u?.ok) d.units.set(objKey(o.type, o.instance), units);
      if (name && !name.ok) errors.push(`${objectTypeName(o.type)}:${o.instance} objectName: ${name.message}`);
      if (u && !u.ok && u.errorClass !== ErrorClass.PROPERTY)
        errors.push(`${objectTypeName(o.type)}:${o.instance} units: ${u.message}`);
      result.points.push({
        objectType: objectTypeName(o.type),
        instance: o.instance,
        objectName: stringValue(name),
        units,
        unitSymbol: unitSymbol(units),
      });
    }
    return result;
  }

  /** The device's objectList, whole or (when it does not fit in one reply) element by element. */
  private async readObjectList(
    d: DeviceState,
    cycle: CallCycle,
  ): Promise<{ ok: true; objects: BACNetObjectID[] } | PointFailure> {
    const toIds = (values: RawValue[]): BACNetObjectID[] =>
      values.filter((v) => v.type === ApplicationTag.OBJECTIDENTIFIER).map((v) => v.value as BACNetObjectID);
    const whole = await this.objects.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, undefined, cycle);
    if (whole.ok) return { ok: true, objects: toIds(whole.values) };
    if (whole.code === BacnetErrorCode.METER_TIMEOUT) return whole;
    const count = await this.objects.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, 0, cycle);
    if (!count.ok) return whole;
    const n = numericValue(count.values) ?? 0;
    const items = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        this.objects.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_LIST, i + 1, cycle),
      ),
    );
    const objects: BACNetObjectID[] = [];
    for (const item of items) {
      if (!item.ok) return item;
      objects.push(...toIds(item.values));
    }
    return { ok: true, objects };
  }
}
