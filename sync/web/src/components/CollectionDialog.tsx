import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';

/** "Stop collection?" / "Start collection?" with what it means and an optional reason for the site's history. */
export default function CollectionDialog({
  action,
  onCancel,
  onConfirm,
}: {
  action: 'start' | 'stop';
  onCancel(): void;
  onConfirm(reason: string | undefined): void;
}) {
  const [reason, setReason] = useState('');
  return (
    <Dialog open onClose={onCancel} fullWidth maxWidth="xs">
      <DialogTitle>{action === 'stop' ? 'Stop collection?' : 'Start collection?'}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          {action === 'stop'
            ? 'The agent stops reading the meters. No readings are taken until someone starts collection again — also after a restart. Readings already taken are still sent.'
            : 'The agent reads every meter again on its normal interval.'}
        </DialogContentText>
        <TextField
          label="Reason (optional)"
          placeholder={action === 'stop' ? 'e.g. replacing meter 3' : ''}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          fullWidth
          size="small"
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          variant="contained"
          color={action === 'stop' ? 'warning' : 'success'}
          data-testid="btn-confirm"
          onClick={() => onConfirm(reason.trim() || undefined)}
        >
          {action === 'stop' ? 'Stop collection' : 'Start collection'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
