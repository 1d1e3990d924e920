import type { WebSessionResponse } from '@meterit/shared';
import { createHttpClient, HttpError, type QueryParams } from '@meterit/shared/http';
import { mayHaveSession, takeLegacyRefreshToken, useAuth } from '../store/auth';

/**
 * Same origin by default (the API serves the app); VITE_API_URL points elsewhere in development if needed. A 401
 * refreshes the session once and sends the request again, except on /api/auth/* (the refresh's own routes; their
 * callers use withSession).
 */
export const api = createHttpClient({
  baseUrl: import.meta.env.VITE_API_URL ?? '',
  timeoutMs: 30_000,
  token: () => useAuth.getState().accessToken,
  on401: { renew: () => refreshSession(), skip: (path) => path.includes('/api/auth/') },
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
      const { data } = await api.post<WebSessionResponse>(
        '/api/auth/refresh',
        legacy ? { refresh_token: legacy } : undefined,
        { headers: WEB_SESSION_HEADERS },
      );
      useAuth.getState().setSession(data);
      return true;
    } catch (err) {
      const refused = err instanceof HttpError && err.status !== null && err.status < 500;
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
    if (err instanceof HttpError && err.status === 401 && (await refreshSession())) return call();
    throw err;
  }
}

/** End the login on the server (the cookie goes with it), then here. */
export async function logoutSession(notice: string): Promise<void> {
  await api.post('/api/auth/logout', undefined, { headers: WEB_SESSION_HEADERS }).catch(() => undefined);
  useAuth.getState().clear(notice);
}

/** A sentence for people: the server's message, or what to check when there was no answer. */
export function errorText(err: unknown): string {
  if (err instanceof HttpError) {
    const message = err.apiError?.message;
    if (message) return message;
    if (err.status !== null) return `The server answered ${err.status}. Try again; if it persists, check the API logs.`;
    if (err.failure === 'timeout') return 'The server took too long to answer. Try again in a moment.';
    return 'Cannot reach the MeterIT server. Check your connection, or whether the API is running.';
  }
  return err instanceof Error ? err.message : String(err);
}

/** Download an authenticated CSV (the browser cannot add the bearer token to a plain link). */
export async function downloadCsv(path: string, params: QueryParams, fallbackName: string): Promise<void> {
  const file = await api.download(path, { params: { ...params, format: 'csv' } });
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
