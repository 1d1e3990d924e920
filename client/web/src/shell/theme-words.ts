import type { ThemeMode } from '@meterit/shared';

// The menu's order. A value import of THEME_MODES would pull @meterit/shared's schemas (and zod) into the first
// chunk; the type keeps this list to the same words, and the Record below makes it name all of them.
export const THEME_MODES_SHOWN = ['system', 'light', 'dark'] as const satisfies readonly ThemeMode[];

export const THEME_WORDS: Record<ThemeMode, string> = {
  system: 'System (follow this device)',
  light: 'Light',
  dark: 'Dark',
};
