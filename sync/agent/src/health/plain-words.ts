import { duration } from '@meterit/shared/words';
import type { MeterState } from '@meterit/shared/site-contracts';
import type { MeterStatus } from '../collector/meter-status-repository.js';

// Error codes in words a technician on site can act on. The code decides the text; the
// adapter's own message is kept beside it for whoever reads the log.

export function plainMeterError(code: string, message: string, timeoutMs: number): string {
  switch (code) {
    case 'METER_TIMEOUT':
      return `The meter did not answer within ${timeoutMs} ms. Check that it has power, that its network cable is in, and that its IP address and BACnet device id are right.`;
    case 'METER_UNREACHABLE':
      return "The agent cannot send to the meter's address. Check the meter's IP address and that the agent is on the same network.";
    case 'METER_ERROR':
      return `The meter answered, but with an error (${message}). Check the data point's object type and instance in the meter configuration.`;
    case 'WRONG_DEVICE':
      return `Another BACnet device answers at this meter's address (${message.replace(/; nothing is stored$/, '')}). Nothing is stored for this meter until the right one answers: check the meter's IP address (a DHCP change?) and its BACnet device id, or whether the meter was swapped.`;
    case 'BACNET_REPLY_MISMATCH':
      return 'The meter answered for a different object than was asked. Check for two devices sharing one address or device id.';
    case 'BACNET_CLOSED':
      return 'The agent was restarting while it read this meter; the next poll reads it again.';
    case 'BACNET_PORT_IN_USE':
    case 'BACNET_BIND_FAILED':
      return 'The agent cannot open its BACnet port. Another program may be using UDP 47808 on this computer.';
    case 'LOCAL_DB_ERROR':
      return 'The meter answered, but the agent could not store the values in its local database. Check the disk and the agent log.';
    default:
      return message;
  }
}

/** The uplink's last error in words, with what to do. */
export function plainUplinkError(code: string | null | undefined): string {
  switch (code) {
    case 'UPLINK_UNREACHABLE':
      return 'The client system cannot be reached. Check the site router and its internet (or cellular) connection.';
    case 'UNAVAILABLE':
      return 'The client system is reachable but not working right now. Nothing to do on site; it is retried automatically.';
    case 'RATE_LIMITED':
      return 'The client system asked this site to slow down. Nothing to do on site; it is retried automatically.';
    case 'AUTH_MISSING':
    case 'AUTH_INVALID':
      return "The client system refuses this site's API key. Ask the operators for a new key and set CLIENT_API_KEY.";
    case 'FORBIDDEN':
      return 'The client system does not allow this site to send. Ask the operators to check the site.';
    default:
      return 'The last exchange with the client system failed. See the sync log for details.';
  }
}

/** A meter's state in words, e.g. "no answer for 5 polls; last value 3 min ago". */
export function meterStateText(state: MeterState, s: MeterStatus | undefined, now: number): string {
  switch (state) {
    case 'never_answered':
      return s ? `has never answered (${s.consecutiveFailures} tries)` : 'not polled yet';
    case 'failing': {
      const since = s?.lastSuccessAt ? `; last value ${duration(now - s.lastSuccessAt.getTime())} ago` : '';
      return `no answer for ${s?.consecutiveFailures ?? 0} ${s?.consecutiveFailures === 1 ? 'poll' : 'polls'}${since}`;
    }
    case 'wrong_device':
      return s?.foundDeviceId !== null && s?.foundDeviceId !== undefined
        ? `wrong device: configured ${s.expectedDeviceId ?? '?'}, device ${s.foundDeviceId} answers; nothing stored`
        : `wrong device: configured ${s?.expectedDeviceId ?? '?'} is not the device at this address; nothing stored`;
    case 'degraded': {
      const n = s?.pointsFailing ?? 0;
      const names = (s?.points ?? []).filter((p) => p.consecutiveFailures > 0).map((p) => p.name);
      return `answers, but ${n} ${n === 1 ? 'point fails' : 'points fail'}${names.length > 0 ? `: ${names.join(', ')}` : ''}`;
    }
    case 'slow':
      return `answers slowly (${s?.lastResponseMs ?? '?'} ms)`;
    case 'ok':
      return `answers (${s?.lastResponseMs ?? '?'} ms)`;
  }
}

/** Up to three names, then how many more. */
export const listNames = (names: string[]): string =>
  names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
