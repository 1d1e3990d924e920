// Browser-safe contracts shared by the client system, the site agent and the web apps.
// Node-only helpers live in ./node (import from '@meterit/shared/node').
export { ErrorCode, ERROR_CODE_DOCS } from './errors.js';
export type { ErrorCodeValue } from './errors.js';
export {
  SYNC_PATHS,
  API_KEY_HEADER,
  SITE_API_KEY_FORMAT,
  UNSTORABLE_TEXT,
  REQUEST_ID_HEADER,
  LIMITS,
} from './constants.js';
export type {
  MeterConfig,
  DataPointConfig,
  MetersFile,
  SyncReading,
  BatchRequest,
  BatchResponse,
  ReadingOutcome,
  RejectedReading,
  HeartbeatRequest,
  HeartbeatMeterState,
  HeartbeatForeignDevice,
  HeartbeatLocalDatabase,
  MeterAgentState,
  HeartbeatResponse,
  SyncAuthResponse,
  SyncConfigResponse,
  RegisterMetersResponse,
  ApiErrorBody,
} from './contracts.js';
export { fullJitterBackoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { qualityFromStatusFlags, GOOD_QUALITY } from './quality.js';
export type { StatusFlags } from './quality.js';
export { unitSymbol } from './units.js';
export {
  OperatorErrorCode,
  USER_ROLES,
  READING_BUCKETS,
  READING_AGGS,
  CONSUMPTION_INTERVALS,
} from './operator-contracts.js';
export { ALERT_RULE_KINDS, OPERATOR_ALERT_KINDS, ALERT_STATES, ALERT_SEVERITIES } from './operator-contracts.js';
export type {
  AlertRuleKind,
  AlertState,
  AlertSeverity,
  AlertScope,
  AlertCondition,
  AlertRuleInfo,
  AlertRuleWrite,
  AlertInfo,
  AlertEventInfo,
  NotificationStatus,
  NotificationInfo,
  AlertsResponse,
  AlertDetailResponse,
  AlertRulesResponse,
  AlertPreviewEpisode,
  AlertPreviewResponse,
  NotificationsResponse,
} from './operator-contracts.js';
export type {
  OperatorErrorCodeValue,
  UserRole,
  UserInfo,
  LoginRequest,
  TokenResponse,
  WebSessionResponse,
  CreateUserRequest,
  CreateUserResponse,
  UpdateUserRequest,
  SiteHealth,
  SiteStatus,
  SiteSummary,
  SitesResponse,
  LatestValue,
  MeterHealth,
  MeterAgentReport,
  MeterDataPoint,
  MeterSummary,
  MetersResponse,
  MeterWriteRequest,
  ReadingBucket,
  ReadingAgg,
  ReadingRow,
  ReadingsResponse,
  ConsumptionInterval,
  ConsumptionBucket,
  ConsumptionGap,
  CounterReset,
  ConsumptionSeries,
  ConsumptionResponse,
  HeartbeatPoint,
  ConnectivityResponse,
  ConnectivityOutage,
  OutageSource,
  SiteWriteRequest,
  SiteKeyResponse,
  CreateSiteResponse,
  ApiKeyInfo,
} from './operator-contracts.js';
