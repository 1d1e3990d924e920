// Putting a rotated site API key on the agent (scripts/rotate-key) against a real client system:
// the key is checked with the client system, for the same site, before the agent's .env changes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { createSite, startClientSystem, type ClientSystem } from './helpers/system.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/rotate-key.js');
const ADMIN = { email: 'admin@rotate.test', password: 'rotate-admin-password-1' };

let client: ClientSystem;
let siteA: { site_id: number; api_key: string };
let siteB: { site_id: number; api_key: string };
let adminToken: string;

function runRotate(args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

/** An agent .env as setup-site writes it, with a comment and other settings that must survive. */
function agentEnv(key: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-rotate-'));
  chmodSync(dir, 0o700);
  const file = path.join(dir, '.env');
  writeFileSync(
    file,
    `# Written by setup-site\nNODE_ENV=production\nCLIENT_API_URL=${client.url}/api\nCLIENT_API_KEY=${key}\nBACNET_PORT=47808\nLOCAL_API_TOKEN=technician-token-1234567890\n`,
    { mode: 0o600 },
  );
  return file;
}

async function rotateInWebApp(siteId: number): Promise<string> {
  const res = await fetch(`${client.url}/api/sites/${siteId}/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ grace_hours: 1 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { api_key: string }).api_key;
}

async function acceptedBy(key: string): Promise<number> {
  const res = await fetch(`${client.url}/api/sync/auth`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: '{}',
  });
  return res.status;
}

beforeAll(async () => {
  const db = await createTestDatabase(inject('pg'), 'rotate_key_client');
  client = await startClientSystem(db, undefined, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  siteA = await createSite(db, 'Warehouse');
  siteB = await createSite(db, 'Office tower');
  const res = await fetch(`${client.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  adminToken = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await client?.stop();
  await client?.db.destroy();
});

describe('rotate-key', () => {
  it('when an operator rotated the site key, then the new key (read from stdin) replaces only CLIENT_API_KEY and the file stays private', async () => {
    const file = agentEnv(siteA.api_key);
    const before = readFileSync(file, 'utf8');
    const newKey = await rotateInWebApp(siteA.site_id);

    const r = await runRotate(['--config', file], `${newKey}\n`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('site "Warehouse"');
    expect(r.out).toContain('sudo systemctl restart meterit-agent');
    expect(r.out).toContain('old key keeps working until its grace period ends');

    const after = readFileSync(file, 'utf8');
    expect(after).toBe(before.replace(`CLIENT_API_KEY=${siteA.api_key}`, `CLIENT_API_KEY=${newKey}`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The key the agent now has is one the client system takes for this site.
    expect(await acceptedBy(newKey)).toBe(200);
    siteA = { ...siteA, api_key: newKey };
  });

  it("when given another site's key, then it refuses and the agent's .env is unchanged", async () => {
    const file = agentEnv(siteA.api_key);
    const before = readFileSync(file, 'utf8');
    const r = await runRotate(['--config', file, '--api-key', siteB.api_key]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('belongs to site "Office tower"');
    expect(r.err).toContain('this agent is site "Warehouse"');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('when the key was mistyped, revoked or is not a key at all, then it says so and changes nothing', async () => {
    const file = agentEnv(siteA.api_key);
    const before = readFileSync(file, 'utf8');
    const typo = siteA.api_key.slice(0, -1) + (siteA.api_key.endsWith('A') ? 'B' : 'A');

    const wrong = await runRotate(['--config', file, '--api-key', typo]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('refuses the new key');

    // A value that would run a command when the start script sources .env never gets near the file.
    const hostile = await runRotate(['--config', file, '--api-key', 'mk_$(touch /tmp/pwned)']);
    expect(hostile.code).toBe(1);
    expect(hostile.err).toContain('not a site API key');

    const same = await runRotate(['--config', file, '--api-key', siteA.api_key]);
    expect(same.code).toBe(1);
    expect(same.err).toContain("already the agent's key");
    expect(readFileSync(file, 'utf8')).toBe(before);

    const missing = await runRotate([
      '--config',
      path.join(path.dirname(file), 'nope.env'),
      '--api-key',
      siteA.api_key,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('run scripts/setup-site first');

    const badFlag = await runRotate(['--key', siteA.api_key]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toContain('Usage: rotate-key');
  });

  it('when the old key is already revoked, then the new one is still saved and it says to restart now', async () => {
    const oldKey = siteA.api_key;
    const file = agentEnv(oldKey);
    const newKey = await rotateInWebApp(siteA.site_id);
    const prefix = /^mk_([0-9a-f]{16})_/.exec(oldKey)?.[1];
    const revoke = await fetch(`${client.url}/api/sites/${siteA.site_id}/keys/${prefix}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoke.status).toBe(204);
    expect(await acceptedBy(oldKey)).toBe(401);

    const r = await runRotate(['--config', file, '--api-key', newKey]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('already refuses the old key');
    expect(readFileSync(file, 'utf8')).toContain(`CLIENT_API_KEY=${newKey}\n`);
  });
});
