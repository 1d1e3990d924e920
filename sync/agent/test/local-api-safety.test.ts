import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { ConfigError } from '@meterit/shared/node';
import { loadConfig } from '../src/config.js';
import { isLocalNetworkAddress } from '../src/local-api/network.js';
import type { SessionResponse, StatusResponse } from '@meterit/shared/site-contracts';
import {
  createSite,
  localApi,
  startAgentProcess,
  startClientSystem,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// Safe defaults of the local API: no default secret, LAN-only callers, weak tokens refused.
let client: ClientSystem;
let agent: AgentProcess;

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'local_api_safety_client');
  const siteDb = await createTestDatabase(pg, 'local_api_safety_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, 'No token site');
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: [],
    bacnetInterface: '127.0.4.2',
    env: { NODE_ENV: 'production' },
  });
});

afterAll(async () => {
  await agent?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('local API without LOCAL_API_TOKEN in production', () => {
  it('when no token was configured at install, then control actions and login are switched off, and read-only views still work', async () => {
    for (const path of ['/api/control/sync', '/api/control/collection/stop', '/api/session']) {
      const r = await localApi<{ error: { code: string; message: string } }>(agent, 'POST', path, {
        token: 'anything-at-all-1234',
        body: { token: 'anything-at-all-1234' },
      });
      expect(r.status, path).toBe(403);
      expect(r.body.error.message).toMatch(/LOCAL_API_TOKEN is not set/);
    }
    const s = await localApi<StatusResponse>(agent, 'GET', '/api/status');
    expect(s.status).toBe(200);
    expect(s.body.control.enabled).toBe(false);
    expect(s.body.collection.collecting).toBe(true);
    expect(s.body.health.findings.map((f) => f.code)).toContain('NO_METERS');
    expect((await localApi<SessionResponse>(agent, 'GET', '/api/session')).body).toMatchObject({
      control_enabled: false,
      authenticated: false,
    });
    expect(agent.proc.output.join('')).toContain('control actions (start/stop, sync now, retry dead letters) are off');
  });
});

describe('local API settings and network guard', () => {
  const base = { CLIENT_API_URL: 'http://127.0.0.1:3001/api', CLIENT_API_KEY: 'k'.repeat(32) };
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return JSON.stringify(err.problems);
      throw err;
    }
  };

  it('when the control token is short or a well-known placeholder, then the agent refuses to start and names the key', () => {
    expect(problemsOf({ LOCAL_API_TOKEN: 'short' })).toMatch(/LOCAL_API_TOKEN.*at least 12/);
    expect(problemsOf({ LOCAL_API_TOKEN: 'changeme1234' })).toMatch(/LOCAL_API_TOKEN.*placeholder/);
    expect(problemsOf({ LOCAL_API_TOKEN: 'a-random-token-5f1c9e' })).toEqual([]);
    const c = loadConfig(base);
    expect(c.LOCAL_API_TOKEN).toBeUndefined();
    expect(c.LOCAL_API_PORT).toBe(3002);
    expect(c.LOCAL_API_HOST).toBe('0.0.0.0');
    expect(c.LOCAL_API_ALLOW_ANY).toBe(false);
  });

  it('when a caller is on the site network, then it is let in; from anywhere else it is not', () => {
    for (const a of [
      '127.0.0.1',
      '127.0.4.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.20',
      '169.254.10.10',
      '::1',
      '::ffff:192.168.0.5',
      'fd12:3456::1',
      'fe80::1',
    ]) {
      expect(isLocalNetworkAddress(a), a).toBe(true);
    }
    for (const a of [
      '8.8.8.8',
      '172.32.0.1',
      '172.15.0.1',
      '100.64.0.1',
      '192.169.0.1',
      '::ffff:8.8.8.8',
      '2001:db8::1',
      '',
      undefined,
      'not-an-ip',
    ]) {
      expect(isLocalNetworkAddress(a), String(a)).toBe(false);
    }
  });
});

describe('local API bodies that their Content-Encoding cannot decode', () => {
  it('when a body is broken Brotli, gzip or deflate, or in an unknown encoding, then 400 MALFORMED_BODY says so (a broken Brotli body was a 500)', async () => {
    const gzip = gzipSync(Buffer.from('{"token":"anything-at-all-1234"}'));
    const cases: Array<[string, string, Buffer]> = [
      ['Brotli garbage', 'br', Buffer.from('this is not brotli at all, only text')],
      ['gzip garbage', 'gzip', Buffer.from('this is not gzip either')],
      ['a truncated gzip body', 'gzip', gzip.subarray(0, gzip.length - 6)],
      ['deflate garbage', 'deflate', Buffer.from('nor is this deflate')],
      ['an unknown encoding', 'compress', Buffer.from('{}')],
    ];
    for (const [what, encoding, body] of cases) {
      const res = await fetch(`${agent.localApiUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect([400, 415], `${what}: ${res.status} ${JSON.stringify(json)}`).toContain(res.status);
      expect(json.error.code, what).toBe('MALFORMED_BODY');
      expect(json.error.message, what).toMatch(/could not be (read|decoded)/);
    }
  });
});
