// Pure helpers of the adapter: keys, failure classes, and decoding BACnet values into plain ones.
import { AbortReason, ApplicationTag, ErrorClass, ErrorCode, RejectReason } from '@bacnet-js/client';
import type { StatusFlags } from '@meterit/shared';
import { BacnetErrorCode } from './errors.js';
import type { CallFailure, DeviceState, PointFailure, PropOutcome, RawValue } from './types.js';

/** ReadProperty(Multiple) array index meaning "the whole property". */
export const ARRAY_ALL = 0xffffffff;

export const propKey = (type: number, instance: number, prop: number): string => `${type}:${instance}:${prop}`;
export const objKey = (type: number, instance: number): string => `${type}:${instance}`;

export function splitPeer(address: string, port: number | undefined, defaultPort: number): string {
  if (address.includes(':')) return address;
  return `${address}:${port ?? defaultPort}`;
}

export function failureToPoint(f: CallFailure): PointFailure & { errorClass?: number; errorCode?: number } {
  switch (f.kind) {
    case 'timeout':
      return { ok: false, code: BacnetErrorCode.METER_TIMEOUT, message: f.message };
    case 'error':
      return {
        ok: false,
        code: BacnetErrorCode.METER_ERROR,
        message: f.message,
        errorClass: f.errorClass,
        errorCode: f.errorCode,
      };
    case 'reject':
    case 'abort':
    case 'segmented':
      return { ok: false, code: BacnetErrorCode.METER_ERROR, message: f.message };
    case 'failed':
      return { ok: false, code: f.code, message: f.message };
  }
}

export function isRpmUnsupported(f: CallFailure): boolean {
  if (f.kind === 'reject') return f.reason === RejectReason.UNRECOGNIZED_SERVICE;
  if (f.kind === 'error') {
    return (
      (f.errorClass === ErrorClass.SERVICES &&
        (f.errorCode === ErrorCode.REJECT_UNRECOGNIZED_SERVICE || f.errorCode === ErrorCode.SERVICE_REQUEST_DENIED)) ||
      f.errorCode === ErrorCode.REJECT_UNRECOGNIZED_SERVICE
    );
  }
  return false;
}

export function isTooBig(f: CallFailure): boolean {
  if (f.kind === 'segmented') return true;
  if (f.kind === 'abort')
    return f.reason === AbortReason.SEGMENTATION_NOT_SUPPORTED || f.reason === AbortReason.BUFFER_OVERFLOW;
  if (f.kind === 'reject') return f.reason === RejectReason.BUFFER_OVERFLOW;
  if (f.kind === 'error')
    return (
      f.errorCode === ErrorCode.ABORT_SEGMENTATION_NOT_SUPPORTED || f.errorCode === ErrorCode.ABORT_BUFFER_OVERFLOW
    );
  return false;
}

/** A function, not an inline check: the flag changes while readObjects awaits. */
export function usesReadProperty(d: DeviceState): boolean {
  return d.rpmSupported === false;
}

export function enumName(table: Record<number, string | undefined>, value: number): string {
  return table[value] ?? String(value);
}

export function decodeStatusFlags(values: RawValue[]): StatusFlags | null {
  const first = values[0];
  if (!first || first.type !== ApplicationTag.BIT_STRING) return null;
  const bits = first.value as { value?: number[]; bitsUsed?: number };
  const bytes = bits.value ?? [];
  const bit = (i: number): boolean => (((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
  return { inAlarm: bit(0), fault: bit(1), overridden: bit(2), outOfService: bit(3) };
}

export function numericValue(values: RawValue[]): number | null {
  const first = values[0];
  if (!first) return null;
  switch (first.type) {
    case ApplicationTag.REAL:
    case ApplicationTag.DOUBLE:
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.SIGNED_INTEGER:
    case ApplicationTag.ENUMERATED:
      return typeof first.value === 'number' ? first.value : null;
    case ApplicationTag.BOOLEAN:
      return first.value ? 1 : 0;
    default:
      return null;
  }
}

export function stringValue(outcome: PropOutcome | undefined): string | null {
  if (!outcome?.ok) return null;
  const first = outcome.values[0];
  return first && typeof first.value === 'string' ? first.value : null;
}

export function toRaw(values: Array<{ type: number; value: unknown }>): RawValue[] {
  return values.map((v) => ({ type: v.type, value: v.value }));
}
