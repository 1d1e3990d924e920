import { SvgIcon, type SvgIconProps } from '@mui/material';

// The three icons the shell needs, as Material Design paths (no icon package for three glyphs).
export const MenuIcon = (p: SvgIconProps) => (
  <SvgIcon {...p}>
    <path d="M3 18h18v-2H3v2zm0-5h18v-2H3v2zm0-7v2h18V6H3z" />
  </SvgIcon>
);
export const ThemeIcon = (p: SvgIconProps) => (
  <SvgIcon {...p}>
    <path d="M12 3a9 9 0 1 0 9 9c0-.46-.04-.92-.1-1.36a5.4 5.4 0 0 1-9.9-3 5.4 5.4 0 0 1 2.26-4.4A9.6 9.6 0 0 0 12 3z" />
  </SvgIcon>
);
export const CheckIcon = (p: SvgIconProps) => (
  <SvgIcon {...p}>
    <path d="M9 16.17 4.83 12l-1.42 1.41L9 19 21 7l-1.41-1.41z" />
  </SvgIcon>
);
