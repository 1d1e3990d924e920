// Just enough BVLC/NPDU/APDU parsing for the transport's guards; the library decodes the rest.

export const PduType = {
  CONFIRMED_REQUEST: 0,
  UNCONFIRMED_REQUEST: 1,
  SIMPLE_ACK: 2,
  COMPLEX_ACK: 3,
  SEGMENT_ACK: 4,
  ERROR: 5,
  REJECT: 6,
  ABORT: 7,
} as const;

const BVLC_TYPE_BACNET_IP = 0x81;
const BVLC_FORWARDED_NPDU = 0x04;
const BVLC_DISTRIBUTE_BROADCAST = 0x09;
const BVLC_ORIGINAL_UNICAST = 0x0a;
const BVLC_ORIGINAL_BROADCAST = 0x0b;

export interface ParsedApdu {
  /** Offset of the APDU in the datagram. */
  offset: number;
  pduType: number;
  /** For a forwarded NPDU, the original sender `ip:port` from the BVLC header. */
  originalSender?: string;
}

/** Find the APDU in a BACnet/IP datagram; null for BVLC control messages, network messages and garbage. */
export function parseApdu(buf: Buffer, length = buf.length): ParsedApdu | null {
  if (length < 4 || buf[0] !== BVLC_TYPE_BACNET_IP) return null;
  const func = buf[1];
  let offset = 4;
  let originalSender: string | undefined;
  if (func === BVLC_FORWARDED_NPDU) {
    if (length < 10) return null;
    originalSender = `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}:${buf.readUInt16BE(8)}`;
    offset = 10;
  } else if (func !== BVLC_ORIGINAL_UNICAST && func !== BVLC_ORIGINAL_BROADCAST && func !== BVLC_DISTRIBUTE_BROADCAST) {
    return null;
  }
  if (length < offset + 2 || buf[offset] !== 0x01) return null;
  const control = buf[offset + 1] ?? 0;
  offset += 2;
  if (control & 0x80) return null; // network layer message
  if (control & 0x20) {
    const dlen = buf[offset + 2] ?? 0;
    offset += 3 + dlen;
  }
  if (control & 0x08) {
    const slen = buf[offset + 2] ?? 0;
    offset += 3 + slen;
  }
  if (control & 0x20) offset += 1; // hop count
  if (offset >= length) return null;
  const pduType = ((buf[offset] ?? 0) >> 4) & 0x0f;
  return originalSender === undefined ? { offset, pduType } : { offset, pduType, originalSender };
}

/** True for the PDU types that answer a confirmed request and carry its invoke id in octet 1. */
export function isReplyPdu(pduType: number): boolean {
  return pduType >= PduType.SIMPLE_ACK && pduType <= PduType.ABORT;
}
