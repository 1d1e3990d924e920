// Reading a meter's points: first make sure the device at the address is the configured one,
// then read values, status flags, units (cached) and reliability, and decode them per point.
import { ApplicationTag, ErrorClass, MaxApduLengthAccepted, ObjectType, PropertyIdentifier } from '@bacnet-js/client';
import type { BACNetObjectID } from '@bacnet-js/client';
import { qualityFromStatusFlags, unitSymbol } from '@meterit/shared';
import { decodeStatusFlags, failureToPoint, numericValue, objKey, propKey, usesReadProperty } from './decoders.js';
import { BacnetErrorCode } from './errors.js';
import type { RequestLanes } from './lanes.js';
import type { Logger } from './logger.js';
import { objectTypeId, objectTypeName, propertyId, propertyName } from './names.js';
import type { ObjectReader } from './object-reader.js';
import type {
  CallCycle,
  Client,
  DeviceRef,
  DeviceState,
  ObjectRequest,
  PointFailure,
  PointRef,
  PointResult,
} from './types.js';

const P = PropertyIdentifier;
/** The Device object instance every device takes as its own (ASHRAE 135 12.11.1). */
const WILDCARD_DEVICE_INSTANCE = 4194303;

export class PointReader {
  constructor(
    private readonly client: Client,
    private readonly lanes: RequestLanes,
    private readonly objects: ObjectReader,
    private readonly options: { identityCheckMs: number; unitsRefreshMs: number },
    private readonly logger: Logger,
  ) {}

  /**
   * Read points of one device. Results come in the order of `points`. Reads to other devices run
   * in parallel; a dead device costs one timeout per call, not one per request.
   */
  async readPoints(device: DeviceRef, points: PointRef[]): Promise<PointResult[]> {
    if (this.lanes.closed)
      return points.map(() => ({
        ok: false,
        code: BacnetErrorCode.BACNET_CLOSED,
        message: 'the BACnet adapter was closed',
      }));
    const d = this.lanes.device(device);
    const cycle: CallCycle = { timedOut: false };
    // Nothing is read under a meter before the device at its address has said it is that meter:
    // on first contact, after a silence or a failed read (a restart, a swapped meter, a DHCP change),
    // while another device answers there, and every identityCheckMs.
    const now = Date.now();
    if (
      d.confirmedAt === null ||
      d.recheck ||
      d.wrongDevice !== undefined ||
      now - d.confirmedAt >= this.options.identityCheckMs
    ) {
      const identity = await this.confirmIdentity(d, cycle);
      if (!identity.ok) return points.map(() => ({ ...identity }));
      // Back after a silence: it may have restarted with other units.
      if (d.recheck) d.unitsDue = true;
      d.recheck = false;
    }
    if (d.unitsReadAt !== null && now - d.unitsReadAt >= this.options.unitsRefreshMs) d.unitsDue = true;
    const planned: Array<{ type: number; instance: number; prop: number } | PointFailure> = points.map((p) => {
      try {
        return {
          type: objectTypeId(p.objectType),
          instance: p.instance,
          prop: propertyId(p.property ?? 'presentValue'),
        };
      } catch (err) {
        return { ok: false, code: BacnetErrorCode.METER_ERROR, message: `invalid point: ${(err as Error).message}` };
      }
    });
    // Reliability costs a request per point with ReadProperty; there it is read only when the fault flag is set.
    const withReliability = d.rpmSupported !== false;
    const byObject = new Map<string, ObjectRequest>();
    for (const p of planned) {
      if ('ok' in p) continue;
      const key = objKey(p.type, p.instance);
      let o = byObject.get(key);
      if (!o) {
        o = { type: p.type, instance: p.instance, props: [] };
        byObject.set(key, o);
      }
      const want = [p.prop, P.STATUS_FLAGS];
      if (d.unitsDue || !d.units.has(key)) want.push(P.UNITS);
      if (withReliability) want.push(P.RELIABILITY);
      for (const w of want) if (!o.props.includes(w)) o.props.push(w);
    }
    const outcomes = await this.objects.readObjects(d, [...byObject.values()], cycle);

    // Objects in fault read over ReadProperty: fetch their reliability now.
    if (!withReliability || usesReadProperty(d)) {
      const faulty: ObjectRequest[] = [];
      for (const o of byObject.values()) {
        const sf = outcomes.get(propKey(o.type, o.instance, P.STATUS_FLAGS));
        const flags = sf?.ok ? decodeStatusFlags(sf.values) : null;
        if (flags?.fault && !outcomes.has(propKey(o.type, o.instance, P.RELIABILITY)))
          faulty.push({ type: o.type, instance: o.instance, props: [P.RELIABILITY] });
      }
      if (faulty.length > 0) for (const [k, v] of await this.objects.readObjects(d, faulty, cycle)) outcomes.set(k, v);
    }

    // Cache units: a number, or null when the device says the object has none. A refresh that
    // does not get an answer keeps the units known so far and asks again next time.
    let unitsAsked = false;
    let unitsMissing = false;
    for (const o of byObject.values()) {
      const key = objKey(o.type, o.instance);
      if (!o.props.includes(P.UNITS)) continue;
      unitsAsked = true;
      const u = outcomes.get(propKey(o.type, o.instance, P.UNITS));
      if (u?.ok) {
        const n = numericValue(u.values);
        d.units.set(key, n);
      } else if (u && (u.errorClass === ErrorClass.PROPERTY || u.errorClass === ErrorClass.OBJECT)) {
        d.units.set(key, null);
      } else {
        unitsMissing = true;
      }
    }
    if (unitsAsked && !unitsMissing) {
      d.unitsDue = false;
      d.unitsReadAt = now;
    }
    // Nothing answered at all: confirm who answers at the address before the next values are taken.
    if (planned.length > 0 && [...outcomes.values()].every((o) => !o.ok)) d.recheck = true;

    return planned.map((p): PointResult => {
      if ('ok' in p) return p;
      const outcome = outcomes.get(propKey(p.type, p.instance, p.prop));
      if (!outcome) return { ok: false, code: BacnetErrorCode.METER_ERROR, message: 'no outcome (internal error)' };
      if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message };
      const value = numericValue(outcome.values);
      if (value === null) {
        const tag = outcome.values[0]?.type;
        return {
          ok: false,
          code: BacnetErrorCode.METER_ERROR,
          message: `device ${d.deviceId}: ${objectTypeName(p.type)}:${p.instance} ${propertyName(p.prop)} is not a number (application tag ${tag ?? 'none'})`,
        };
      }
      const sf = outcomes.get(propKey(p.type, p.instance, P.STATUS_FLAGS));
      if (sf && !sf.ok && sf.code !== BacnetErrorCode.METER_ERROR) {
        // The value arrived but its status did not (timeout, mismatch): do not report it as good.
        return { ok: false, code: sf.code, message: sf.message };
      }
      const statusFlags = (sf?.ok ? decodeStatusFlags(sf.values) : null) ?? {
        inAlarm: false,
        fault: false,
        overridden: false,
        outOfService: false,
      };
      const rel = outcomes.get(propKey(p.type, p.instance, P.RELIABILITY));
      const reliability = rel?.ok ? numericValue(rel.values) : null;
      const units = d.units.get(objKey(p.type, p.instance)) ?? null;
      const symbol = unitSymbol(units);
      return {
        ok: true,
        value,
        units,
        ...(symbol !== null ? { unitSymbol: symbol } : {}),
        statusFlags,
        ...(reliability !== null ? { reliability } : {}),
        quality: qualityFromStatusFlags(statusFlags),
      };
    });
  }

  /**
   * Ask the device at the address for its Device object's objectIdentifier (the wildcard instance,
   * which every device takes as its own; the configured instance for devices that refuse it).
   */
  private async confirmIdentity(d: DeviceState, cycle: CallCycle): Promise<{ ok: true } | PointFailure> {
    const res = await this.lanes.call(d, cycle, (invokeId, receiver) =>
      this.client.readProperty(
        receiver,
        { type: ObjectType.DEVICE, instance: WILDCARD_DEVICE_INSTANCE } as BACNetObjectID,
        P.OBJECT_IDENTIFIER,
        {
          invokeId,
          maxApdu: MaxApduLengthAccepted.OCTETS_1476,
        },
      ),
    );
    const deviceIdIn = (values: Array<{ type: number; value: unknown }>): number | null => {
      const first = values[0];
      if (!first || first.type !== ApplicationTag.OBJECTIDENTIFIER) return null;
      const id = first.value as BACNetObjectID;
      return id.type === ObjectType.DEVICE ? id.instance : null;
    };
    let found: number | null;
    if (res.ok) {
      const r = res.value;
      found =
        r.objectId.type === ObjectType.DEVICE && r.property.id === P.OBJECT_IDENTIFIER ? deviceIdIn(r.values) : null;
      if (found === null) {
        return {
          ok: false,
          code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
          message: `device at ${d.peer}: the answer to "which device are you" names no device; values not read`,
        };
      }
    } else {
      const failure = failureToPoint(res.failure);
      if (res.failure.kind !== 'error') return failure;
      const own = await this.objects.readOne(d, ObjectType.DEVICE, d.deviceId, P.OBJECT_IDENTIFIER, undefined, cycle);
      if (own.ok) found = deviceIdIn(own.values) ?? d.deviceId;
      else if (own.errorClass === ErrorClass.OBJECT) found = null;
      else return { ok: false, code: own.code, message: own.message };
    }
    if (found === d.deviceId) {
      if (d.wrongDevice !== undefined)
        this.logger.info('the configured BACnet device answers at its address again', {
          deviceId: d.deviceId,
          peer: d.peer,
        });
      d.wrongDevice = undefined;
      d.confirmedAt = Date.now();
      return { ok: true };
    }
    if (d.wrongDevice !== found) {
      this.logger.warn('another BACnet device answers at the address of a configured meter; nothing is stored for it', {
        expectedDeviceId: d.deviceId,
        foundDeviceId: found,
        peer: d.peer,
      });
      // What was learned belongs to the other device.
      d.units.clear();
      d.unitsReadAt = null;
      d.rpmSupported = null;
    }
    d.wrongDevice = found;
    d.confirmedAt = null;
    return {
      ok: false,
      code: BacnetErrorCode.WRONG_DEVICE,
      message:
        found === null
          ? `configured as device ${d.deviceId}, but the device at ${d.peer} is another one (it has no device ${d.deviceId}); nothing is stored`
          : `configured as device ${d.deviceId}, but device ${found} answers at ${d.peer}; nothing is stored`,
      expectedDeviceId: d.deviceId,
      foundDeviceId: found,
    };
  }
}
