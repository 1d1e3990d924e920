import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  useMediaQuery,
  useTheme,
  type DialogProps,
} from '@mui/material';
import type { ReactNode } from 'react';

/**
 * A dialog: its title, its content and the buttons under it (Close alone unless `actions` are given). On a phone it
 * takes the whole screen, so tables and long values inside have the full width.
 */
export function PanelDialog({
  title,
  onClose,
  open = true,
  maxWidth = 'md',
  actions,
  children,
}: {
  title: ReactNode;
  onClose(): void;
  open?: boolean;
  maxWidth?: DialogProps['maxWidth'];
  actions?: ReactNode;
  children: ReactNode;
}) {
  const phone = useMediaQuery(useTheme().breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} maxWidth={maxWidth} fullWidth fullScreen={phone}>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>{children}</DialogContent>
      <DialogActions>{actions ?? <Button onClick={onClose}>Close</Button>}</DialogActions>
    </Dialog>
  );
}
