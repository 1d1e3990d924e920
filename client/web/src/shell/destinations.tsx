import { Badge } from '@mui/material';
import type { ReactNode } from 'react';
import type { UserInfo } from '@meterit/shared';
import type { Route } from '../router';
import { can } from '../store/auth';

// Where the navigation leads (the app bar's buttons and the phone's drawer show the same list).

export interface Destination {
  to: string;
  label: string;
  active: boolean;
  badge?: number;
}

export function destinations(user: UserInfo, route: Route, activeAlerts: number | undefined): Destination[] {
  const page = route.page;
  return [
    {
      to: '/',
      label: 'Dashboard',
      active: page === 'dashboard' || page === 'site' || page === 'site-costs' || page === 'meter',
    },
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
export function Label({ d }: { d: Destination }): ReactNode {
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

export const accessibleName = (d: Destination) => (d.badge ? `${d.label}, ${d.badge} active` : d.label);

/** An account action of the navigation (profile, MCP tokens, log out). */
export interface AccountAction {
  label: string;
  onClick(): void;
  active: boolean;
}
