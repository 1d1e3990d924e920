// The operator endpoints' vocabularies: error codes, roles, buckets, aggregates, intervals. The answers' schemas
// are in operator-answers.ts, the requests' in operator-requests.ts. Browser-safe: imports nothing.

/** Error codes the operator endpoints add to ErrorCode. */
export const OperatorErrorCode = {
  /** The access token has expired: refresh it (POST /api/auth/refresh) and retry. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The request conflicts with what exists (a duplicate name, e-mail or meter id, or removing the last admin). */
  CONFLICT: 'CONFLICT',
  /** The password was generated or reset by an admin: change it (POST /api/auth/password) before anything else. */
  PASSWORD_CHANGE_REQUIRED: 'PASSWORD_CHANGE_REQUIRED',
} as const;
export type OperatorErrorCodeValue = (typeof OperatorErrorCode)[keyof typeof OperatorErrorCode];

export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
/** admin: everything. operator: read + manage meters of its sites. viewer: read only. */
export type UserRole = (typeof USER_ROLES)[number];

export const READING_BUCKETS = ['raw', '1m', '15m', '1h', '1d'] as const;
export type ReadingBucket = (typeof READING_BUCKETS)[number];
export const READING_AGGS = ['avg', 'min', 'max', 'last'] as const;
export type ReadingAgg = (typeof READING_AGGS)[number];

export const CONSUMPTION_INTERVALS = ['15m', '1h', '1d'] as const;
export type ConsumptionInterval = (typeof CONSUMPTION_INTERVALS)[number];
