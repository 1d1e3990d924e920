import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { fastAgentEnv, freePort, runNodeProcess, waitUntil, type NodeProcess } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, type SimMeterSpec, type Simulator } from '@meterit/simulator';

// Runs the real deployables as processes, the way production runs them, so tests can
// stop, restart and SIGKILL them.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const execFileAsync = promisify(execFile);

export type Proc = NodeProcess;
export { waitUntil };

function run(script: string, env: Record<string, string>, name: string): Proc {
  return runNodeProcess({ cwd: root, script, env, name, verboseEnv: 'E2E_VERBOSE' });
}

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
  port?: number,
  extraEnv: Record<string, string> = {},
): Promise<ClientSystem> {
  const p = port ?? (await freePort());
  const env = { DATABASE_URL: databaseUrl, PORT: String(p), HOST: '127.0.0.1', NODE_ENV: 'test', ...extraEnv };
  const url = `http://127.0.0.1:${p}`;
  const boot = async () => {
    const proc = run('client/api/dist/main.js', env, 'client-api');
    await waitUntil(
      'the client API to be ready',
      async () => (await fetch(`${url}/ready`).catch(() => null))?.ok,
      60_000,
    );
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

export async function createSite(
  databaseUrl: string,
  name: string,
): Promise<{ site_id: number; site_name: string; api_key: string }> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [path.join(root, 'client/api/dist/cli/create-site.js'), '--name', name],
    {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    },
  );
  return JSON.parse(stdout) as { site_id: number; site_name: string; api_key: string };
}

export interface AgentProcess {
  proc: Proc;
  db: Knex;
  env: Record<string, string>;
  /** The agent's local API and dashboard, e.g. http://127.0.0.1:41234. */
  localApiUrl: string;
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
  env?: Record<string, string>;
}): Promise<AgentProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-agent-'));
  const localApiPort = opts.env?.LOCAL_API_PORT ?? String(await freePort());
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
    LOCAL_API_HOST: '127.0.0.1',
    LOCAL_API_PORT: localApiPort,
    ...opts.env,
  };
  const boot = async () => {
    const proc = run('sync/agent/dist/main.js', env, 'agent');
    await waitUntil(
      'the agent to start collecting',
      async () => proc.output.join('').includes('agent running'),
      60_000,
    );
    return proc;
  };
  const a: AgentProcess = {
    proc: await boot(),
    db: knexFactory({ client: 'pg', connection: opts.databaseUrl, pool: { min: 0, max: 2 } }),
    env,
    localApiUrl: `http://${env.LOCAL_API_HOST === '0.0.0.0' ? '127.0.0.1' : env.LOCAL_API_HOST}:${env.LOCAL_API_PORT}`,
    async restart() {
      a.proc = await boot();
    },
    async stop(signal) {
      await a.proc.stop(signal);
    },
  };
  return a;
}

export interface CentralReading {
  meter: string;
  data_point: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
}

export async function centralReadings(db: Knex, siteId: number): Promise<CentralReading[]> {
  return db('meter_readings as r')
    .join('meters as m', 'm.id', 'r.meter_id')
    .where('m.site_id', siteId)
    .orderBy([{ column: 'm.external_id' }, { column: 'r.data_point' }, { column: 'r.ts' }])
    .select('m.external_id as meter', 'r.data_point', 'r.ts', 'r.value', 'r.unit', 'r.quality');
}

export async function unsentCount(db: Knex): Promise<number> {
  const row = await db('meter_readings').whereNull('synced_at').count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** A JSON call to an agent's local API; answers status and parsed body whatever the status. */
export async function localApi<T = unknown>(
  agent: Pick<AgentProcess, 'localApiUrl'>,
  method: 'GET' | 'POST' | 'DELETE',
  pathAndQuery: string,
  opts: { token?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  const res = await fetch(agent.localApiUrl + pathAndQuery, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/**
 * Meters "on another subnet": they hear no broadcast at all; only the simulator's BBMD at `bbmd`
 * puts a Who-Is on their network and forwards their I-Am to its foreign devices.
 */
export function startMetersBehindBbmd(bbmd: string, meters: SimMeterSpec[]): Promise<Simulator> {
  return startSimulator({ listenBroadcast: false, bbmd: { address: bbmd }, meters });
}
