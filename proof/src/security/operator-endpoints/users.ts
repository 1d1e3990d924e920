// Users (admins only). In the order the suite runs them (OPERATOR_ENDPOINTS): where one case prepares what a later one
// reads, the comments say so.
import { opsOf, type EndpointSpec } from '../endpoint-spec.js';

export const USER_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/api/users', auth: 'operator', role: 'admin', returnsData: true },
  {
    method: 'POST',
    path: '/api/users',
    auth: 'operator',
    role: 'admin',
    body: (ctx) => ({
      email: 'created-by-the-suite@proof.example',
      role: 'viewer',
      name: 'User created by the bad-input suite',
      password: 'Pw-bad-input-suite-1',
      site_ids: [ctx.siteA.id],
    }),
    freeText: ['name', 'password'],
    optional: ['name', 'password', 'site_ids'],
  },
  {
    method: 'GET',
    path: '/api/users/:id',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).userId) }),
  },
  // A user of its own: on the admin, a variant could take away the role every other case needs.
  {
    method: 'PATCH',
    path: '/api/users/:id',
    auth: 'operator',
    role: 'admin',
    params: (ctx) => ({ id: String(opsOf(ctx).userId) }),
    body: (ctx) => ({
      name: 'Renamed by the bad-input suite',
      role: 'operator',
      site_ids: [ctx.siteA.id],
      is_active: true,
      password: 'Pw-bad-input-suite-2',
    }),
    freeText: ['name', 'password'],
    optional: ['name', 'role', 'site_ids', 'is_active', 'password'],
  },
];
