import { Autocomplete, Box, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState } from 'react';
import { THEME_MODES, type ThemeMode } from '@meterit/shared';
import { ErrorNote } from '../../components/StateViews';
import { viewerTimeZone } from '../../format';
import { browserTimeZone, usePreferences } from '../../store/preferences';
import { savePreferences } from './preferences-api';

const THEME_LABELS: Record<ThemeMode, string> = { system: 'System', light: 'Light', dark: 'Dark' };
const ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/** "GMT+9": the zone's offset now, as people read it. */
export function zoneOffset(zone: string, at = new Date()): string {
  const part = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** "3 Dec 2026, 14:05 (GMT+9)": the time now in a zone, so the choice shows what it means. */
export function nowIn(zone: string): string {
  const now = new Date();
  const text = new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(
    now,
  );
  return `${text} (${zoneOffset(zone, now)})`;
}

/** Theme and time zone, applied at once and stored on the user. */
export function PreferencesForm() {
  const theme = usePreferences((s) => s.theme);
  const zone = usePreferences((s) => s.time_zone);
  const [error, setError] = useState<string>();
  const save = async (patch: Parameters<typeof savePreferences>[0]) => setError(await savePreferences(patch));
  const browser = browserTimeZone();

  return (
    <Box sx={{ display: 'grid', gap: 3, maxWidth: 420 }}>
      <Box>
        <Typography id="theme-label" sx={{ fontWeight: 600, mb: 1 }}>
          Theme
        </Typography>
        <ToggleButtonGroup
          exclusive
          value={theme}
          aria-labelledby="theme-label"
          onChange={(_e, v: ThemeMode | null) => (v ? void save({ theme: v }) : undefined)}
          size="small"
        >
          {THEME_MODES.map((m) => (
            <ToggleButton key={m} value={m}>
              {THEME_LABELS[m]}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          System follows this device&apos;s light or dark setting.
        </Typography>
      </Box>
      <Box>
        <Autocomplete
          options={ZONES as string[]}
          value={zone ?? browser}
          disableClearable
          onChange={(_e, v) => void save({ time_zone: v === browser ? null : v })}
          renderInput={(params) => <TextField {...params} label="Time zone" name="time_zone" />}
        />
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }} data-testid="zone-now">
          Times are shown in {viewerTimeZone()}: now {nowIn(viewerTimeZone())}.
          {zone ? ` This browser's own zone is ${browser}.` : " That is this browser's own zone."}
        </Typography>
      </Box>
      <ErrorNote error={error} />
    </Box>
  );
}
