import { createHttpClient, HttpError } from '@meterit/shared/http';
import type {
  BacklogHistoryResponse,
  CollectionResponse,
  DiscoverRequest,
  DiscoverResponse,
  ReadPointRequest,
  ReadPointResponse,
  DeadLettersResponse,
  LoginResponse,
  MetersResponse,
  RetryDeadLettersResponse,
  SeriesResponse,
  SessionResponse,
  StatusResponse,
  SyncLogResponse,
  SyncNowResponse,
} from './types';

let sessionToken: string | null = null;
export function setSessionToken(token: string | null): void {
  sessionToken = token;
}

// Same origin as the page: the agent serves both the dashboard and its API.
const http = createHttpClient({ baseUrl: '', timeoutMs: 60_000, token: () => sessionToken });

/** A failed call, in words for the technician, with the API's code and HTTP status when there was one. */
export class ApiProblem extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

function problem(err: unknown): ApiProblem {
  if (err instanceof HttpError) {
    if (err.status !== null) {
      return new ApiProblem(
        err.apiError?.message ?? `the agent answered ${err.status}`,
        err.status,
        err.apiError?.code ?? null,
      );
    }
    return new ApiProblem(
      'the site agent does not answer: check that this device is on the site network and that the agent runs',
      null,
      null,
    );
  }
  return new ApiProblem(err instanceof Error ? err.message : String(err), null, null);
}

async function call<T>(p: Promise<{ data: T }>): Promise<T> {
  try {
    return (await p).data;
  } catch (err) {
    throw problem(err);
  }
}

export const api = {
  status: () => call(http.get<StatusResponse>('/api/status')),
  meters: () => call(http.get<MetersResponse>('/api/meters')),
  syncLog: (limit = 30) => call(http.get<SyncLogResponse>('/api/sync-log', { params: { limit } })),
  deadLetters: (limit = 50) => call(http.get<DeadLettersResponse>('/api/dead-letters', { params: { limit } })),
  series: (meter: string, buckets = 288) =>
    call(http.get<SeriesResponse>('/api/readings/series', { params: { meter, buckets } })),
  session: () => call(http.get<SessionResponse>('/api/session')),
  login: (token: string) => call(http.post<LoginResponse>('/api/session', { token })),
  logout: () => call(http.delete<void>('/api/session')),
  startCollection: (reason?: string) =>
    call(http.post<CollectionResponse>('/api/control/collection/start', reason ? { reason } : {})),
  stopCollection: (reason?: string) =>
    call(http.post<CollectionResponse>('/api/control/collection/stop', reason ? { reason } : {})),
  syncNow: () => call(http.post<SyncNowResponse>('/api/control/sync', {})),
  retryDeadLetters: () => call(http.post<RetryDeadLettersResponse>('/api/control/dead-letters/retry', {})),
  backlogHistory: (hours = 24) => call(http.get<BacklogHistoryResponse>('/api/backlog/history', { params: { hours } })),
  discover: (req: DiscoverRequest) => call(http.post<DiscoverResponse>('/api/control/discover', req)),
  readPoint: (req: ReadPointRequest) => call(http.post<ReadPointResponse>('/api/control/read-point', req)),
};
