export const SYNC_PATHS = {
  auth: '/api/sync/auth',
  batch: '/api/sync/readings/batch',
  config: '/api/sync/config',
  heartbeat: '/api/sync/heartbeat',
  meters: '/api/sync/meters',
  commissioning: '/api/sync/commissioning',
} as const;

export const API_KEY_HEADER = 'x-api-key';

/**
 * Text no PostgreSQL text column can hold: NUL, or a lone UTF-16 surrogate (not a character at all).
 * Both sides refuse it as bad input instead of failing in the database.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
export const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A site's API key: mk_<16 hex prefix, stored in clear>_<43 base64url characters of secret>. */
export const SITE_API_KEY_FORMAT = /^mk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

export const LIMITS = {
  /** Most readings one batch may carry. */
  maxBatchReadings: 5000,
  /** Longest meter external id / data point name / unit / quality string. */
  maxIdLength: 255,
  maxDataPointLength: 100,
  maxUnitLength: 50,
  maxQualityLength: 64,
  /** A reading more than this far in the agent's future is rejected (clock guard). */
  maxFutureSkewMs: 24 * 3600 * 1000,
} as const;
