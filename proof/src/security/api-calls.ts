// Plain calls to the client API the suite's fixtures are made with.
import { randomBytes } from 'node:crypto';

/** One JSON request to the client API, with an access token or a site key; anything but a 2xx throws with the answer. */
export async function call(
  base: string,
  method: string,
  p: string,
  opts: { token?: string; key?: string; body?: unknown } = {},
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  const r = await fetch(`${base}${p}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

export const logIn = async (base: string, email: string, password: string) =>
  (await call(base, 'POST', '/api/auth/login', { body: { email, password } })) as {
    access_token: string;
    refresh_token: string;
  };

/** A user the admin creates, logged in once. */
export async function newUser(
  base: string,
  admin: string,
  email: string,
  role: string,
  siteIds: number[] | null,
): Promise<{ id: number; email: string; password: string; access: string }> {
  const password = `${role}-${randomBytes(9).toString('base64url')}`;
  const created = (await call(base, 'POST', '/api/users', {
    token: admin,
    body: { email, role, password, site_ids: siteIds },
  })) as { user: { id: number } };
  return { id: created.user.id, email, password, access: (await logIn(base, email, password)).access_token };
}
