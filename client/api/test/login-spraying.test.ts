import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { startTestApi } from './helpers.js';
import { createUser } from './operator-helpers.js';

// Password spraying: one address tries one password on many e-mails. The per-e-mail limit never trips (each e-mail
// fails once), so failed logins also count per address. Callers come from loopback addresses of this file's block
// (127.0.42.x) so the two addresses are really two.
const SPRAYER = '127.0.42.10';
const BYSTANDER = '127.0.42.11';
const PER_ADDRESS = 5;
let api: RunningClientApi;

beforeAll(async () => {
  api = await startTestApi({ loginRateLimitPerMinute: 100, loginAddressRateLimitPerMinute: PER_ADDRESS });
  await createUser(api, 'real-user@example.test', 'viewer');
});
afterAll(async () => {
  await api?.close(1000);
});

function loginFrom(
  localAddress: string,
  email: string,
  password: string,
): Promise<{ status: number; json: { error?: { code: string; message: string }; access_token?: string } }> {
  const u = new URL(api.url);
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/api/auth/login',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as never }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('when one address fails to log in with many different e-mails', () => {
  it(`then after ${PER_ADDRESS} failures it gets 429 RATE_LIMITED (even for a right password), while another address still logs in and is refused as usual`, async () => {
    for (let i = 0; i < PER_ADDRESS; i++) {
      const r = await loginFrom(SPRAYER, `victim-${i}@example.test`, 'Summer2026!');
      expect(r.status, JSON.stringify(r.json)).toBe(401);
    }
    const over = await loginFrom(SPRAYER, 'victim-next@example.test', 'Summer2026!');
    expect(over.status).toBe(429);
    expect(over.json.error?.code).toBe(ErrorCode.RATE_LIMITED);
    expect(over.json.error?.message).toMatch(/too many failed logins from your address; wait \d+ s/);
    // The address is held back whatever it sends, a real account's right password included.
    expect((await loginFrom(SPRAYER, 'real-user@example.test', 'viewer-password-123')).status).toBe(429);

    // Another address is not affected: its failures are its own, and the real user logs in.
    expect((await loginFrom(BYSTANDER, 'victim-0@example.test', 'Summer2026!')).status).toBe(401);
    const ok = await loginFrom(BYSTANDER, 'real-user@example.test', 'viewer-password-123');
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(typeof ok.json.access_token).toBe('string');
  });
});
