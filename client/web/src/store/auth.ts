import { create } from 'zustand';
import type { TokenResponse, UserInfo } from '@meterit/shared';

const REFRESH_KEY = 'meterit.refresh_token';

interface AuthState {
  user: UserInfo | null;
  accessToken: string | null;
  /** Kept in localStorage so a reload or a new tab stays logged in; it is single use and rotates. */
  refreshToken: string | null;
  /** Why the user was logged out, shown on the login page. */
  notice: string | null;
  setSession(t: TokenResponse): void;
  setUser(u: UserInfo): void;
  clear(notice?: string): void;
}

export const useAuth = create<AuthState>((set) => ({
  user: null,
  accessToken: null,
  refreshToken: typeof localStorage === 'undefined' ? null : localStorage.getItem(REFRESH_KEY),
  notice: null,
  setSession: (t) => {
    localStorage.setItem(REFRESH_KEY, t.refresh_token);
    set({ user: t.user, accessToken: t.access_token, refreshToken: t.refresh_token, notice: null });
  },
  setUser: (u) => set({ user: u }),
  clear: (notice) => {
    localStorage.removeItem(REFRESH_KEY);
    set({ user: null, accessToken: null, refreshToken: null, notice: notice ?? null });
  },
}));

export const can = {
  manageSites: (u: UserInfo | null) => u?.role === 'admin',
  manageMeters: (u: UserInfo | null) => u?.role === 'admin' || u?.role === 'operator',
  manageUsers: (u: UserInfo | null) => u?.role === 'admin',
};
