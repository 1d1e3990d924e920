// Reading properties of objects: ReadPropertyMultiple in chunks that fit the device, split when a
// reply does not fit, ReadProperty where RPM does not work; every reply checked against the request.
import { ApplicationTag, ErrorClass, ErrorCode, MaxApduLengthAccepted } from '@bacnet-js/client';
import type { BACNetObjectID, BACNetReadAccessSpecification } from '@bacnet-js/client';
import {
  ARRAY_ALL,
  enumName,
  failureToPoint,
  isRpmUnsupported,
  isTooBig,
  propKey,
  toRaw,
  usesReadProperty,
} from './decoders.js';
import { BacnetErrorCode } from './errors.js';
import type { RequestLanes } from './lanes.js';
import type { Logger } from './logger.js';
import { objectTypeName, propertyName } from './names.js';
import type { CallCycle, Client, DeviceState, ObjectRequest, PointFailure, PropOutcome } from './types.js';

export class ObjectReader {
  constructor(
    private readonly client: Client,
    private readonly lanes: RequestLanes,
    private readonly logger: Logger,
  ) {}

  /** Read properties of objects: RPM in chunks that fit the device, ReadProperty where RPM does not work. */
  async readObjects(d: DeviceState, requests: ObjectRequest[], cycle: CallCycle): Promise<Map<string, PropOutcome>> {
    const out = new Map<string, PropOutcome>();
    const chunks: ObjectRequest[][] = [];
    for (let i = 0; i < requests.length; i += d.objectsPerRequest)
      chunks.push(requests.slice(i, i + d.objectsPerRequest));
    await Promise.all(chunks.map((chunk) => this.readChunk(d, chunk, out, cycle)));
    return out;
  }

  private async readChunk(
    d: DeviceState,
    chunk: ObjectRequest[],
    out: Map<string, PropOutcome>,
    cycle: CallCycle,
  ): Promise<void> {
    if (chunk.length === 0) return;
    if (d.rpmSupported === false) {
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    const spec: BACNetReadAccessSpecification[] = chunk.map((o) => ({
      objectId: { type: o.type, instance: o.instance } as BACNetObjectID,
      properties: o.props.map((id) => ({ id, index: ARRAY_ALL })),
    }));
    const res = await this.lanes.call(d, cycle, (invokeId, receiver) =>
      this.client.readPropertyMultiple(receiver, spec, { invokeId, maxApdu: MaxApduLengthAccepted.OCTETS_1476 }),
    );
    if (res.ok) {
      d.rpmSupported = true;
      this.acceptRpmReply(d, chunk, res.value.values, out);
      return;
    }
    const f = res.failure;
    if (isRpmUnsupported(f)) {
      if (!usesReadProperty(d))
        this.logger.info('device does not support ReadPropertyMultiple; using ReadProperty', {
          deviceId: d.deviceId,
          peer: d.peer,
        });
      d.rpmSupported = false;
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    if (isTooBig(f)) {
      if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        d.objectsPerRequest = Math.max(1, Math.min(d.objectsPerRequest, half));
        this.logger.debug('RPM reply did not fit; asking for fewer objects', { deviceId: d.deviceId, objects: half });
        await Promise.all([
          this.readChunk(d, chunk.slice(0, half), out, cycle),
          this.readChunk(d, chunk.slice(half), out, cycle),
        ]);
      } else {
        await this.readViaReadProperty(d, chunk, out, cycle);
      }
      return;
    }
    if (f.kind === 'error' && (f.errorClass === ErrorClass.OBJECT || f.errorClass === ErrorClass.PROPERTY)) {
      // Some devices fail the whole RPM for one unknown object or property: find out which, one by one.
      await this.readViaReadProperty(d, chunk, out, cycle);
      return;
    }
    const failure = failureToPoint(f);
    for (const o of chunk) for (const p of o.props) out.set(propKey(o.type, o.instance, p), failure);
  }

  private acceptRpmReply(
    d: DeviceState,
    chunk: ObjectRequest[],
    values: Array<{
      objectId: BACNetObjectID;
      values: Array<{ id: number; index: number; value: Array<{ type: number; value: unknown }> }>;
    }>,
    out: Map<string, PropOutcome>,
  ): void {
    const mismatch = (why: string): PointFailure => ({
      ok: false,
      code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
      message: `device ${d.deviceId} at ${d.peer}: ${why}; values discarded`,
    });
    const objectsMatch =
      values.length === chunk.length &&
      chunk.every((o, i) => values[i]?.objectId.type === o.type && values[i]?.objectId.instance === o.instance);
    if (!objectsMatch) {
      const asked = chunk.map((o) => `${objectTypeName(o.type)}:${o.instance}`).join(',');
      const got = values.map((v) => `${objectTypeName(v.objectId.type)}:${v.objectId.instance}`).join(',');
      const failure = mismatch(`ReadPropertyMultiple asked for [${asked}] but the reply names [${got}]`);
      this.logger.warn('BACnet reply names other objects than asked', {
        deviceId: d.deviceId,
        peer: d.peer,
        asked,
        got,
      });
      for (const o of chunk) for (const p of o.props) out.set(propKey(o.type, o.instance, p), failure);
      return;
    }
    chunk.forEach((o, i) => {
      const results = values[i]?.values ?? [];
      for (const p of o.props) {
        const r = results.find((x) => x.id === p && (x.index === ARRAY_ALL || x.index === undefined));
        if (!r) {
          out.set(
            propKey(o.type, o.instance, p),
            mismatch(`the reply for ${objectTypeName(o.type)}:${o.instance} lacks ${propertyName(p)}`),
          );
          continue;
        }
        const first = r.value[0];
        if (first && first.type === ApplicationTag.ERROR) {
          const e = first.value as { errorClass: number; errorCode: number };
          out.set(propKey(o.type, o.instance, p), {
            ok: false,
            code: BacnetErrorCode.METER_ERROR,
            message: `device ${d.deviceId}: ${objectTypeName(o.type)}:${o.instance} ${propertyName(p)}: BACnet error class ${enumName(ErrorClass as unknown as Record<number, string>, e.errorClass)} (${e.errorClass}) code ${enumName(ErrorCode as unknown as Record<number, string>, e.errorCode)} (${e.errorCode})`,
            errorClass: e.errorClass,
            errorCode: e.errorCode,
          });
          continue;
        }
        out.set(propKey(o.type, o.instance, p), { ok: true, values: toRaw(r.value) });
      }
    });
  }

  private async readViaReadProperty(
    d: DeviceState,
    chunk: ObjectRequest[],
    out: Map<string, PropOutcome>,
    cycle: CallCycle,
  ): Promise<void> {
    const jobs: Array<Promise<void>> = [];
    for (const o of chunk) {
      for (const p of o.props) {
        jobs.push(
          this.readOne(d, o.type, o.instance, p, undefined, cycle).then((r) => {
            out.set(propKey(o.type, o.instance, p), r);
          }),
        );
      }
    }
    await Promise.all(jobs);
  }

  async readOne(
    d: DeviceState,
    type: number,
    instance: number,
    prop: number,
    arrayIndex: number | undefined,
    cycle: CallCycle | null,
  ): Promise<PropOutcome> {
    const res = await this.lanes.call(d, cycle, (invokeId, receiver) =>
      this.client.readProperty(receiver, { type, instance } as BACNetObjectID, prop, {
        invokeId,
        maxApdu: MaxApduLengthAccepted.OCTETS_1476,
        ...(arrayIndex === undefined ? {} : { arrayIndex }),
      }),
    );
    if (!res.ok) return failureToPoint(res.failure);
    const r = res.value;
    const expectedIndex = arrayIndex ?? ARRAY_ALL;
    if (
      r.objectId.type !== type ||
      r.objectId.instance !== instance ||
      r.property.id !== prop ||
      (r.property.index ?? ARRAY_ALL) !== expectedIndex
    ) {
      const got = `${objectTypeName(r.objectId.type)}:${r.objectId.instance} ${propertyName(r.property.id)}`;
      const asked = `${objectTypeName(type)}:${instance} ${propertyName(prop)}`;
      this.logger.warn('BACnet reply names another object or property than asked', {
        deviceId: d.deviceId,
        peer: d.peer,
        asked,
        got,
      });
      return {
        ok: false,
        code: BacnetErrorCode.BACNET_REPLY_MISMATCH,
        message: `device ${d.deviceId} at ${d.peer}: asked for ${asked}, the reply names ${got}; value discarded`,
      };
    }
    return { ok: true, values: toRaw(r.values) };
  }
}
