import { Box, Paper, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import type { UserInfo } from '@meterit/shared';
import { ChangePasswordForm } from './profile/ChangePasswordForm';
import { PreferencesForm, zoneOffset } from './profile/PreferencesForm';
import { viewerTimeZone } from '../format';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }} component="section" aria-label={title}>
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

function lastLogin(iso: string | null): string {
  if (!iso) return 'never';
  const zone = viewerTimeZone();
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** The operator's own account: who they are, how the app looks and which zone its times are in, the password. */
export function ProfilePage({ user }: { user: UserInfo }) {
  return (
    <Box sx={{ maxWidth: 720 }}>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 3 }}>
        Profile
      </Typography>
      <Section title="Account">
        <Typography sx={{ wordBreak: 'break-all' }}>{user.email}</Typography>
        <Typography color="text.secondary">
          {user.name ? `${user.name} · ` : ''}
          {user.role}
          {user.site_ids === null ? ' · every site' : ` · ${user.site_ids.length} site(s)`}
        </Typography>
        <Typography color="text.secondary" data-testid="last-login">
          Last login: {lastLogin(user.last_login_at)} ({zoneOffset(viewerTimeZone())})
        </Typography>
      </Section>
      <Section title="Appearance and time zone">
        <PreferencesForm />
      </Section>
      <Section title="Password">
        <ChangePasswordForm user={user} onChanged={() => undefined} />
      </Section>
    </Box>
  );
}
