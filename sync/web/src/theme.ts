import { createTheme } from '@mui/material/styles';
import type { HealthLevel } from './api/types';

export const theme = createTheme({
  palette: {
    primary: { main: '#1f3a5f' },
    success: { main: '#2e7d32' },
    warning: { main: '#b26a00' },
    error: { main: '#c62828' },
    background: { default: '#f3f5f8' },
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
export const toneColor: Record<Tone, string> = {
  ok: '#2e7d32',
  attention: '#b26a00',
  problem: '#c62828',
  unknown: '#6b7280',
};
export const toneBackground: Record<Tone, string> = {
  ok: '#e8f5e9',
  attention: '#fff4e5',
  problem: '#fdecea',
  unknown: '#f1f3f5',
};
export const levelTone = (l: HealthLevel): Tone => l;
