import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import type { ApiErrorBody, WebSessionResponse } from '@meterit/shared';
import { mayHaveSession, takeLegacyRefreshToken, useAuth } from '../store/auth';

/** Same origin by default (the API serves the app); VITE_API_URL points elsewhere in development if needed. */
export const api = axios.create({ baseURL: import.meta.env.VITE_API_URL ?? '', timeout: 30_000 });

api.interceptors.request.use((config) => {
  const token = useAuth.getState().accessToken;
  if (token) config.headers.set('Authorization', `Bearer ${token}`);
  return config;
});

/**
 * Sent on login, refresh and logout: the API then keeps the refresh token in an httpOnly cookie that only
 * /api/auth/refresh and /api/auth/logout receive, and accepts that cookie only with this header (CSRF guard).
 */
export const WEB_SESSION_HEADERS = { 'X-MeterIT-Session': 'cookie' } as const;

let refreshing: Promise<boolean> | undefined;

/** One refresh at a time, however many requests found their token expired. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const legacy = takeLegacyRefreshToken();
    if (!legacy && !mayHaveSession()) return false;
    try {
      // A token from an earlier version is exchanged once for the cookie; after that the cookie alone.
      const { data } = await axios.post<WebSessionResponse>(
        `${api.defaults.baseURL ?? ''}/api/auth/refresh`,
        legacy ? { refresh_token: legacy } : undefined,
        { headers: WEB_SESSION_HEADERS },
      );
      useAuth.getState().setSession(data);
      return true;
    } catch (err) {
      const refused = axios.isAxiosError(err) && !!err.response && err.response.status < 500;
      if (refused) useAuth.getState().clear('Your session has ended; log in again.');
      else useAuth.getState().clear(`Your session could not be resumed: ${errorText(err)}`, { keepHint: true });
      return false;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/**
 * For /api/auth/* calls, which the client does not retry after a refresh (they are the refresh's own routes): when
 * the access token has run out, refresh once and call again.
 */
export async function withSession<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (axios.isAxiosError(err) && err.response?.status === 401 && (await refreshSession())) return call();
    throw err;
  }
}

/** End the login on the server (the cookie goes with it), then here. */
export async function logoutSession(notice: string): Promise<void> {
  await axios
    .post(`${api.defaults.baseURL ?? ''}/api/auth/logout`, undefined, { headers: WEB_SESSION_HEADERS })
    .catch(() => undefined);
  useAuth.getState().clear(notice);
}

api.interceptors.response.use(undefined, async (error: AxiosError<ApiErrorBody>) => {
  const config = error.config as (AxiosRequestConfig & { _retried?: boolean }) | undefined;
  if (error.response?.status === 401 && config && !config._retried && !config.url?.includes('/api/auth/')) {
    config._retried = true;
    if (await refreshSession()) return api.request(config);
  }
  throw error;
});

/** A sentence for people: the server's message, or what to check when there was no answer. */
export function errorText(err: unknown): string {
  if (axios.isAxiosError(err)) {
    const body = err.response?.data as Partial<ApiErrorBody> | undefined;
    if (body?.error?.message) return body.error.message;
    if (err.response)
      return `The server answered ${err.response.status}. Try again; if it persists, check the API logs.`;
    if (err.code === 'ECONNABORTED') return 'The server took too long to answer. Try again in a moment.';
    return 'Cannot reach the MeterIT server. Check your connection, or whether the API is running.';
  }
  return err instanceof Error ? err.message : String(err);
}

/** Download an authenticated CSV (the browser cannot add the bearer token to a plain link). */
export async function downloadCsv(path: string, params: Record<string, unknown>, fallbackName: string): Promise<void> {
  const res = await api.get<Blob>(path, { params: { ...params, format: 'csv' }, responseType: 'blob' });
  const disposition = String(res.headers['content-disposition'] ?? '');
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(res.data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
