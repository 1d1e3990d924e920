// Page addresses → pages. Pure, so it can be tested without a browser.
export type Route =
  | { page: 'dashboard' }
  | { page: 'site'; id: number }
  | { page: 'site-costs'; id: number }
  | { page: 'meter'; id: number }
  | { page: 'admin-sites' }
  | { page: 'users' }
  | { page: 'login' }
  | { page: 'alerts'; id?: number }
  | { page: 'alert-rules' }
  | { page: 'outbox' }
  | { page: 'energy' }
  | { page: 'profile' }
  | { page: 'not-found' };

export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'dashboard' };
  if (path === '/login') return { page: 'login' };
  if (path === '/admin/sites') return { page: 'admin-sites' };
  if (path === '/admin/users') return { page: 'users' };
  if (path === '/alerts') return { page: 'alerts' };
  if (path === '/alerts/rules') return { page: 'alert-rules' };
  if (path === '/alerts/outbox') return { page: 'outbox' };
  if (path === '/energy') return { page: 'energy' };
  if (path === '/profile') return { page: 'profile' };
  const alert = /^\/alerts\/(\d+)$/.exec(path);
  if (alert) return { page: 'alerts', id: Number(alert[1]) };
  const site = /^\/sites\/(\d+)$/.exec(path);
  if (site) return { page: 'site', id: Number(site[1]) };
  const costs = /^\/sites\/(\d+)\/costs$/.exec(path);
  if (costs) return { page: 'site-costs', id: Number(costs[1]) };
  const meter = /^\/meters\/(\d+)$/.exec(path);
  if (meter) return { page: 'meter', id: Number(meter[1]) };
  return { page: 'not-found' };
}
