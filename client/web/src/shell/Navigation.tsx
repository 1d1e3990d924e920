import {
  AppBar,
  Badge,
  Box,
  Button,
  Divider,
  Drawer,
  IconButton,
  List,
  ListItemButton,
  ListItemText,
  Toolbar,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { useState, type ReactNode } from 'react';
import type { AlertsResponse, UserInfo } from '@meterit/shared';
import { api } from '../api/client';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { usePoll } from '../components/usePoll';
import { linkClick, navigate, type Route } from '../router';
import { can } from '../store/auth';
import { MenuIcon } from './icons';
import { ThemeMenu } from './ThemeMenu';

const ALERT_POLL_MS = 30_000;

interface Destination {
  to: string;
  label: string;
  active: boolean;
  badge?: number;
}

function destinations(user: UserInfo, route: Route, activeAlerts: number | undefined): Destination[] {
  const page = route.page;
  return [
    { to: '/', label: 'Dashboard', active: page === 'dashboard' || page === 'site' || page === 'meter' },
    { to: '/energy', label: 'Energy', active: page === 'energy' },
    {
      to: '/alerts',
      label: 'Alerts',
      active: page === 'alerts' || page === 'alert-rules' || page === 'outbox',
      ...(activeAlerts ? { badge: activeAlerts } : {}),
    },
    ...(can.manageMeters(user)
      ? [{ to: '/admin/sites', label: 'Sites & meters', active: page === 'admin-sites' }]
      : []),
    ...(can.manageUsers(user) ? [{ to: '/admin/users', label: 'Users', active: page === 'users' }] : []),
  ];
}

/** "Alerts" with the number of active alerts beside it, read the same way by eye and by screen reader. */
function Label({ d }: { d: Destination }): ReactNode {
  if (!d.badge) return d.label;
  return (
    <Badge
      badgeContent={d.badge}
      max={99}
      color="error"
      sx={{ '& .MuiBadge-badge': { right: -12 } }}
      slotProps={{ badge: { 'data-testid': 'alert-badge', 'aria-hidden': true } as object }}
    >
      {d.label}
    </Badge>
  );
}

const accessibleName = (d: Destination) => (d.badge ? `${d.label}, ${d.badge} active` : d.label);

/**
 * The app bar: on a laptop the destinations as buttons and the account actions beside them; below the `md`
 * breakpoint a menu button opens a drawer with all of it, so nothing wraps or scrolls sideways on a phone.
 */
export function Navigation(props: { user: UserInfo; route: Route; onMcpTokens(): void; onLogout(): void }) {
  const { user, route } = props;
  const narrow = useMediaQuery(useTheme().breakpoints.down('md'));
  const [open, setOpen] = useState(false);
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
            onClick={() => setOpen(true)}
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
      <Drawer id="app-navigation" anchor="left" open={narrow && open} onClose={() => setOpen(false)}>
        <Box sx={{ width: 280, maxWidth: '85vw' }} role="presentation">
          <Box sx={{ p: 2 }}>
            <Typography variant="h6" component="p" sx={{ fontWeight: 700 }}>
              MeterIT
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
              {user.email} · {user.role}
            </Typography>
          </Box>
          <Divider />
          <List component="nav" aria-label="Main">
            {items.map((d) => (
              <ListItemButton
                key={d.to}
                component="a"
                href={d.to}
                selected={d.active}
                aria-label={accessibleName(d)}
                aria-current={d.active ? 'page' : undefined}
                onClick={(e: React.MouseEvent) => {
                  e.preventDefault();
                  go(d.to);
                }}
              >
                <ListItemText primary={<Label d={d} />} />
              </ListItemButton>
            ))}
          </List>
          <Divider />
          <List aria-label="Account">
            {account.map((a) => (
              <ListItemButton
                key={a.label}
                selected={a.active}
                onClick={() => {
                  setOpen(false);
                  a.onClick();
                }}
              >
                <ListItemText primary={a.label} />
              </ListItemButton>
            ))}
          </List>
        </Box>
      </Drawer>
    </AppBar>
  );
}
