import { IconButton } from '@mui/material';
import { lazy, Suspense, useState } from 'react';
import type { ThemeMode } from '@meterit/shared';
import { savePreferences } from '../pages/profile/preferences-api';
import { usePreferences } from '../store/preferences';
import { ThemeIcon } from './icons';
import { THEME_WORDS } from './theme-words';

const ThemeChoices = lazy(() => import('./ThemeChoices'));

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
      {anchor ? (
        <Suspense fallback={null}>
          <ThemeChoices anchor={anchor} current={theme} onChoose={choose} onClose={() => setAnchor(null)} />
        </Suspense>
      ) : null}
    </>
  );
}
