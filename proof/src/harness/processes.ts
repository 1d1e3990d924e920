import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import {
  FatalWait,
  fastAgentEnv,
  freePort,
  runNodeProcess,
  waitUntil,
  type NodeProcess,
} from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';

// The real deployables as processes, the way production runs them, so the suites can stop,
// restart and SIGKILL them. Adapted from sync/agent/test/helpers/system.ts.
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const execFileAsync = promisify(execFile);

export type Proc = NodeProcess;

export function runNode(script: string, env: Record<string, string>, name: string, nodeArgs?: string[]): Proc {
  return runNodeProcess({
    cwd: repoRoot,
    script,
    env,
    name,
    verboseEnv: 'PROOF_VERBOSE',
    ...(nodeArgs ? { nodeArgs } : {}),
  });
}

export function alive(proc: Proc): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export { FatalWait, waitUntil };

export interface ClientSystem {
  url: string;
  port: number;
  databaseUrl: string;
  proc: Proc;
  db: Knex;
  restart(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startClientSystem(
  databaseUrl: string,
  opts: { port?: number; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<ClientSystem> {
  const p = opts.port ?? (await freePort());
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(p),
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    SYNC_RATE_LIMIT_PER_MINUTE: '1000000',
    ...opts.env,
  };
  const url = `http://127.0.0.1:${p}`;
  const boot = async () => {
    const proc = runNode('client/api/dist/main.js', env, 'client-api', opts.nodeArgs);
    try {
      await waitUntil(
        'the client API to be ready',
        async () => {
          if (!alive(proc)) throw new FatalWait(`the client API exited: ${proc.output.join('').slice(-2000)}`);
          return (await fetch(`${url}/ready`).catch(() => null))?.ok;
        },
        60_000,
      );
    } catch (err) {
      await proc.stop('SIGKILL');
      throw err;
    }
    return proc;
  };
  const sys: ClientSystem = {
    url,
    port: p,
    databaseUrl,
    proc: await boot(),
    db: knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } }),
    async restart() {
      sys.proc = await boot();
    },
    async stop(signal) {
      await sys.proc.stop(signal);
    },
  };
  return sys;
}

export interface CreatedSite {
  site_id: number;
  site_name: string;
  api_key: string;
}

export async function createSite(databaseUrl: string, name: string): Promise<CreatedSite> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [path.join(repoRoot, 'client/api/dist/cli/create-site.js'), '--name', name],
    {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    },
  );
  return JSON.parse(stdout) as CreatedSite;
}

/**
 * The agent build to run: sync/agent/dist/main.js, or PROOF_AGENT_MAIN (an absolute path) to run
 * another build, e.g. a snapshot of the last commit while sync/agent is mid-change.
 */
export function agentMain(): string {
  return process.env.PROOF_AGENT_MAIN ?? 'sync/agent/dist/main.js';
}

export interface AgentProcess {
  proc: Proc;
  db: Knex;
  env: Record<string, string>;
  /** The agent's local API and dashboard (http://127.0.0.1:port), when started with `localApi: true`. */
  localApiUrl?: string;
  restart(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startAgentProcess(opts: {
  clientUrl: string;
  apiKey: string;
  databaseUrl: string;
  meters: MeterConfig[];
  bacnetInterface: string;
  bacnetPort?: number;
  /** Serve the local API on a free loopback port (otherwise port 0: not under test). */
  localApi?: boolean;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<AgentProcess> {
  const localApiPort = opts.localApi ? await freePort() : 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-proof-agent-'));
  const metersFile = path.join(dir, 'meters.json');
  writeFileSync(metersFile, JSON.stringify({ meters: opts.meters }, null, 2));
  const env = {
    ...fastAgentEnv({
      clientUrl: opts.clientUrl,
      apiKey: opts.apiKey,
      databaseUrl: opts.databaseUrl,
      metersFile,
      dataDir: dir,
      bacnetInterface: opts.bacnetInterface,
      ...(opts.bacnetPort ? { bacnetPort: opts.bacnetPort } : {}),
    }),
    // Unless it is under test, port 0 keeps parallel agents from colliding on 3002.
    LOCAL_API_PORT: String(localApiPort),
    LOCAL_API_HOST: '127.0.0.1',
    ...opts.env,
  };
  const boot = async () => {
    const proc = runNode(agentMain(), env, 'agent', opts.nodeArgs);
    try {
      await waitUntil(
        'the agent to start collecting',
        async () => {
          if (!alive(proc)) throw new FatalWait(`the agent exited: ${proc.output.join('').slice(-2000)}`);
          return proc.output.join('').includes('agent running');
        },
        60_000,
      );
    } catch (err) {
      await proc.stop('SIGKILL');
      throw err;
    }
    return proc;
  };
  const a: AgentProcess = {
    proc: await boot(),
    db: knexFactory({ client: 'pg', connection: opts.databaseUrl, pool: { min: 0, max: 2 } }),
    env,
    ...(opts.localApi ? { localApiUrl: `http://127.0.0.1:${localApiPort}` } : {}),
    async restart() {
      a.proc = await boot();
    },
    async stop(signal) {
      await a.proc.stop(signal);
    },
  };
  return a;
}

/** Resident set size of a process in bytes (Linux /proc), 0 when it is gone. */
export async function rssOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sample a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: () => number | undefined, everyMs = 100): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    void rssOf(pid()).then((r) => {
      if (r > peak) peak = r;
    });
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
