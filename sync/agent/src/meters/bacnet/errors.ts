import { MeterErrorCode } from '../protocol.js';

/**
 * Error codes of the BACnet adapter: the meter vocabulary (../protocol.ts, the same strings) and
 * the adapter's own. The code, not the message, decides what the collector does (retry next
 * cycle, mark the meter down, alert).
 */
export const BacnetErrorCode = {
  /** The meter did not answer within the adapter's own timeout. */
  METER_TIMEOUT: MeterErrorCode.METER_TIMEOUT,
  /** The meter answered with a BACnet Error, Reject or Abort PDU (class/code or reason in the message), or with a value that is not a number. */
  METER_ERROR: MeterErrorCode.METER_ERROR,
  /** Another device instance answers at the meter's address than the one configured: nothing read from it is stored. */
  WRONG_DEVICE: MeterErrorCode.WRONG_DEVICE,
  /** The request could not be sent to the meter (bad address, no route). */
  METER_UNREACHABLE: MeterErrorCode.METER_UNREACHABLE,
  /** The reply named another object or property than was asked; its value was discarded. */
  BACNET_REPLY_MISMATCH: MeterErrorCode.REPLY_MISMATCH,
  /** Internal: the device does not support ReadPropertyMultiple; the adapter falls back to ReadProperty. */
  RPM_UNSUPPORTED: 'RPM_UNSUPPORTED',
  /** The adapter's UDP port is already bound by another process. */
  BACNET_PORT_IN_USE: MeterErrorCode.PORT_IN_USE,
  /** The adapter's UDP socket could not be bound for another reason (address not on this host, permissions). */
  BACNET_BIND_FAILED: MeterErrorCode.BIND_FAILED,
  /** The BBMD refused, or did not answer, the registration as a foreign device (discovery through it cannot work). */
  BBMD_REGISTRATION_FAILED: 'BBMD_REGISTRATION_FAILED',
  /** The adapter was closed while the request waited or ran. */
  BACNET_CLOSED: MeterErrorCode.CLOSED,
} as const;

export type BacnetErrorCodeValue = (typeof BacnetErrorCode)[keyof typeof BacnetErrorCode];

export class BacnetError extends Error {
  constructor(
    readonly code: BacnetErrorCodeValue,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BacnetError';
  }
}
