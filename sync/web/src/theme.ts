import { createTheme } from '@mui/material/styles';
import type { HealthLevel } from './api/types';

// Light and dark, following the device's prefers-color-scheme until the technician picks one with the switch in the
// header (MUI keeps that choice in localStorage). The scheme is a class on <html> (.light / .dark); the four tones are
// CSS variables set per scheme, so every component that uses them follows without a re-render.
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#1f3a5f' },
        success: { main: '#2e7d32' },
        warning: { main: '#8a5300' },
        error: { main: '#c62828' },
        background: { default: '#f3f5f8' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#9cc0ee' },
        success: { main: '#81c784' },
        warning: { main: '#ffb74d' },
        error: { main: '#ef9a9a' },
        background: { default: '#0f141a', paper: '#171d25' },
      },
    },
  },
  shape: { borderRadius: 8 },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiPaper: { defaultProps: { variant: 'outlined' } },
  },
});

/** One colour per verdict, used everywhere: green OK, amber attention, red problem, grey unknown. */
export type Tone = 'ok' | 'attention' | 'problem' | 'unknown';
const TONES: Tone[] = ['ok', 'attention', 'problem', 'unknown'];
export const toneColor = Object.fromEntries(TONES.map((t) => [t, `var(--tone-${t})`])) as Record<Tone, string>;
export const toneBackground = Object.fromEntries(TONES.map((t) => [t, `var(--tone-${t}-bg)`])) as Record<Tone, string>;

const LIGHT: Record<Tone, [string, string]> = {
  ok: ['#2e7d32', '#e8f5e9'],
  attention: ['#8a5300', '#fff4e5'],
  problem: ['#c62828', '#fdecea'],
  unknown: ['#5f6673', '#f1f3f5'],
};
const DARK: Record<Tone, [string, string]> = {
  ok: ['#81c784', '#16291a'],
  attention: ['#ffb74d', '#33260f'],
  problem: ['#ff8a80', '#3a1a1a'],
  unknown: ['#b0b7c3', '#232931'],
};
const vars = (tones: Record<Tone, [string, string]>) =>
  Object.fromEntries(
    TONES.flatMap((t) => [
      [`--tone-${t}`, tones[t][0]],
      [`--tone-${t}-bg`, tones[t][1]],
    ]),
  );
/** The tones' CSS variables for <GlobalStyles>. */
export const toneVariables = { ':root, .light': vars(LIGHT), '.dark': vars(DARK) };

export const levelTone = (l: HealthLevel): Tone => l;
