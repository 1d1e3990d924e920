// The site agent's local API: every request and answer as a zod schema, and its type from z.infer. The local API
// validates with them, the site MCP tools answer with them, the dashboard (sync/web) imports the types.
// Times are ISO-8601 UTC strings with Z; durations say their unit. Browser-safe: zod and the shared constants only.
export {
  isoTimeSchema,
  isoTimeOrNullSchema,
  UNSTORABLE_TEXT_PROBLEM,
  meterIdInput,
  pointNameInput,
  reasonInput,
  deadLetterIdsInput,
  isoTimeParam,
  intParam,
  booleanParam,
} from './site-contracts/fields.js';
export {
  healthLevelSchema,
  findingSchema,
  collectionViewSchema,
  uplinkViewSchema,
  backlogViewSchema,
  lastSyncViewSchema,
  storageEstimateSchema,
  meterCountsSchema,
  localDatabaseViewSchema,
  foreignDeviceStateSchema,
  foreignDeviceViewSchema,
  agentInfoSchema,
  statusResponseSchema,
  countMeterStates,
} from './site-contracts/status.js';
export type {
  HealthLevel,
  Finding,
  CollectionView,
  UplinkView,
  BacklogView,
  LastSyncView,
  StorageEstimate,
  MeterCounts,
  LocalDatabaseView,
  ForeignDeviceState,
  ForeignDeviceView,
  StatusResponse,
} from './site-contracts/status.js';
export { meterStateSchema, pointValueSchema, meterViewSchema, metersResponseSchema } from './site-contracts/meters.js';
export type { MeterState, PointValue, MeterView, MetersResponse } from './site-contracts/meters.js';
export {
  readingsRequestSchema,
  readingViewSchema,
  readingsResponseSchema,
  seriesRequestSchema,
  seriesResponseSchema,
  syncLogRequestSchema,
  syncLogEntryViewSchema,
  syncLogResponseSchema,
  deadLettersRequestSchema,
  deadLetterViewSchema,
  deadLettersResponseSchema,
} from './site-contracts/history.js';
export type {
  ReadingsRequest,
  ReadingView,
  ReadingsResponse,
  SeriesRequest,
  SeriesResponse,
  SyncLogRequest,
  SyncLogEntryView,
  SyncLogResponse,
  DeadLettersRequest,
  DeadLetterView,
  DeadLettersResponse,
} from './site-contracts/history.js';
export {
  sessionResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  collectionRequestSchema,
  collectionResponseSchema,
  syncNowRequestSchema,
  syncNowResponseSchema,
  retryDeadLettersRequestSchema,
  retryDeadLettersResponseSchema,
} from './site-contracts/control.js';
export type {
  SessionResponse,
  LoginRequest,
  LoginResponse,
  CollectionRequest,
  CollectionResponse,
  SyncNowResponse,
  RetryDeadLettersRequest,
  RetryDeadLettersResponse,
} from './site-contracts/control.js';
