import { Button, Dialog, DialogActions, DialogContent, DialogTitle, type DialogProps } from '@mui/material';
import type { ReactNode } from 'react';
import { ErrorNote } from './StateViews';

/** A dialog around a form: its fields, the last error under them, Cancel and the one action that saves. */
export function FormDialog({
  title,
  submitLabel,
  onSubmit,
  onClose,
  error,
  busy,
  maxWidth = 'sm',
  children,
}: {
  title: ReactNode;
  submitLabel: ReactNode;
  onSubmit(): void;
  onClose(): void;
  error: string | undefined;
  busy?: boolean;
  maxWidth?: DialogProps['maxWidth'];
  children: ReactNode;
}) {
  return (
    <Dialog open onClose={onClose} maxWidth={maxWidth} fullWidth>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        {children}
        <ErrorNote error={error} sx={{ mt: 2 }} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={onSubmit} disabled={busy}>
          {submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
