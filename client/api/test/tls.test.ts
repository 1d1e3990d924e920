// HTTPS served by the API itself (TLS_CERT_FILE / TLS_KEY_FILE), checked by the agent's real HTTP client
// in its own process; and TRUST_PROXY for a TLS-terminating proxy in front.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@meterit/shared/node';
import { loadConfig } from '../src/config.js';
import type { RunningClientApi } from '../src/index.js';
import { startClientApi } from '../src/server.js';
import { call, createSite, createTestDatabase, startTestApi, type TestSite } from './helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AGENT_DIR = path.resolve(HERE, '../../../sync/agent');
const API_MAIN = path.resolve(HERE, '../dist/main.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-tls-'));

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl (node has no generator). */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}-cert.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(
      `this test needs the openssl command to make a self-signed certificate (apt-get install openssl): ${(err as Error).message}`,
    );
  }
  return { cert, key };
}

/** The agent's ClientApi (sync/agent/dist) in a fresh process, so NODE_EXTRA_CA_CERTS applies as it does in production. */
function agentAuth(origin: string, apiKey: string, extraCa: string | undefined): Promise<{ ok: boolean; out: string }> {
  const script = `
    import { ClientApi } from './dist/uploader/client-api.js';
    import { createLogger } from '@meterit/shared/node';
    const api = new ClientApi({ origin: process.env.ORIGIN, apiKey: process.env.KEY, timeoutMs: 10000, logger: createLogger({ service: 't', silent: true }) });
    try { const a = await api.auth(); process.stdout.write(JSON.stringify({ ok: true, site_id: a.site_id })); }
    catch (e) { process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message })); }`;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ORIGIN: origin, KEY: apiKey };
    if (extraCa) env.NODE_EXTRA_CA_CERTS = extraCa;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: AGENT_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve({ ok: (JSON.parse(out) as { ok: boolean }).ok, out });
      } catch {
        reject(new Error(`the agent client printed no answer (is sync/agent built?): ${out} ${err}`));
      }
    });
  });
}

const configProblems = (env: Record<string, string>) => {
  try {
    loadConfig({ NODE_ENV: 'test', ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
};

describe('HTTPS served by the client API', () => {
  let api: RunningClientApi;
  let site: TestSite;
  let ours: { cert: string; key: string };
  let stranger: { cert: string; key: string };

  beforeAll(async () => {
    ours = selfSigned('ours');
    stranger = selfSigned('stranger');
    api = await startTestApi({ tls: { certFile: ours.cert, keyFile: ours.key } });
    site = await createSite(api, 'TLS site');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('when the agent trusts the certificate (NODE_EXTRA_CA_CERTS), then it talks to the API over https', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await agentAuth(api.url, site.key, ours.cert);
    expect(res.out).toContain(`"site_id":${site.id}`);
    expect(res.ok).toBe(true);
  });

  it('when the agent does not trust the certificate, then it refuses to send anything (uplink unreachable, certificate error)', async () => {
    const none = await agentAuth(api.url, site.key, undefined);
    expect(none.ok).toBe(false);
    expect(none.out).toContain('UPLINK_UNREACHABLE');
    expect(none.out).toMatch(/SELF_SIGNED|CERT|certificate/i);
    const wrong = await agentAuth(api.url, site.key, stranger.cert);
    expect(wrong.ok).toBe(false);
    expect(wrong.out).toMatch(/SELF_SIGNED|CERT|certificate/i);
  });

  it('when only one of TLS_CERT_FILE / TLS_KEY_FILE is set, or a file is unreadable or not PEM, then the configuration names the key and why', () => {
    expect(configProblems({ TLS_CERT_FILE: ours.cert })).toContain('TLS_KEY_FILE: required when TLS_CERT_FILE is set');
    expect(configProblems({ TLS_KEY_FILE: ours.key })).toContain('TLS_CERT_FILE: required when TLS_KEY_FILE is set');
    const missing = path.join(dir, 'missing.pem');
    expect(configProblems({ TLS_CERT_FILE: missing, TLS_KEY_FILE: ours.key })).toContain(
      `TLS_CERT_FILE: cannot read ${missing} (no such file)`,
    );
    const notPem = path.join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(configProblems({ TLS_CERT_FILE: ours.cert, TLS_KEY_FILE: notPem })).toContain(
      `TLS_KEY_FILE: ${notPem} is not a PEM file`,
    );
    expect(loadConfig({ NODE_ENV: 'test', TLS_CERT_FILE: ours.cert, TLS_KEY_FILE: ours.key }).tls).toEqual({
      certFile: ours.cert,
      keyFile: ours.key,
    });
    expect(loadConfig({ NODE_ENV: 'test' }).tls).toBeUndefined();
  });

  it('when the key does not belong to the certificate, then the API does not start and says so', async () => {
    await expect(startTestApi({ tls: { certFile: ours.cert, keyFile: stranger.key } })).rejects.toThrow(
      /cannot be used together: .*key values mismatch/,
    );
  });

  it('when the process is started with only TLS_CERT_FILE, then it exits at once with the reason', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [API_MAIN], {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          TLS_CERT_FILE: ours.cert,
          CLIENT_DATA_DIR: path.join(dir, 'never'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('exit', (c) => resolve({ code: c, stderr }));
    });
    expect(code).toBe(2);
    expect(stderr).toContain('TLS_KEY_FILE: required when TLS_CERT_FILE is set');
  });
});

describe('behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  const lines: Record<string, unknown>[] = [];
  const capture = () =>
    winston.createLogger({
      level: 'http',
      format: winston.format.json(),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write: (chunk: Buffer, _e, done) => {
              lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
              done();
            },
          }),
        }),
      ],
    });

  async function failedLogins(trustProxy: boolean): Promise<{ api: RunningClientApi; statuses: number[] }> {
    const live = await startClientApi(
      { port: 0, host: '127.0.0.1', database: await createTestDatabase(), trustProxy, loginRateLimitPerMinute: 2 },
      { env: { NODE_ENV: 'test' }, logger: capture() },
    );
    const attempt = (ip: string) =>
      call(live, 'POST', '/api/auth/login', {
        body: { email: 'nobody@example.test', password: 'wrong' },
        headers: { 'x-forwarded-for': ip },
      });
    const statuses = [
      (await attempt('203.0.113.7')).status,
      (await attempt('203.0.113.7')).status,
      (await attempt('203.0.113.7')).status,
      (await attempt('198.51.100.9')).status,
    ];
    return { api: live, statuses };
  }

  it('when TRUST_PROXY is on, then the login rate limit and the access log use the address from X-Forwarded-For', async () => {
    lines.length = 0;
    const { api, statuses } = await failedLogins(true);
    await api.close();
    expect(statuses).toEqual([401, 401, 429, 401]);
    const access = lines.filter((l) => l.module === 'http' && l.path === '/api/auth/login');
    expect(access.map((l) => l.ip)).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7', '198.51.100.9']);
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For is ignored: a client cannot dodge the limit by inventing addresses', async () => {
    lines.length = 0;
    const { api, statuses } = await failedLogins(false);
    await api.close();
    expect(statuses).toEqual([401, 401, 429, 429]);
    const access = lines.filter((l) => l.module === 'http' && l.path === '/api/auth/login');
    expect(new Set(access.map((l) => l.ip))).toEqual(new Set(['127.0.0.1']));
  });
});
