import { AppBar, Box, Button, Container, Toolbar, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { UserInfo } from '@meterit/shared';
import { logoutSession, refreshSession } from './api/client';
import { Loading, EmptyState } from './components/StateViews';
import { AdminSitesPage } from './pages/AdminSitesPage';
import { DashboardPage } from './pages/DashboardPage';
import { LoginPage } from './pages/LoginPage';
import { MeterPage } from './pages/MeterPage';
import { SitePage } from './pages/SitePage';
import { UsersPage } from './pages/UsersPage';
import { AlertsPage } from './pages/AlertsPage';
import { AlertRulesPage } from './pages/AlertRulesPage';
import { OutboxPage } from './pages/OutboxPage';
import { linkClick, navigate, parseRoute, usePath } from './router';
import { McpTokensDialog } from './components/McpTokensDialog';
import { ConnectionBanner } from './components/ConnectionBanner';
import { can, mayHaveSession, useAuth } from './store/auth';

function NavButton({ to, label, active }: { to: string; label: string; active: boolean }) {
  return (
    <Button
      href={to}
      onClick={linkClick(to)}
      color="inherit"
      sx={{
        fontWeight: active ? 700 : 400,
        borderBottom: active ? '2px solid currentColor' : '2px solid transparent',
        borderRadius: 0,
      }}
    >
      {label}
    </Button>
  );
}

function Shell({ user }: { user: UserInfo }) {
  const path = usePath();
  const route = parseRoute(path);
  const [mcpTokensOpen, setMcpTokensOpen] = useState(false);
  const logout = async () => {
    await logoutSession('You are logged out.');
    navigate('/', true);
  };
  let page;
  switch (route.page) {
    case 'dashboard':
    case 'login':
      page = <DashboardPage />;
      break;
    case 'site':
      page = <SitePage key={route.id} id={route.id} />;
      break;
    case 'meter':
      page = <MeterPage key={route.id} id={route.id} />;
      break;
    case 'admin-sites':
      page = can.manageMeters(user) ? (
        <AdminSitesPage />
      ) : (
        <EmptyState title="Not available">Only admins and operators manage sites and meters.</EmptyState>
      );
      break;
    case 'users':
      page = can.manageUsers(user) ? (
        <UsersPage />
      ) : (
        <EmptyState title="Not available">Only admins manage users.</EmptyState>
      );
      break;
    case 'alerts':
      page = <AlertsPage openId={route.id} />;
      break;
    case 'alert-rules':
      page = <AlertRulesPage />;
      break;
    case 'outbox':
      page = <OutboxPage />;
      break;
    default:
      page = <EmptyState title="No such page">Go back to the list of all sites.</EmptyState>;
  }
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="sticky" elevation={1}>
        <Toolbar sx={{ gap: 1, flexWrap: 'wrap' }}>
          <Typography variant="h6" sx={{ fontWeight: 700, mr: 2 }}>
            MeterIT
          </Typography>
          <NavButton
            to="/"
            label="Dashboard"
            active={route.page === 'dashboard' || route.page === 'site' || route.page === 'meter'}
          />
          <NavButton
            to="/alerts"
            label="Alerts"
            active={route.page === 'alerts' || route.page === 'alert-rules' || route.page === 'outbox'}
          />
          {can.manageMeters(user) ? (
            <NavButton to="/admin/sites" label="Sites & meters" active={route.page === 'admin-sites'} />
          ) : null}
          {can.manageUsers(user) ? <NavButton to="/admin/users" label="Users" active={route.page === 'users'} /> : null}
          <Box sx={{ flex: 1 }} />
          <Typography variant="body2" sx={{ opacity: 0.9 }} data-testid="current-user">
            {user.email} · {user.role}
          </Typography>
          <Button color="inherit" onClick={() => setMcpTokensOpen(true)}>
            MCP tokens
          </Button>
          <Button color="inherit" onClick={logout}>
            Log out
          </Button>
        </Toolbar>
        <ConnectionBanner />
      </AppBar>
      <Container maxWidth="xl" sx={{ py: 3 }}>
        {page}
      </Container>
      <McpTokensDialog open={mcpTokensOpen} onClose={() => setMcpTokensOpen(false)} />
    </Box>
  );
}

export function App() {
  const user = useAuth((s) => s.user);
  // On load after a login in this browser, resume the session from the refresh cookie before showing anything.
  const [resuming, setResuming] = useState(() => !user && mayHaveSession());
  useEffect(() => {
    if (!resuming) return;
    void refreshSession().finally(() => setResuming(false));
  }, [resuming]);
  if (resuming) return <Loading what="your session" />;
  if (!user) return <LoginPage />;
  return <Shell user={user} />;
}
