import { createTheme } from '@mui/material/styles';

// Light and dark palettes, both chosen for text contrast (WCAG AA, what axe's color-contrast rule checks): every
// status colour reads at 4.5:1 or more as text on the page and on a card, and `contrastThreshold: 4.5` makes MUI
// pick the label colour of a filled button or chip the same way. The mode (light / dark / system, where system
// follows `prefers-color-scheme`) is kept by MUI (store/preferences.ts MODE_STORAGE_KEY) and set from the profile.

export const theme = createTheme({
  // CSS variables: switching the scheme flips a data attribute on <html>, with no re-render of every component.
  cssVariables: { colorSchemeSelector: 'data-color-scheme' },
  colorSchemes: {
    light: {
      palette: {
        contrastThreshold: 4.5,
        primary: { main: '#0d47a1' },
        secondary: { main: '#7b1fa2' },
        error: { main: '#c62828' },
        warning: { main: '#a84300' },
        success: { main: '#2e7d32' },
        info: { main: '#01579b' },
        background: { default: '#f4f6f9', paper: '#ffffff' },
      },
    },
    dark: {
      palette: {
        contrastThreshold: 4.5,
        primary: { main: '#90caf9' },
        secondary: { main: '#ce93d8' },
        error: { main: '#ff8a80' },
        warning: { main: '#ffb74d' },
        success: { main: '#81c784' },
        info: { main: '#81d4fa' },
        background: { default: '#11151a', paper: '#1a1f26' },
      },
    },
  },
  shape: { borderRadius: 8 },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  components: {
    MuiTableCell: { styleOverrides: { head: { fontWeight: 600, whiteSpace: 'nowrap' } } },
    // Dark mode's elevation overlay lightens a raised card; keep cards the palette's paper so text contrast holds.
    MuiPaper: { styleOverrides: { root: { backgroundImage: 'none' } } },
  },
});
