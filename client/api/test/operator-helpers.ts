import type { MeterConfig, SyncReading, TokenResponse, UserRole } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { UsersService } from '../src/components/users/users-service.js';
import { call, type CallResult } from './helpers.js';

export const ADMIN = { email: 'admin@example.test', password: 'admin-password-123' };

/** Log in through the real endpoint and return the access token. */
export async function login(
  api: Pick<RunningClientApi, 'url'>,
  email: string,
  password: string,
): Promise<TokenResponse> {
  const res = await call(api, 'POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as TokenResponse;
}

export async function createUser(
  api: RunningClientApi,
  email: string,
  role: UserRole,
  siteIds: number[] | null = null,
): Promise<string> {
  const password = `${role}-password-123`;
  await new UsersService(api.db.knex).create({ email, role, password, site_ids: siteIds });
  return (await login(api, email, password)).access_token;
}

/** A call as a logged-in user. */
export function as(
  api: Pick<RunningClientApi, 'url'>,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<CallResult> {
  return call(api, method, path, {
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body }),
  });
}

export async function registerAndSend(
  api: Pick<RunningClientApi, 'url'>,
  key: string,
  meters: MeterConfig[],
  readings: SyncReading[],
): Promise<void> {
  const reg = await call(api, 'POST', '/api/sync/meters', { key, body: { meters } });
  if (reg.status !== 200) throw new Error(`register failed: ${JSON.stringify(reg.json)}`);
  for (let i = 0; i < readings.length; i += 1000) {
    const res = await call(api, 'POST', '/api/sync/readings/batch', {
      key,
      body: { readings: readings.slice(i, i + 1000) },
    });
    if (res.status !== 200) throw new Error(`batch failed: ${JSON.stringify(res.json)}`);
  }
}
