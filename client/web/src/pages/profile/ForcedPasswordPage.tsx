import { Alert, Box, Button, Paper, Typography } from '@mui/material';
import type { UserInfo } from '@meterit/shared';
import { useAuth } from '../../store/auth';
import { ChangePasswordForm } from './ChangePasswordForm';

/**
 * After a login with a password an admin generated or reset: nothing else until the user chose their own (the API
 * refuses every other route meanwhile, 403 PASSWORD_CHANGE_REQUIRED).
 */
export function ForcedPasswordPage({ user, onLogout }: { user: UserInfo; onLogout(): void }) {
  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', bgcolor: 'background.default', p: 2 }}>
      <Paper sx={{ p: { xs: 3, sm: 4 }, width: '100%', maxWidth: 460 }} elevation={3}>
        <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 1 }}>
          Choose your own password
        </Typography>
        <Alert severity="info" sx={{ mb: 3 }}>
          An admin set the password you logged in with. Choose one only you know before you continue.
        </Alert>
        <Typography color="text.secondary" sx={{ mb: 2, wordBreak: 'break-all' }}>
          {user.email}
        </Typography>
        <ChangePasswordForm user={user} onChanged={() => useAuth.getState().setMustChangePassword(false)} />
        <Button onClick={onLogout} sx={{ mt: 2 }}>
          Log out
        </Button>
      </Paper>
    </Box>
  );
}
