import { Button, type DialogProps } from '@mui/material';
import type { ReactNode } from 'react';
import { ErrorNote } from './StateViews';
import { PanelDialog } from './PanelDialog';

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
    <PanelDialog
      title={title}
      onClose={onClose}
      maxWidth={maxWidth}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="contained" onClick={onSubmit} disabled={busy}>
            {submitLabel}
          </Button>
        </>
      }
    >
      {children}
      <ErrorNote error={error} sx={{ mt: 2 }} />
    </PanelDialog>
  );
}
