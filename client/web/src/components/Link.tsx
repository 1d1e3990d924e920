import { Link as MuiLink, type LinkProps } from '@mui/material';
import { linkClick } from '../router';

export function Link({ to, ...rest }: { to: string } & Omit<LinkProps, 'href'>) {
  return <MuiLink href={to} onClick={linkClick(to)} underline="hover" {...rest} />;
}
