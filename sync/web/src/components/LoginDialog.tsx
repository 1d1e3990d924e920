import { useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@mui/material';
import { useSite } from '../store/site-store';

/** Exchanges the installer's control token for a short-lived session on this device. */
export function LoginDialog() {
  const open = useSite((s) => s.loginOpen);
  const error = useSite((s) => s.loginError);
  const busy = useSite((s) => s.busy === 'login');
  const { login, closeLogin } = useSite.getState();
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token) void login(token).then(() => setToken(''));
  };
  return (
    <Dialog open={open} onClose={closeLogin} fullWidth maxWidth="xs">
      <form onSubmit={submit}>
        <DialogTitle>Log in for control actions</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            Sync now, start/stop and retry need the site&apos;s control token. It was chosen at install (LOCAL_API_TOKEN
            in the agent&apos;s settings); ask the installer if you do not have it.
          </DialogContentText>
          <TextField
            autoFocus
            label="Control token"
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            fullWidth
            autoComplete="current-password"
            slotProps={{ htmlInput: { 'data-testid': 'login-token' } }}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={closeLogin}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!token || busy} data-testid="login-submit">
            Log in
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
