import { create } from 'zustand';
import type { UserInfo, WebSessionResponse } from '@meterit/shared';

/** Where earlier versions kept the refresh token: read once on load to move it into the cookie, then removed. */
const LEGACY_REFRESH_KEY = 'meterit.refresh_token';
/**
 * Not a credential: only that this browser was given a session cookie, so a first visit (or one after logout)
 * shows the login page at once instead of asking for a refresh that must fail.
 */
const SESSION_HINT_KEY = 'meterit.session';

function storage(): Storage | undefined {
  return typeof localStorage === 'undefined' ? undefined : localStorage;
}

interface AuthState {
  user: UserInfo | null;
  /** In memory only: a reload gets a new one from the refresh cookie (httpOnly; the page never sees it). */
  accessToken: string | null;
  /** Why the user was logged out, shown on the login page. */
  notice: string | null;
  /**
   * From GET /api/account after login: an admin generated or reset the password, so the app shows only the password
   * change (the API refuses everything else too). null: not known yet.
   */
  mustChangePassword: boolean | null;
  setSession(t: WebSessionResponse): void;
  setMustChangePassword(v: boolean): void;
  setUser(u: UserInfo): void;
  /** `keepHint`: the server did not answer, so the cookie may still be good and a reload may resume. */
  clear(notice?: string, opts?: { keepHint?: boolean }): void;
}

export const useAuth = create<AuthState>((set) => ({
  user: null,
  accessToken: null,
  notice: null,
  mustChangePassword: null,
  setMustChangePassword: (v) => set({ mustChangePassword: v }),
  setSession: (t) => {
    storage()?.setItem(SESSION_HINT_KEY, 'cookie');
    set({ user: t.user, accessToken: t.access_token, notice: null });
  },
  setUser: (u) => set({ user: u }),
  clear: (notice, opts) => {
    if (!opts?.keepHint) storage()?.removeItem(SESSION_HINT_KEY);
    set({ user: null, accessToken: null, notice: notice ?? null, mustChangePassword: null });
  },
}));

/** Whether a session may be there to resume: the hint, or a refresh token an earlier version left behind. */
export function mayHaveSession(): boolean {
  const s = storage();
  return !!s && (s.getItem(SESSION_HINT_KEY) !== null || s.getItem(LEGACY_REFRESH_KEY) !== null);
}

/** The refresh token an earlier version kept in localStorage, removed from there as it is taken. */
export function takeLegacyRefreshToken(): string | null {
  const s = storage();
  const token = s?.getItem(LEGACY_REFRESH_KEY) ?? null;
  if (token !== null) s?.removeItem(LEGACY_REFRESH_KEY);
  return token;
}

export const can = {
  manageSites: (u: UserInfo | null) => u?.role === 'admin',
  manageMeters: (u: UserInfo | null) => u?.role === 'admin' || u?.role === 'operator',
  manageUsers: (u: UserInfo | null) => u?.role === 'admin',
};
