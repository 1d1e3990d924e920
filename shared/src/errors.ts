/** Error codes used on the wire and in logs. The code, not the message, decides what a caller does. */
export const ErrorCode = {
  /** The request body or a field in it failed validation. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The body was not valid JSON (or not decodable gzip). */
  MALFORMED_BODY: 'MALFORMED_BODY',
  /** The body is larger than the server accepts. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** No API key / token was sent. */
  AUTH_MISSING: 'AUTH_MISSING',
  /** The API key / token is wrong, expired or revoked. */
  AUTH_INVALID: 'AUTH_INVALID',
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 'FORBIDDEN',
  /** The site sent more requests than its rate limit. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A reading names a meter this site does not have. */
  UNKNOWN_METER: 'UNKNOWN_METER',
  /** One or more readings of a batch were rejected; nothing of the batch was stored. */
  BATCH_REJECTED: 'BATCH_REJECTED',
  /** The route does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A dependency (the database) is not available; retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Something unexpected; the server logged it with the request id. */
  INTERNAL: 'INTERNAL',
  /** A meter did not answer within its timeout. */
  METER_TIMEOUT: 'METER_TIMEOUT',
  /** A meter answered with a BACnet error. */
  METER_ERROR: 'METER_ERROR',
  /** The client system could not be reached (connection refused, DNS, timeout). */
  UPLINK_UNREACHABLE: 'UPLINK_UNREACHABLE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODE_DOCS: Record<ErrorCodeValue, string> = {
  VALIDATION_FAILED: 'A field of the request is missing or has the wrong type or format.',
  MALFORMED_BODY: 'The request body is not valid JSON, or its gzip encoding is broken.',
  BODY_TOO_LARGE: 'The request body is larger than the server accepts; send smaller batches.',
  AUTH_MISSING: 'No credential was sent.',
  AUTH_INVALID: 'The credential is wrong, expired or revoked.',
  FORBIDDEN: 'The credential is valid but may not do this.',
  RATE_LIMITED: 'Too many requests; wait for the Retry-After time.',
  UNKNOWN_METER: 'The reading names a meter that this site does not have.',
  BATCH_REJECTED: 'Some readings were rejected; nothing of this batch was stored.',
  NOT_FOUND: 'No such route or object.',
  UNAVAILABLE: 'A dependency is unavailable; retry later.',
  INTERNAL: 'Unexpected server error; logged with the request id.',
  METER_TIMEOUT: 'The meter did not answer in time.',
  METER_ERROR: 'The meter answered with a BACnet error.',
  UPLINK_UNREACHABLE: 'The client system could not be reached.',
};
