import { useEffect } from 'react';
import { AppBar, Box, FormControl, InputLabel, NativeSelect, Toolbar, Typography } from '@mui/material';
import { useColorScheme } from '@mui/material/styles';
import { useSite } from '../store/site-store';

type Mode = 'system' | 'light' | 'dark';
const MODES: Array<{ value: Mode; label: string }> = [
  { value: 'system', label: 'Auto' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/**
 * Light, dark, or as the device is set (prefers-color-scheme); MUI keeps the choice in localStorage. The browser's
 * own select: it needs none of MUI's menu stack on the first page, and on a phone it opens the system picker.
 */
function SchemeSwitch() {
  const { mode, setMode } = useColorScheme();
  return (
    <FormControl size="small" sx={{ width: 96, flexShrink: 0 }}>
      <InputLabel
        variant="standard"
        htmlFor="scheme-switch"
        sx={{ color: 'inherit', '&.Mui-focused': { color: 'inherit' } }}
      >
        Theme
      </InputLabel>
      <NativeSelect
        id="scheme-switch"
        value={mode ?? 'system'}
        onChange={(e) => setMode(e.target.value as Mode)}
        inputProps={{ 'data-testid': 'scheme-switch' } as object}
        sx={{
          color: 'inherit',
          fontSize: '0.85rem',
          '& .MuiSvgIcon-root': { color: 'inherit' },
          '&::before': { borderColor: 'currentColor', opacity: 0.6 },
          '& option': { color: 'text.primary', backgroundColor: 'background.paper' },
        }}
      >
        {MODES.map((m) => (
          <option key={m.value} value={m.value}>
            {m.label}
          </option>
        ))}
      </NativeSelect>
    </FormControl>
  );
}

/** The site's name (as the client system names it), the agent's version, and the theme switch. */
export function Header() {
  const status = useSite((s) => s.status);
  const site = status?.site.name ?? null;
  useEffect(() => {
    document.title = site ? `${site} · MeterIT site dashboard` : 'MeterIT site dashboard';
  }, [site]);
  return (
    <AppBar position="static" elevation={0}>
      <Toolbar sx={{ gap: 1.5, py: 0.75, minHeight: { xs: 56 } }}>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Typography
            variant="h6"
            component="h1"
            data-testid="site-name"
            sx={{ fontSize: '1.1rem', lineHeight: 1.25, overflowWrap: 'anywhere' }}
          >
            {site ?? 'This site'}
          </Typography>
          <Typography variant="caption" component="p" sx={{ opacity: 0.85, lineHeight: 1.3 }}>
            MeterIT site dashboard
            {status ? ` · agent ${status.agent.version}` : ''}
            {status && !site ? ' · site name not fetched from the client system yet' : ''}
          </Typography>
        </Box>
        <SchemeSwitch />
      </Toolbar>
    </AppBar>
  );
}
