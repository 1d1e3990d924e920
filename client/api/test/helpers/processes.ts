import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { MeterConfig } from '@meterit/shared';
import { fastAgentEnv, runNodeProcess, waitUntil, type NodeProcess } from '@meterit/shared/testing';

// The real deployables as processes, as production runs them (same approach as sync/agent/test/helpers/system.ts).
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const execFileAsync = promisify(execFile);

export type Proc = NodeProcess;
export { waitUntil };

export function runNode(script: string, env: Record<string, string>, name: string): Proc {
  return runNodeProcess({ cwd: ROOT, script, env, name, verboseEnv: 'E2E_VERBOSE' });
}

export async function startApiProcess(env: Record<string, string>, port: number): Promise<{ url: string; proc: Proc }> {
  const url = `http://127.0.0.1:${port}`;
  const proc = runNode(
    'client/api/dist/main.js',
    { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', ...env },
    'client-api',
  );
  await waitUntil(
    'the client API to be ready',
    async () => (await fetch(`${url}/ready`).catch(() => null))?.ok,
    60_000,
  );
  return { url, proc };
}

export async function createSiteWithCli(
  databaseUrl: string,
  name: string,
): Promise<{ site_id: number; site_name: string; api_key: string }> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [path.join(ROOT, 'client/api/dist/cli/create-site.js'), '--name', name],
    {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    },
  );
  return JSON.parse(stdout) as { site_id: number; site_name: string; api_key: string };
}

export function startAgentProcess(opts: {
  clientUrl: string;
  apiKey: string;
  databaseUrl: string;
  meters: MeterConfig[];
  bacnetInterface: string;
}): Proc {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-web-agent-'));
  const metersFile = path.join(dir, 'meters.json');
  writeFileSync(metersFile, JSON.stringify({ meters: opts.meters }, null, 2));
  return runNode(
    'sync/agent/dist/main.js',
    { ...fastAgentEnv({ ...opts, metersFile, dataDir: dir }), CONFIG_REFRESH_MINUTES: '0.1' },
    'agent',
  );
}
