import { Alert } from '@mui/material';
import { useEffect } from 'react';
import { probeWhileLost, useConnection } from '../api/connection';
import { fmtDateTime } from '../format';

/** Above every page while the API does not answer: what is on screen is old, and since when. */
export function ConnectionBanner() {
  const { lost, lastAnswerAt } = useConnection();
  useEffect(() => probeWhileLost(), []);
  if (!lost) return null;
  return (
    <Alert severity="error" variant="filled" role="alert" data-testid="connection-lost" sx={{ borderRadius: 0 }}>
      Connection lost — data as of {lastAnswerAt ? fmtDateTime(lastAnswerAt.toISOString()) : 'the last load'}. Retrying;
      nothing shown here is current until the server answers again.
    </Alert>
  );
}
