// The local API's wire shapes are defined once, in the shared contracts package; the dashboard imports the types
// only, and never from the agent's source (a lint rule guards that).
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
} from '@meterit/shared/site-contracts';
