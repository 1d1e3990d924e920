import { createTestDatabase } from '@meterit/shared/testing';
import { startClientSystem, type ClientSystem } from '../harness/processes.js';
import { rawRequest } from './http.js';
import type { SecurityTarget } from './setup.js';

/** Loopback addresses of the spraying probe (127.0.42.x: this probe's own block, apart from the suite's 127.0.18.x). */
export const SPRAY_SOURCES = { sprayer: '127.0.42.20', bystander: '127.0.42.21' };

export interface SprayReport {
  /** The sprayer's answers, one failed login per e-mail, in order. */
  statuses: number[];
  /** The first attempt answered 429 (1-based), or null. */
  limitedAt: number | null;
  /** The 429's message. */
  message: string | null;
  /** The sprayer, then with a real account's right password. */
  sprayerRightPassword: number;
  /** Another address: a wrong password, then the right one. */
  bystanderWrong: number;
  bystanderRight: number;
}

/**
 * Password spraying: one address tries one password on `attempts` different e-mails (the per-e-mail limit never
 * trips, each e-mail failing once), then a real account's right password; another address tries the same account.
 */
export async function sprayLogins(
  base: string,
  account: { email: string; password: string },
  attempts: number,
): Promise<SprayReport> {
  const login = (from: string, email: string, password: string) =>
    rawRequest(
      base,
      {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      },
      30_000,
      from,
    );
  const statuses: number[] = [];
  let message: string | null = null;
  for (let i = 0; i < attempts; i++) {
    const r = await login(SPRAY_SOURCES.sprayer, `sprayed-${i}@proof.example`, 'Winter2026!');
    statuses.push(r.status);
    if (r.status === 429 && message === null)
      message = (r.json as { error?: { message?: string } } | undefined)?.error?.message ?? null;
  }
  const limitedAt = statuses.indexOf(429);
  return {
    statuses,
    limitedAt: limitedAt < 0 ? null : limitedAt + 1,
    message,
    sprayerRightPassword: (await login(SPRAY_SOURCES.sprayer, account.email, account.password)).status,
    bystanderWrong: (await login(SPRAY_SOURCES.bystander, account.email, 'Winter2026!')).status,
    bystanderRight: (await login(SPRAY_SOURCES.bystander, account.email, account.password)).status,
  };
}

/**
 * A client API with the login limits as shipped (the suite's own target lifts them, so that no hostile case is
 * answered 429 before it is checked), on a database of its own on the suite's PostgreSQL.
 */
export async function startSprayTarget(
  t: SecurityTarget,
): Promise<{ client: ClientSystem; account: { email: string; password: string }; close(): Promise<void> }> {
  const account = { email: 'sprayed-admin@proof.example', password: 'Pw-spraying-target-1234' };
  const client = await startClientSystem(await createTestDatabase(t.pg, 'proof_security_spray'), {
    env: { ADMIN_EMAIL: account.email, ADMIN_PASSWORD: account.password, LOG_LEVEL: 'warn' },
  });
  return {
    client,
    account,
    async close() {
      await client.stop();
      await client.db.destroy();
    },
  };
}
