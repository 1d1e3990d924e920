import { useState } from 'react';
import { Alert, Box, Button, CircularProgress, Typography } from '@mui/material';
import { useSite } from '../store/site-store';
import { clock } from '../lib/format';
import { later, LaterPart } from '../lib/later';

// The confirmation (with its reason field) is not needed to show the site: it loads beside it (lib/later.tsx).
const CollectionDialog = later(() => import('./CollectionDialog').then((m) => m.default));

/** Sync now, start/stop (confirmed), retry dead letters, and the result of the last action. */
export function ControlBar() {
  const status = useSite((s) => s.status);
  const busy = useSite((s) => s.busy);
  const notice = useSite((s) => s.notice);
  const session = useSite((s) => s.session);
  const { syncNow, setCollecting, retryDeadLetters, clearNotice, openLogin, logout } = useSite.getState();
  const [confirm, setConfirm] = useState<null | 'start' | 'stop'>(null);
  if (!status) return null;
  const enabled = status.control.enabled;
  const collecting = status.collection.collecting;
  const dead = status.dead_letters.count;
  /** The one of start/stop that applies now. */
  const toggle = collecting ? 'stop' : 'start';
  const spin = (a: typeof busy) => (busy === a ? <CircularProgress size={16} color="inherit" /> : undefined);

  return (
    <Box sx={{ mb: 2 }}>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button
          variant="contained"
          onClick={() => void syncNow()}
          disabled={!enabled || busy !== null}
          startIcon={spin('sync')}
          data-testid="btn-sync-now"
        >
          Sync now
        </Button>
        <Button
          variant={collecting ? 'outlined' : 'contained'}
          color={collecting ? 'warning' : 'success'}
          onClick={() => setConfirm(toggle)}
          disabled={!enabled || busy !== null}
          startIcon={spin(toggle)}
          data-testid={`btn-${toggle}`}
        >
          {collecting ? 'Stop collection' : 'Start collection'}
        </Button>
        <Button
          variant="outlined"
          onClick={() => void retryDeadLetters()}
          disabled={!enabled || busy !== null || dead === 0}
          startIcon={spin('retry')}
          data-testid="btn-retry"
        >
          Retry dead letters{dead > 0 ? ` (${dead})` : ''}
        </Button>
        <Box sx={{ flexGrow: 1 }} />
        {enabled &&
          (session ? (
            <Typography variant="body2" color="text.secondary">
              Logged in until {clock(session.expiresAt)} ·{' '}
              <Button size="small" onClick={() => void logout()} sx={{ minWidth: 0, p: 0, verticalAlign: 'baseline' }}>
                Log out
              </Button>
            </Typography>
          ) : (
            <Button size="small" onClick={openLogin} data-testid="btn-login">
              Log in for control actions
            </Button>
          ))}
      </Box>
      {!enabled && (
        <Alert severity="info" sx={{ mt: 1 }}>
          Control actions are off on this agent: no control token was set at install (LOCAL_API_TOKEN). Everything here
          can still be viewed.
        </Alert>
      )}
      {notice && (
        <Alert severity={notice.kind} onClose={clearNotice} sx={{ mt: 1 }} data-testid="notice">
          {notice.text}
        </Alert>
      )}
      {confirm ? (
        <LaterPart what="the confirmation" quiet>
          <CollectionDialog
            action={confirm}
            onCancel={() => setConfirm(null)}
            onConfirm={(reason) => {
              setConfirm(null);
              void setCollecting(confirm === 'start', reason);
            }}
          />
        </LaterPart>
      ) : null}
    </Box>
  );
}
