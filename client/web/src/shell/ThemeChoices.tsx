import { ListItemIcon, ListItemText, Menu, MenuItem } from '@mui/material';
import type { ThemeMode } from '@meterit/shared';
import { CheckIcon } from './icons';
import { THEME_MODES_SHOWN, THEME_WORDS } from './theme-words';

/** The theme menu's list, loaded when the menu is first opened (MUI's menu stack is not needed before). */
export default function ThemeChoices({
  anchor,
  current,
  onChoose,
  onClose,
}: {
  anchor: HTMLElement;
  current: ThemeMode;
  onChoose(mode: ThemeMode): void;
  onClose(): void;
}) {
  return (
    <Menu anchorEl={anchor} open onClose={onClose}>
      {THEME_MODES_SHOWN.map((m) => (
        <MenuItem
          key={m}
          selected={m === current}
          onClick={() => onChoose(m)}
          role="menuitemradio"
          aria-checked={m === current}
        >
          <ListItemIcon>{m === current ? <CheckIcon fontSize="small" /> : null}</ListItemIcon>
          <ListItemText>{THEME_WORDS[m]}</ListItemText>
        </MenuItem>
      ))}
    </Menu>
  );
}
