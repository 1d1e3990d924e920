// The one HTTP client of both web apps, on the browser's own fetch: axios was ~57 kB of a first page that must stay
// under half of the app (issue 16). Browser-safe and value-free of the contracts (importing a schema would pull zod
// into the apps' first chunk); Node 18+ has the same fetch, which is how its tests run it against a real server.

/** Query parameters; undefined and null leave the parameter out. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export interface HttpRequest {
  params?: QueryParams;
  /** Sent as JSON; undefined sends no body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** This request's own limit, instead of the client's. */
  timeoutMs?: number;
}

export interface HttpAnswer<T> {
  data: T;
  status: number;
  headers: Headers;
}

export interface HttpDownload {
  blob: Blob;
  /** The `filename` of the answer's content-disposition, when it names one. */
  fileName: string | null;
}

/** Why a request failed: the server answered with an error status, the time ran out, or nothing answered at all. */
export type HttpFailure = 'answered' | 'timeout' | 'unreachable';

/** The API's error answer, `{"error": {"code", "message"}}`, as far as the body has it. */
export interface ApiErrorFields {
  code: string | null;
  message: string | null;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly failure: HttpFailure,
    /** The HTTP status, null when no answer came. */
    readonly status: number | null,
    /** The answer's body: parsed JSON, else its text; undefined when no answer came. */
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The API's error code and message, when the body is the API's error shape. */
  get apiError(): ApiErrorFields | null {
    const error = (this.body as { error?: unknown } | null | undefined)?.error;
    if (typeof error !== 'object' || error === null) return null;
    const { code, message } = error as { code?: unknown; message?: unknown };
    return {
      code: typeof code === 'string' ? code : null,
      message: typeof message === 'string' ? message : null,
    };
  }
}

export interface HttpClientOptions {
  /** Put before every path: '' for the page's own origin. */
  baseUrl: string;
  /** How long a request may take, answer body included, unless the request sets its own. */
  timeoutMs: number;
  /** Headers sent with every request (a request's own win). */
  headers?: Record<string, string>;
  /** The bearer token, read as each request goes out (so a retry after a refresh sends the new one). */
  token?: () => string | null | undefined;
  /**
   * On a 401, `renew` gets a new token (true when it did) and the request goes once more; never twice, and never
   * for the paths `skip` names (the refresh's own routes).
   */
  on401?: { renew: () => Promise<boolean>; skip?: (path: string) => boolean };
}

/** Every exchange's outcome: its HTTP status, or null when no answer came (timed out, or nothing answered). */
export type HttpListener = (status: number | null) => void;

export interface HttpClient {
  request<T>(method: string, path: string, req?: HttpRequest): Promise<HttpAnswer<T>>;
  get<T>(path: string, req?: Omit<HttpRequest, 'body'>): Promise<HttpAnswer<T>>;
  delete<T>(path: string, req?: Omit<HttpRequest, 'body'>): Promise<HttpAnswer<T>>;
  post<T>(path: string, body?: unknown, req?: Omit<HttpRequest, 'body'>): Promise<HttpAnswer<T>>;
  patch<T>(path: string, body?: unknown, req?: Omit<HttpRequest, 'body'>): Promise<HttpAnswer<T>>;
  put<T>(path: string, body?: unknown, req?: Omit<HttpRequest, 'body'>): Promise<HttpAnswer<T>>;
  /** A GET whose answer is a file (a CSV export): its bytes and the name the server gives it. */
  download(path: string, req?: Omit<HttpRequest, 'body'>): Promise<HttpDownload>;
  /** Hears every exchange, answered or not (a connection indicator); returns how to stop listening. */
  observe(listener: HttpListener): () => void;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const listeners = new Set<HttpListener>();
  const tell = (status: number | null) => listeners.forEach((l) => l(status));

  async function once(method: string, path: string, req: HttpRequest, asBlob: boolean): Promise<HttpAnswer<unknown>> {
    const limit = req.timeoutMs ?? options.timeoutMs;
    const signal = AbortSignal.timeout(limit);
    const headers: Record<string, string> = {
      accept: asBlob ? '*/*' : 'application/json',
      ...options.headers,
      ...req.headers,
    };
    const token = options.token?.();
    if (token) headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let status: number;
    let answer: { data: unknown; headers: Headers };
    try {
      const res = await fetch(urlOf(options.baseUrl, path, req.params), { method, headers, body, signal });
      status = res.status;
      // An error answer is read as JSON even for a download: it carries the API's message.
      answer = { data: res.ok && asBlob ? await res.blob() : parsed(await res.text()), headers: res.headers };
    } catch {
      tell(null);
      if (signal.aborted)
        throw new HttpError(`${method} ${path}: no answer within ${limit} ms`, 'timeout', null, undefined);
      throw new HttpError(`${method} ${path}: no answer`, 'unreachable', null, undefined);
    }
    tell(status);
    if (status < 200 || status > 299)
      throw new HttpError(`${method} ${path} answered ${status}`, 'answered', status, answer.data);
    return { ...answer, status };
  }

  async function send(method: string, path: string, req: HttpRequest, asBlob: boolean): Promise<HttpAnswer<unknown>> {
    try {
      return await once(method, path, req, asBlob);
    } catch (err) {
      const on401 = options.on401;
      const renewable = err instanceof HttpError && err.status === 401 && on401 && !on401.skip?.(path);
      if (renewable && (await on401.renew())) return once(method, path, req, asBlob);
      throw err;
    }
  }

  const request = <T>(method: string, path: string, req: HttpRequest = {}) =>
    send(method, path, req, false) as Promise<HttpAnswer<T>>;
  return {
    request,
    get: (path, req) => request('GET', path, req),
    delete: (path, req) => request('DELETE', path, req),
    post: (path, body, req) => request('POST', path, { ...req, body }),
    patch: (path, body, req) => request('PATCH', path, { ...req, body }),
    put: (path, body, req) => request('PUT', path, { ...req, body }),
    download: async (path, req = {}) => {
      const { data, headers } = await send('GET', path, req, true);
      return { blob: data as Blob, fileName: attachmentName(headers.get('content-disposition')) };
    },
    observe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function urlOf(base: string, path: string, params: QueryParams | undefined): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null) query.append(k, String(v));
  const q = query.toString();
  return `${base}${path}${q ? `${path.includes('?') ? '&' : '?'}${q}` : ''}`;
}

/** JSON when the body is JSON, its text otherwise (a proxy's HTML error page), undefined when empty. */
function parsed(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function attachmentName(disposition: string | null): string | null {
  return /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? null;
}
