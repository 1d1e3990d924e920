import { create } from 'zustand';
import type { AccountResponse, Preferences, ThemeMode } from '@meterit/shared';

/** Where MUI keeps the colour mode of this browser (light / dark / system), so a reload shows it at once. */
export const MODE_STORAGE_KEY = 'meterit.theme';

/** The browser's own zone: what times are shown in until the profile names another. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function storedTheme(): ThemeMode {
  const v = typeof localStorage === 'undefined' ? null : localStorage.getItem(MODE_STORAGE_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

interface PreferencesState extends Preferences {
  /** After login or a reload the account says what this user chose (on any browser); it wins over this one's. */
  setFromAccount(a: AccountResponse): void;
  set(p: Partial<Preferences>): void;
  /** Logged out: the next user of this browser starts from the browser's zone (the theme stays as MUI keeps it). */
  reset(): void;
}

export const usePreferences = create<PreferencesState>((set) => ({
  // Until the account answers: the theme this browser showed last (MUI keeps it), the browser's zone.
  time_zone: null,
  theme: storedTheme(),
  setFromAccount: (a) => set({ ...a.preferences }),
  set: (p) => set(p),
  reset: () => set({ time_zone: null }),
}));
