// The BACnet services a meter answers: ReadProperty and ReadPropertyMultiple, each reply sized
// against the meter's max APDU (a meter that cannot segment aborts instead).
import bacnet, { AbortReason, ApplicationTag, ASN1_ARRAY_ALL, ConfirmedServiceChoice } from '@bacnet-js/client';
import type { BACNetAddress, BACNetAppData, BACNetObjectID, BACNetReadAccess } from '@bacnet-js/client';
import type { MeterBehaviour } from './behaviour.js';
import type { MeterObjects, Served, ServedValue } from './object-model.js';
import { encodeAbort } from './transport.js';

export type Client = InstanceType<typeof bacnet.default>;

/** What a service needs of the meter answering it. */
export interface ServiceContext {
  client: Client;
  objects: MeterObjects;
  behaviour: MeterBehaviour;
  maxApdu: number;
  sendRaw: (buffer: Buffer, receiver: BACNetAddress) => void;
  record: (served: ServedValue) => void;
}

const APDU_ACK_HEADER = 3;

function replyObjectId(b: MeterBehaviour, objectId: BACNetObjectID): BACNetObjectID {
  return b.wrongObjectId ? { type: objectId.type, instance: objectId.instance + 1 } : objectId;
}

export function answerReadProperty(
  ctx: ServiceContext,
  sender: BACNetAddress,
  invokeId: number,
  objectId: BACNetObjectID,
  propertyId: number,
  index: number,
): void {
  const { client, behaviour } = ctx;
  const served: Served[] = [];
  const replyId = replyObjectId(behaviour, objectId);
  const result = ctx.objects.readValue(behaviour, objectId, propertyId, index, replyId, served);
  if (!result.ok) {
    client.errorResponse(sender, ConfirmedServiceChoice.READ_PROPERTY, invokeId, result.errorClass, result.errorCode);
    return;
  }
  // object id (5) + property id (2) + optional index (5) + opening/closing tags (2) + values
  const size =
    APDU_ACK_HEADER + 5 + 2 + (index === ASN1_ARRAY_ALL ? 0 : 5) + 2 + result.values.reduce(addEncodedSize, 0);
  if (size > ctx.maxApdu) {
    ctx.sendRaw(encodeAbort(invokeId, AbortReason.SEGMENTATION_NOT_SUPPORTED), sender);
    return;
  }
  client.readPropertyResponse(sender, invokeId, replyId, { id: propertyId, index }, result.values);
  ctx.objects.commit(served, ctx.record);
}

export function answerReadPropertyMultiple(
  ctx: ServiceContext,
  sender: BACNetAddress,
  invokeId: number,
  specs: Array<{ objectId: BACNetObjectID; properties: Array<{ id: number; index: number }> }>,
): void {
  const { client, behaviour, objects } = ctx;
  const served: Served[] = [];
  let size = APDU_ACK_HEADER;
  const results: BACNetReadAccess[] = specs.map((spec) => {
    const replyId = replyObjectId(behaviour, spec.objectId);
    size += 5 + 2;
    const values = objects.expandProperties(spec.objectId, spec.properties).map((property) => {
      const r = objects.readValue(behaviour, spec.objectId, property.id, property.index, replyId, served);
      size += 2 + (property.index === ASN1_ARRAY_ALL ? 0 : 5) + 2;
      if (r.ok) {
        size += r.values.reduce(addEncodedSize, 0);
        return { property, value: r.values };
      }
      size += 4;
      return {
        property,
        value: [{ value: { type: 'BacnetError', errorClass: r.errorClass, errorCode: r.errorCode } }],
      };
    });
    return { objectId: replyId, values };
  });
  if (size > ctx.maxApdu) {
    // A real device that cannot segment aborts; the client must ask for less.
    ctx.sendRaw(encodeAbort(invokeId, AbortReason.SEGMENTATION_NOT_SUPPORTED), sender);
    return;
  }
  client.readPropertyMultipleResponse(sender, invokeId, results);
  objects.commit(served, ctx.record);
}

function addEncodedSize(n: number, v: BACNetAppData): number {
  return n + encodedSize(v);
}

/** Octets an application-tagged value takes on the wire (close enough to decide whether a reply fits). */
function encodedSize(v: BACNetAppData): number {
  switch (v.type) {
    case ApplicationTag.NULL:
    case ApplicationTag.BOOLEAN:
      return 1;
    case ApplicationTag.REAL:
      return 5;
    case ApplicationTag.DOUBLE:
      return 10;
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.ENUMERATED:
    case ApplicationTag.SIGNED_INTEGER:
      return 1 + unsignedLength(Math.abs(Number(v.value)));
    case ApplicationTag.OBJECTIDENTIFIER:
      return 5;
    case ApplicationTag.BIT_STRING: {
      const bits = (v.value as { bitsUsed: number }).bitsUsed;
      return 2 + Math.ceil(bits / 8);
    }
    case ApplicationTag.CHARACTER_STRING: {
      const len = Buffer.byteLength(String(v.value), 'utf8') + 1;
      return len + (len <= 4 ? 1 : len < 254 ? 2 : 4);
    }
    default:
      return 16;
  }
}

function unsignedLength(value: number): number {
  if (value < 0x100) return 1;
  if (value < 0x10000) return 2;
  if (value < 0x1000000) return 3;
  return 4;
}
