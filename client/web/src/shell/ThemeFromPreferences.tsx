import { useColorScheme } from '@mui/material/styles';
import { useEffect } from 'react';
import { usePreferences } from '../store/preferences';

/** Applies the profile's theme to MUI whenever it changes (login, the theme menu, the profile page). */
export function ThemeFromPreferences() {
  const theme = usePreferences((s) => s.theme);
  const { setMode } = useColorScheme();
  useEffect(() => setMode(theme), [theme, setMode]);
  return null;
}
