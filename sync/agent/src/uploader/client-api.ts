import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import {
  API_KEY_HEADER,
  REQUEST_ID_HEADER,
  SYNC_PATHS,
  ErrorCode,
  type ApiErrorBody,
  type BatchRequest,
  type BatchResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type MeterConfig,
  type RegisterMetersResponse,
  type SyncAuthResponse,
  type SyncConfigResponse,
} from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';

const gzipAsync = promisify(gzip);

/** Why a call to the client system failed; the code decides retry, dead letter or operator action. */
export class ClientApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status?: number,
    public readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ClientApiError';
  }
}

export type BatchAnswer =
  | { kind: 'accepted'; body: BatchResponse; requestId: string }
  | { kind: 'rejected'; body: BatchResponse; requestId: string }
  | { kind: 'too_large'; requestId: string };

export interface UplinkState {
  up: boolean | null;
  /** When the uplink last went from down (or unknown, at start) to up. */
  upSince: Date | null;
  downSince: Date | null;
  lastOkAt: Date | null;
  lastError: { code: string; message: string; at: Date } | null;
}

export interface ClientApiOptions {
  origin: string;
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** The agent's only HTTP door to the client system: gzip bodies, own timeouts, request ids, uplink state. */
export class ClientApi {
  readonly uplink: UplinkState = { up: null, upSince: null, downSince: null, lastOkAt: null, lastError: null };
  private readonly now: () => number;

  constructor(private readonly opts: ClientApiOptions) {
    this.now = opts.now ?? Date.now;
  }

  auth(): Promise<SyncAuthResponse> {
    return this.json<SyncAuthResponse>('POST', SYNC_PATHS.auth, {});
  }

  getConfig(): Promise<SyncConfigResponse> {
    return this.json<SyncConfigResponse>('GET', SYNC_PATHS.config);
  }

  registerMeters(meters: MeterConfig[]): Promise<RegisterMetersResponse> {
    return this.json<RegisterMetersResponse>('POST', SYNC_PATHS.meters, { meters });
  }

  /** The installer's commissioning report, shown on the site's page in the client system. */
  uploadCommissioningReport(report: unknown): Promise<unknown> {
    return this.json<unknown>('POST', SYNC_PATHS.commissioning, report);
  }

  heartbeat(body: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.json<HeartbeatResponse>('POST', SYNC_PATHS.heartbeat, body);
  }

  /**
   * Send one batch. Resolves with the server's per-reading answer when it accepted the batch
   * (2xx) or rejected named readings (4xx BATCH_REJECTED, nothing stored); throws otherwise.
   */
  async postBatch(batch: BatchRequest): Promise<BatchAnswer> {
    const requestId = randomUUID();
    const res = await this.send('POST', SYNC_PATHS.batch, batch, requestId);
    const body = (await this.readBody(res)) as BatchResponse & Partial<ApiErrorBody>;
    if (res.ok) return { kind: 'accepted', body, requestId };
    if (res.status === 413) return { kind: 'too_large', requestId };
    if (
      res.status >= 400 &&
      res.status < 500 &&
      body.error?.code === ErrorCode.BATCH_REJECTED &&
      Array.isArray(body.rejected)
    ) {
      return { kind: 'rejected', body, requestId };
    }
    throw this.httpError(res, body);
  }

  private async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body, randomUUID());
    const parsed = await this.readBody(res);
    if (!res.ok) throw this.httpError(res, parsed);
    return parsed as T;
  }

  private async send(method: 'GET' | 'POST', path: string, body: unknown, requestId: string): Promise<Response> {
    const headers: Record<string, string> = {
      [API_KEY_HEADER]: this.opts.apiKey,
      [REQUEST_ID_HEADER]: requestId,
      accept: 'application/json',
    };
    let payload: Buffer | undefined;
    if (body !== undefined) {
      payload = await gzipAsync(Buffer.from(JSON.stringify(body)));
      headers['content-type'] = 'application/json';
      headers['content-encoding'] = 'gzip';
    }
    let res: Response;
    try {
      res = await fetch(this.opts.origin + path, {
        method,
        headers,
        ...(payload ? { body: payload } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.opts.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      const e = new ClientApiError(ErrorCode.UPLINK_UNREACHABLE, `client system unreachable: ${why}`);
      this.markDown(e);
      throw e;
    }
    if (res.status >= 500 || res.status === 429) {
      // Reachable but not serving: still counts as the uplink not working.
      this.markDown(
        new ClientApiError(res.status === 429 ? ErrorCode.RATE_LIMITED : ErrorCode.UNAVAILABLE, `HTTP ${res.status}`),
      );
    } else {
      if (this.uplink.up !== true) this.uplink.upSince = new Date(this.now());
      this.uplink.up = true;
      this.uplink.downSince = null;
      this.uplink.lastOkAt = new Date(this.now());
    }
    return res;
  }

  private async readBody(res: Response): Promise<unknown> {
    const text = await res.text();
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      return { error: { code: 'INTERNAL', message: text.slice(0, 200) } };
    }
  }

  private httpError(res: Response, body: unknown): ClientApiError {
    const err = (body as Partial<ApiErrorBody>).error;
    const e = new ClientApiError(
      err?.code ?? `HTTP_${res.status}`,
      `client system answered ${res.status}: ${err?.message ?? res.statusText}`,
      res.status,
      body,
    );
    this.uplink.lastError = { code: e.code, message: e.message, at: new Date(this.now()) };
    return e;
  }

  private markDown(e: ClientApiError): void {
    const at = new Date(this.now());
    if (this.uplink.up !== false || !this.uplink.downSince) this.uplink.downSince = at;
    this.uplink.up = false;
    this.uplink.upSince = null;
    this.uplink.lastError = { code: e.code, message: e.message, at };
    this.opts.logger.warn('uplink problem', { code: e.code, error: e.message });
  }
}
