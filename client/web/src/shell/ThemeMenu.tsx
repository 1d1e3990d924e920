import { IconButton, ListItemIcon, ListItemText, Menu, MenuItem } from '@mui/material';
import { useState } from 'react';
import type { ThemeMode } from '@meterit/shared';
import { savePreferences } from '../pages/profile/preferences-api';
import { usePreferences } from '../store/preferences';
import { CheckIcon, ThemeIcon } from './icons';

// The menu's order. A value import of THEME_MODES would pull @meterit/shared's schemas (and zod) into the first
// chunk; the type keeps this list to the same words, and the Record below makes it name all of them.
const MODES = ['system', 'light', 'dark'] as const satisfies readonly ThemeMode[];

export const THEME_WORDS: Record<ThemeMode, string> = {
  system: 'System (follow this device)',
  light: 'Light',
  dark: 'Dark',
};

/** The app bar's light / dark / system switch; the choice is saved on the user. */
export function ThemeMenu() {
  const theme = usePreferences((s) => s.theme);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const choose = (mode: ThemeMode) => {
    setAnchor(null);
    void savePreferences({ theme: mode });
  };
  return (
    <>
      <IconButton
        color="inherit"
        aria-label={`Theme: ${THEME_WORDS[theme]}`}
        title="Theme"
        aria-haspopup="menu"
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        <ThemeIcon />
      </IconButton>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {MODES.map((m) => (
          <MenuItem
            key={m}
            selected={m === theme}
            onClick={() => choose(m)}
            role="menuitemradio"
            aria-checked={m === theme}
          >
            <ListItemIcon>{m === theme ? <CheckIcon fontSize="small" /> : null}</ListItemIcon>
            <ListItemText>{THEME_WORDS[m]}</ListItemText>
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
