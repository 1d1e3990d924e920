// The operator's own session, MCP tokens, password, account and profile preferences. In the order the suite runs them (OPERATOR_ENDPOINTS): where one case prepares what a later one
// reads, the comments say so.
import { opsOf, type EndpointSpec } from '../endpoint-spec.js';

export const ACCOUNT_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/api/auth/me', auth: 'operator' },
  { method: 'GET', path: '/api/auth/tokens', auth: 'operator' },
  {
    method: 'POST',
    path: '/api/auth/tokens',
    auth: 'operator',
    body: () => ({ name: 'Assistant of the bad-input suite', expires_in_days: 7 }),
    freeText: ['name'],
    optional: ['expires_in_days'],
  },
  {
    method: 'DELETE',
    path: '/api/auth/tokens/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).mcpTokenId) }),
  },
  // Refresh tokens are single use (a replayed one ends its whole login): these are the throwaway user's, never the admin's.
  {
    method: 'POST',
    path: '/api/auth/refresh',
    auth: 'none',
    body: (ctx) => ({ refresh_token: opsOf(ctx).refreshToken }),
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    auth: 'none',
    body: (ctx) => ({ refresh_token: opsOf(ctx).logoutToken }),
  },
  // The throwaway user changes its own password (to itself, so the valid request stays valid until a variant changes it).
  {
    method: 'POST',
    path: '/api/auth/password',
    auth: 'operator',
    asThrowaway: true,
    body: (ctx) => ({ current_password: opsOf(ctx).throwawayPassword, new_password: opsOf(ctx).throwawayPassword }),
    freeText: ['new_password'],
  },
  // The operator's own account and profile preferences (the shell's Profile page).
  { method: 'GET', path: '/api/account', auth: 'operator' },
  {
    method: 'PATCH',
    path: '/api/account/preferences',
    auth: 'operator',
    asThrowaway: true,
    body: () => ({ time_zone: 'Europe/Berlin', theme: 'dark' }),
    optional: ['time_zone', 'theme'],
  },
];
