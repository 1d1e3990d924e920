import { Container } from '@mui/material';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { AccountResponse, UserInfo } from '@meterit/shared';
import { api, errorText, logoutSession, refreshSession } from './api/client';
import { ChunkBoundary, Loading, EmptyState, ErrorState } from './components/StateViews';
import { navigate, parseRoute, usePath } from './router';
import { ThemeFromPreferences } from './shell/ThemeFromPreferences';
import { can, mayHaveSession, useAuth } from './store/auth';
import { usePreferences } from './store/preferences';

// One chunk per page: a visit loads the page it opens (and the navigation once logged in), not the charts and forms
// of every other page. docs/performance.md has the figures.
const LoginPage = lazy(() => import('./pages/LoginPage').then((m) => ({ default: m.LoginPage })));
const Navigation = lazy(() => import('./shell/Navigation').then((m) => ({ default: m.Navigation })));
const DashboardPage = lazy(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const SitePage = lazy(() => import('./pages/SitePage').then((m) => ({ default: m.SitePage })));
const CostsPage = lazy(() => import('./pages/CostsPage').then((m) => ({ default: m.CostsPage })));
const MeterPage = lazy(() => import('./pages/MeterPage').then((m) => ({ default: m.MeterPage })));
const AdminSitesPage = lazy(() => import('./pages/AdminSitesPage').then((m) => ({ default: m.AdminSitesPage })));
const UsersPage = lazy(() => import('./pages/UsersPage').then((m) => ({ default: m.UsersPage })));
const AlertsPage = lazy(() => import('./pages/AlertsPage').then((m) => ({ default: m.AlertsPage })));
const AlertRulesPage = lazy(() => import('./pages/AlertRulesPage').then((m) => ({ default: m.AlertRulesPage })));
const OutboxPage = lazy(() => import('./pages/OutboxPage').then((m) => ({ default: m.OutboxPage })));
const EnergyPage = lazy(() => import('./pages/EnergyPage').then((m) => ({ default: m.EnergyPage })));
const ProfilePage = lazy(() => import('./pages/ProfilePage').then((m) => ({ default: m.ProfilePage })));
const McpTokensDialog = lazy(() =>
  import('./components/McpTokensDialog').then((m) => ({ default: m.McpTokensDialog })),
);
const ForcedPasswordPage = lazy(() =>
  import('./pages/profile/ForcedPasswordPage').then((m) => ({ default: m.ForcedPasswordPage })),
);

const logout = async () => {
  await logoutSession('You are logged out.');
  usePreferences.getState().reset();
  navigate('/', true);
};

function Shell({ user }: { user: UserInfo }) {
  const path = usePath();
  const route = parseRoute(path);
  const [mcpTokensOpen, setMcpTokensOpen] = useState(false);
  // A new zone re-renders every time on the page at once.
  const zone = usePreferences((s) => s.time_zone);
  let page;
  switch (route.page) {
    case 'dashboard':
    case 'login':
      page = <DashboardPage />;
      break;
    case 'site':
      page = <SitePage key={route.id} id={route.id} />;
      break;
    case 'site-costs':
      page = <CostsPage key={route.id} siteId={route.id} />;
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
    case 'energy':
      page = <EnergyPage />;
      break;
    case 'profile':
      page = <ProfilePage user={user} />;
      break;
    default:
      page = <EmptyState title="No such page">Go back to the list of all sites.</EmptyState>;
  }
  return (
    <>
      <ChunkBoundary what="The navigation">
        <Suspense fallback={null}>
          <Navigation user={user} route={route} onMcpTokens={() => setMcpTokensOpen(true)} onLogout={logout} />
        </Suspense>
      </ChunkBoundary>
      <Container component="main" maxWidth="xl" sx={{ py: 3 }} key={zone ?? 'browser'}>
        <ChunkBoundary what="This page" key={route.page}>
          <Suspense fallback={<Loading what="the page" />}>{page}</Suspense>
        </ChunkBoundary>
      </Container>
      {mcpTokensOpen ? (
        <Suspense fallback={null}>
          <McpTokensDialog open onClose={() => setMcpTokensOpen(false)} />
        </Suspense>
      ) : null}
    </>
  );
}

/** After login: the account says whether the password must be changed first, and brings the profile's preferences. */
function Account({ user }: { user: UserInfo }) {
  const mustChange = useAuth((s) => s.mustChangePassword);
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    api.get<AccountResponse>('/api/account').then(
      ({ data }) => {
        if (!live) return;
        usePreferences.getState().setFromAccount(data);
        useAuth.getState().setMustChangePassword(data.must_change_password);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [user.id, attempt]);
  if (mustChange === null) {
    return error ? (
      <Container sx={{ py: 3 }}>
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      </Container>
    ) : (
      <Loading what="your account" />
    );
  }
  if (mustChange) {
    return (
      <ChunkBoundary what="This page">
        <Suspense fallback={<Loading what="the page" />}>
          <ForcedPasswordPage user={user} onLogout={logout} />
        </Suspense>
      </ChunkBoundary>
    );
  }
  return <Shell user={user} />;
}

export function App() {
  const user = useAuth((s) => s.user);
  // On load after a login in this browser, resume the session from the refresh cookie before showing anything.
  const [resuming, setResuming] = useState(() => !user && mayHaveSession());
  useEffect(() => {
    if (!resuming) return;
    void refreshSession().finally(() => setResuming(false));
  }, [resuming]);
  let view;
  if (resuming) view = <Loading what="your session" />;
  else if (!user)
    view = (
      <Suspense fallback={<Loading what="the login page" />}>
        <LoginPage />
      </Suspense>
    );
  else view = <Account key={user.id} user={user} />;
  return (
    <>
      <ThemeFromPreferences />
      {view}
    </>
  );
}
