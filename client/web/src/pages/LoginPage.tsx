import { Alert, Box, Button, Paper, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import type { WebSessionResponse } from '@meterit/shared';
import { api, errorText, WEB_SESSION_HEADERS } from '../api/client';
import { useAuth } from '../store/auth';
import { ErrorNote } from '../components/StateViews';

export function LoginPage() {
  const notice = useAuth((s) => s.notice);
  const setSession = useAuth((s) => s.setSession);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api.post<WebSessionResponse>(
        '/api/auth/login',
        { email, password },
        { headers: WEB_SESSION_HEADERS },
      );
      setSession(data);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', bgcolor: 'background.default', p: 2 }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 4, width: '100%', maxWidth: 400 }} elevation={3}>
        <Typography sx={{ fontWeight: 700 }} variant="h5" color="primary">
          MeterIT
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 3 }}>
          Energy meters on every site, in one place. Log in to continue.
        </Typography>
        {notice ? (
          <Alert severity="info" sx={{ mb: 2 }}>
            {notice}
          </Alert>
        ) : null}
        <TextField
          label="E-mail"
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          fullWidth
          required
          autoFocus
          sx={{ mb: 2 }}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          fullWidth
          required
          sx={{ mb: 2 }}
        />
        <ErrorNote error={error} sx={{ mb: 2 }} />
        <Button type="submit" variant="contained" fullWidth size="large" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 2 }}>
          First start: the admin login is printed once in the API log (and by <code>pnpm demo</code>). Forgot your
          password? Ask an admin to set a new one.
        </Typography>
      </Paper>
    </Box>
  );
}
