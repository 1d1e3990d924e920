import { Button, Dialog, DialogActions, DialogContent, DialogTitle, type DialogProps } from '@mui/material';
import type { ReactNode } from 'react';

/** A dialog: its title, its content and the buttons under it (Close alone unless `actions` are given). */
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
  return (
    <Dialog open={open} onClose={onClose} maxWidth={maxWidth} fullWidth>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>{children}</DialogContent>
      <DialogActions>{actions ?? <Button onClick={onClose}>Close</Button>}</DialogActions>
    </Dialog>
  );
}
