// The local API's wire shapes are defined once, beside the routes that produce them; the
// dashboard imports the types only, so nothing of the agent ends up in the bundle.
export type {
  CollectionResponse,
  DeadLetterView,
  DeadLettersResponse,
  Finding,
  HealthLevel,
  LoginResponse,
  MeterState,
  MeterView,
  MetersResponse,
  PointValue,
  RetryDeadLettersResponse,
  SeriesResponse,
  SessionResponse,
  StatusResponse,
  SyncLogEntryView,
  SyncLogResponse,
  SyncNowResponse,
} from '../../../agent/src/local-api/contract.js';
