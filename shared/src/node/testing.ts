import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './database.js';
import { createLogger } from './logger.js';

export {
  decodeQuotedPrintable,
  startMailReceiver,
  subjectOf,
  type MailReceiver,
  type ReceivedMail,
} from './mail-receiver.js';
export { annotationsOf, callEveryListedTool, type EveryToolResult, type ToolCase } from './mcp-testing.js';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** One real PostgreSQL (embedded) for a test run, in a temporary folder removed at stop. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-test-pg-'));
  // The server runs as the unprivileged postgres user, which must be able to enter the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const logger = createLogger({ service: 'test-postgres', level: 'warn' });
  const handle = await startEmbeddedPostgres(dir, port, logger);
  return {
    ...handle.connection,
    async stop() {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Create a fresh, empty database on the test server and return its URL. */
export async function createTestDatabase(server: Omit<TestPostgres, 'stop'>, name: string): Promise<string> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const safe = name.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
    await client.query(`DROP DATABASE IF EXISTS "${safe}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${safe}"`);
    return `postgresql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${safe}`;
  } finally {
    await client.end();
  }
}

/** A Node script of this repository run as its own process, the way production runs it. */
export interface NodeProcess {
  child: ChildProcess;
  /** What it printed (stdout and stderr), the latest ~1000 chunks. */
  output: string[];
  exited: Promise<void>;
  /** SIGTERM (or the signal given) and wait; SIGKILL if a SIGTERM is not obeyed within 15 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function runNodeProcess(o: {
  cwd: string;
  script: string;
  env: Record<string, string>;
  name: string;
  verboseEnv?: string;
  nodeArgs?: string[];
}): NodeProcess {
  // nodeArgs: options for Node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses).
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), path.resolve(o.cwd, o.script)], {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const verbose = Boolean(o.verboseEnv && process.env[o.verboseEnv]);
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 2000) output.splice(0, 1000);
    if (verbose) process.stderr.write(`[${o.name}] ${b.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = signal === 'SIGKILL' ? null : setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Thrown from a waitUntil condition to stop waiting at once (e.g. the process waited for exited). */
export class FatalWait extends Error {}

/** Poll `fn` until it returns something truthy; the last error is named when time runs out. */
export async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (err instanceof FatalWait) throw err;
      last = err;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * An agent's environment for tests: everything fast (1 s polls, 1.5 s syncs, short backoff and
 * timeouts), against the given client system, site database and meters file.
 */
export function fastAgentEnv(o: {
  clientUrl: string;
  apiKey: string;
  databaseUrl: string;
  metersFile: string;
  dataDir: string;
  bacnetInterface: string;
  bacnetPort?: number;
}): Record<string, string> {
  return {
    CLIENT_API_URL: `${o.clientUrl}/api`,
    CLIENT_API_KEY: o.apiKey,
    LOCAL_DATABASE_URL: o.databaseUrl,
    METERS_FILE: o.metersFile,
    SYNC_DATA_DIR: o.dataDir,
    BACNET_INTERFACE: o.bacnetInterface,
    BACNET_PORT: String(o.bacnetPort ?? 47808),
    BACNET_BROADCAST_ADDRESS: '127.255.255.255',
    BACNET_TIMEOUT_MS: '1000',
    COLLECTION_INTERVAL_SECONDS: '1',
    SYNC_INTERVAL_MINUTES: String(1.5 / 60),
    HEARTBEAT_INTERVAL_SECONDS: '2',
    BACKOFF_BASE_SECONDS: '0.2',
    BACKOFF_CAP_SECONDS: '1',
    HTTP_TIMEOUT_SECONDS: '5',
  };
}

/** What a vitest global setup may hand to the test files (`inject('pg')`). */
export type TestPostgresConnection = Omit<TestPostgres, 'stop'>;

let runPostgres: TestPostgres | undefined;

/**
 * The one vitest global setup of the packages with database tests: one real PostgreSQL for the whole run, provided to
 * the test files as `pg`; each test file creates its own databases on it. A package's `test/global-setup.ts`
 * re-exports these two and declares the `pg` context for vitest's types.
 */
export async function setup(project: { provide(key: 'pg', value: TestPostgresConnection): void }): Promise<void> {
  runPostgres = await startTestPostgres();
  const { stop: _stop, ...connection } = runPostgres;
  project.provide('pg', connection);
}

export async function teardown(): Promise<void> {
  await runPostgres?.stop();
  runPostgres = undefined;
}
