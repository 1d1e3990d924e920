import { AppBar, Badge, Box, Button, IconButton, Toolbar, Typography, useMediaQuery } from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { lazy, Suspense, useState } from 'react';
import type { AlertsResponse, UserInfo } from '@meterit/shared';
import { api } from '../api/client';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { usePoll } from '../components/usePoll';
import { linkClick, navigate, type Route } from '../router';
import { accessibleName, destinations, Label } from './destinations';
import { MenuIcon } from './icons';
import { ThemeMenu } from './ThemeMenu';

const NavigationDrawer = lazy(() => import('./NavigationDrawer'));

const ALERT_POLL_MS = 30_000;

/**
 * The app bar: on a laptop the destinations as buttons and the account actions beside them; below the `md`
 * breakpoint a menu button opens a drawer with all of it, so nothing wraps or scrolls sideways on a phone.
 */
export function Navigation(props: { user: UserInfo; route: Route; onMcpTokens(): void; onLogout(): void }) {
  const { user, route } = props;
  const narrow = useMediaQuery(useTheme().breakpoints.down('md'));
  const [open, setOpen] = useState(false);
  // The drawer (and MUI's modal stack under it) loads the first time it is opened, and stays for its animations.
  const [drawerLoaded, setDrawerLoaded] = useState(false);
  // Polled, and read again on every page change, so the count follows what the operator just did.
  const alerts = usePoll(
    () =>
      api
        .get<AlertsResponse>('/api/alerts', { params: { state: 'active', limit: 1000 } })
        .then((r) => r.data.alerts.length),
    [route.page],
    ALERT_POLL_MS,
  );
  const items = destinations(user, route, alerts.data);
  const go = (to: string) => {
    setOpen(false);
    navigate(to);
  };
  const account = [
    { label: 'Profile', onClick: () => go('/profile'), active: route.page === 'profile' },
    { label: 'MCP tokens', onClick: props.onMcpTokens, active: false },
    { label: 'Log out', onClick: props.onLogout, active: false },
  ];

  return (
    <AppBar position="sticky" elevation={1}>
      <Toolbar sx={{ gap: 1 }}>
        {narrow ? (
          <IconButton
            color="inherit"
            edge="start"
            aria-label="Open navigation"
            aria-controls="app-navigation"
            aria-expanded={open}
            onClick={() => {
              setDrawerLoaded(true);
              setOpen(true);
            }}
          >
            <Badge variant="dot" color="error" invisible={!alerts.data}>
              <MenuIcon />
            </Badge>
          </IconButton>
        ) : null}
        <Typography variant="h6" component="span" sx={{ fontWeight: 700, mr: 2 }}>
          MeterIT
        </Typography>
        {narrow ? null : (
          <Box component="nav" aria-label="Main" sx={{ display: 'flex', gap: 1 }}>
            {items.map((d) => (
              <Button
                key={d.to}
                href={d.to}
                onClick={linkClick(d.to)}
                color="inherit"
                aria-label={accessibleName(d)}
                aria-current={d.active ? 'page' : undefined}
                sx={{
                  fontWeight: d.active ? 700 : 400,
                  borderBottom: d.active ? '2px solid currentColor' : '2px solid transparent',
                  borderRadius: 0,
                  whiteSpace: 'nowrap',
                }}
              >
                <Label d={d} />
              </Button>
            ))}
          </Box>
        )}
        <Box sx={{ flex: 1 }} />
        {narrow ? null : (
          <Typography
            variant="body2"
            sx={{ opacity: 0.9, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0 }}
            title={`${user.email} · ${user.role}`}
            data-testid="current-user"
          >
            {user.email} · {user.role}
          </Typography>
        )}
        <ThemeMenu />
        {narrow
          ? null
          : account.map((a) => (
              <Button key={a.label} color="inherit" onClick={a.onClick} sx={{ whiteSpace: 'nowrap' }}>
                {a.label}
              </Button>
            ))}
      </Toolbar>
      <ConnectionBanner />
      {drawerLoaded ? (
        <Suspense fallback={null}>
          <NavigationDrawer
            open={narrow && open}
            onClose={() => setOpen(false)}
            user={user}
            items={items}
            account={account}
            go={go}
          />
        </Suspense>
      ) : null}
    </AppBar>
  );
}
