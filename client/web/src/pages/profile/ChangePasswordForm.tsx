import { Alert, Box, Button, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import type { UserInfo, WebSessionResponse } from '@meterit/shared';
import { api, errorText, withSession, WEB_SESSION_HEADERS } from '../../api/client';
import { useAuth } from '../../store/auth';
import { ErrorNote } from '../../components/StateViews';

const MIN_LENGTH = 12;

/**
 * Current password, new one twice. A change ends every session of the user (the API revokes their refresh tokens),
 * so this browser logs in again with the new password at once and stays logged in.
 */
export function ChangePasswordForm({ user, onChanged }: { user: UserInfo; onChanged(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const tooShort = next.length > 0 && next.length < MIN_LENGTH;
  const mismatch = again.length > 0 && again !== next;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    if (next.length < MIN_LENGTH) return setError(`The new password must be at least ${MIN_LENGTH} characters long.`);
    if (next !== again) return setError('The two new passwords differ.');
    setBusy(true);
    try {
      await withSession(() => api.post('/api/auth/password', { current_password: current, new_password: next }));
      const { data } = await api.post<WebSessionResponse>(
        '/api/auth/login',
        { email: user.email, password: next },
        { headers: WEB_SESSION_HEADERS },
      );
      useAuth.getState().setSession(data);
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(true);
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box component="form" onSubmit={submit} sx={{ display: 'grid', gap: 2, maxWidth: 420 }}>
      {/* Lets password managers file the new password under the right account. */}
      <input type="hidden" name="username" autoComplete="username" value={user.email} />
      <TextField
        label="Current password"
        type="password"
        name="current_password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        required
      />
      <TextField
        label="New password"
        type="password"
        name="new_password"
        autoComplete="new-password"
        value={next}
        onChange={(e) => setNext(e.target.value)}
        error={tooShort}
        helperText={`At least ${MIN_LENGTH} characters.`}
        required
      />
      <TextField
        label="New password again"
        type="password"
        name="new_password_again"
        autoComplete="new-password"
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        error={mismatch}
        helperText={mismatch ? 'Not the same as the new password.' : ' '}
        required
      />
      <ErrorNote error={error} />
      {done ? <Alert severity="success">Your password is changed.</Alert> : null}
      <Box>
        <Button type="submit" variant="contained" disabled={busy}>
          Change password
        </Button>
      </Box>
    </Box>
  );
}
