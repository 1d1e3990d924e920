#!/usr/bin/env node
// Backup and restore of either database with pg_dump / pg_restore (Debian: postgresql-client).
//   node scripts/db-backup.mjs backup  client|site [--out FILE]
//   node scripts/db-backup.mjs restore client|site --in FILE [--yes]
// The connection comes from the same settings the deployable uses (its environment, or the
// package's .env): DATABASE_URL / POSTGRES_* for the client system, LOCAL_DATABASE_URL /
// LOCAL_POSTGRES_* for a site, else its embedded PostgreSQL (started for the backup if it is not running).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage =
  'usage: db-backup.mjs backup client|site [--out FILE]\n       db-backup.mjs restore client|site --in FILE [--yes]';

function fail(msg) {
  process.stderr.write(`db-backup: ${msg}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, in: { type: 'string' }, yes: { type: 'boolean', default: false } },
});
const [action, side] = positionals;
if (!['backup', 'restore'].includes(action ?? '') || !['client', 'site'].includes(side ?? '')) fail(usage);
for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
  if (spawnSync(tool, ['--version']).status !== 0)
    fail(`${tool} not found: install PostgreSQL's client tools (Debian: apt-get install postgresql-client)`);
}

/** The package's .env under the process environment (the environment wins, as for the services). */
function envOf(pkgDir) {
  const env = {};
  const file = path.join(pkgDir, '.env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
      if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '');
    }
  }
  return { ...env, ...process.env };
}

async function connection() {
  const { createLogger, startEmbeddedPostgres } = await import(path.join(root, 'shared/dist/node/index.js'));
  const logger = createLogger({ service: 'db-backup', level: 'warn', stream: 'stderr' });
  if (side === 'client') {
    const { loadConfig } = await import(path.join(root, 'client/api/dist/index.js'));
    const db = loadConfig(envOf(path.join(root, 'client/api'))).database;
    if (db.kind === 'url') return { url: db.url };
    if (db.kind === 'connection') return { ...db };
    const pg = await startEmbeddedPostgres(db.dataDir, db.port, logger);
    return { ...pg.connection, database: db.database, stop: pg.stop };
  }
  const { loadConfig } = await import(path.join(root, 'sync/agent/dist/index.js'));
  const c = loadConfig({
    CLIENT_API_URL: 'http://127.0.0.1',
    CLIENT_API_KEY: 'not-needed-for-backups',
    ...envOf(path.join(root, 'sync/agent')),
  });
  if (c.LOCAL_DATABASE_URL) return { url: c.LOCAL_DATABASE_URL };
  if (c.LOCAL_POSTGRES_HOST)
    return {
      host: c.LOCAL_POSTGRES_HOST,
      port: c.LOCAL_POSTGRES_PORT,
      database: c.LOCAL_POSTGRES_DB,
      user: c.LOCAL_POSTGRES_USER,
      password: c.LOCAL_POSTGRES_PASSWORD,
    };
  const pg = await startEmbeddedPostgres(path.join(c.SYNC_DATA_DIR, 'postgres'), c.EMBEDDED_PG_PORT, logger);
  return { ...pg.connection, database: c.LOCAL_POSTGRES_DB, stop: pg.stop };
}

/** Connection flags for libpq tools; the password travels in the environment, never on the command line. */
function libpq(conn) {
  if (conn.url) {
    const u = new URL(conn.url);
    return {
      args: ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1)],
      env: { PGPASSWORD: decodeURIComponent(u.password) },
    };
  }
  return {
    args: ['-h', conn.host, '-p', String(conn.port), '-U', conn.user, '-d', conn.database],
    env: { PGPASSWORD: conn.password ?? '' },
  };
}

const conn = await connection();
const { args, env } = libpq(conn);
let status;
if (action === 'backup') {
  const out = path.resolve(
    values.out ?? path.join(root, 'backups', `${side}-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`),
  );
  mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync('pg_dump', [...args, '--format=custom', '--no-owner', '--file', out], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  status = r.status;
  if (status === 0) process.stdout.write(`${side} database backed up to ${out}\n`);
} else {
  if (!values.in || !existsSync(values.in))
    fail(`--in FILE is required and must exist${values.in ? `: ${values.in} not found` : ''}`);
  if (!values.yes)
    fail(
      `restoring replaces the ${side} database's contents: stop the ${side === 'client' ? 'client API' : 'agent'} first, then add --yes`,
    );
  // pg_restore --clean cannot drop monthly partitions' inherited constraints, so the schema is
  // replaced instead: one psql transaction drops it and runs the dump's SQL; any error rolls all back.
  status = await new Promise((resolve) => {
    const childEnv = { ...process.env, ...env };
    const psql = spawn('psql', [...args, '--single-transaction', '-v', 'ON_ERROR_STOP=1', '-q'], {
      env: childEnv,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const restore = spawn('pg_restore', ['--no-owner', '--file', '-', values.in], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    psql.stdin.write('DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n');
    restore.stdout.pipe(psql.stdin);
    let restoreCode = 0;
    restore.on('exit', (code) => (restoreCode = code ?? 1));
    psql.on('exit', (code) => resolve(code === 0 && restoreCode === 0 ? 0 : 1));
  });
  if (status === 0) process.stdout.write(`${side} database restored from ${values.in}\n`);
}
await conn.stop?.();
process.exit(status === 0 ? 0 : 1);
