// Plain words for the codes the web apps show (error codes, reading quality flags, alert and outbox states).
// The code itself stays available (the web apps put it in a tooltip); these say what it means to a person.
// Browser-safe, no dependencies beyond the code lists.
import type { ErrorCodeValue } from './errors.js';
import type { OperatorErrorCodeValue } from './operator-contracts.js';

const ERROR_WORDS: Record<ErrorCodeValue | OperatorErrorCodeValue, string> = {
  VALIDATION_FAILED: 'Some of what was sent is missing or not valid',
  MALFORMED_BODY: 'What was sent could not be read',
  BODY_TOO_LARGE: 'What was sent is too large',
  AUTH_MISSING: 'Not signed in',
  AUTH_INVALID: 'The sign-in or key is not valid (wrong, expired or revoked)',
  FORBIDDEN: 'Your role may not do this',
  RATE_LIMITED: 'Too many requests: wait a moment and try again',
  UNKNOWN_METER: 'The reading names a meter this site does not have',
  BATCH_REJECTED: 'Readings were refused, nothing of that batch was stored',
  NOT_FOUND: 'Not found (it does not exist, or you may not see it)',
  UNAVAILABLE: 'The database is not answering: try again shortly',
  INTERNAL: 'Something went wrong on the server (it is logged)',
  METER_TIMEOUT: 'The meter did not answer in time',
  METER_ERROR: 'The meter answered with an error',
  UPLINK_UNREACHABLE: 'The client system could not be reached',
  TOKEN_EXPIRED: 'The session has expired: sign in again',
  CONFLICT: 'That already exists, or conflicts with what exists',
  PASSWORD_CHANGE_REQUIRED: 'Choose your own password first (the one you were given was generated)',
};

/** What an error code means, in words; an unknown code is returned as it is. */
export function errorWords(code: string): string {
  return (ERROR_WORDS as Record<string, string>)[code] ?? code;
}

const FLAG_WORDS: Record<string, string> = {
  good: 'good',
  inAlarm: 'in alarm',
  fault: 'fault',
  overridden: 'overridden by hand',
  outOfService: 'out of service',
};

/** A reading's quality in words: 'inAlarm+fault' → "in alarm, fault" (see quality.ts for the code). */
export function qualityWords(quality: string): string {
  return quality
    .split('+')
    .map((f) => FLAG_WORDS[f] ?? f.replace(/_/g, ' '))
    .join(', ');
}

const ALERT_EVENT_WORDS: Record<string, string> = {
  pending: 'Condition met, waiting',
  firing: 'Fired',
  notified: 'Notified',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  cancelled: 'Cancelled before it fired',
};

/** An alert history entry's type in words ('firing' → "Fired"). */
export function alertEventWords(type: string): string {
  return ALERT_EVENT_WORDS[type] ?? type.replace(/_/g, ' ');
}

const NOTIFICATION_WORDS: Record<string, string> = {
  pending: 'Waiting to be sent',
  retrying: 'Retrying',
  sent: 'Sent',
  recorded: 'Not sent, recorded here (no SMTP server)',
  failed: 'Failed',
  suppressed: 'Not sent',
};

/** An outbox entry's status in words. */
export function notificationStatusWords(status: string): string {
  return NOTIFICATION_WORDS[status] ?? status;
}
