import { openDatabase, type Database, type Logger } from '@meterit/shared/node';
import type { DatabaseConfig } from '../config.js';
import { migrations } from './migrations/index.js';

export type { Database } from '@meterit/shared/node';

/** Open the client system's database (starting the embedded server if configured) and migrate it. */
export async function openClientDatabase(config: DatabaseConfig, logger: Logger): Promise<Database> {
  const log = logger.child({ module: 'db' });
  switch (config.kind) {
    case 'url':
      return openDatabase({ url: config.url, migrations, logger: log });
    case 'connection': {
      const { host, port, database, user, password } = config;
      return openDatabase({ connection: { host, port, database, user, password }, migrations, logger: log });
    }
    case 'embedded':
      return openDatabase({
        embedded: { dataDir: config.dataDir, port: config.port, database: config.database },
        migrations,
        logger: log,
      });
  }
}

/** Errors that mean "the database is not reachable right now" (answer 503, the caller retries). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (e.name === 'KnexTimeoutError') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH'].includes(code))
    return true;
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown / cannot connect now), 53300 (too many connections).
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  // Serialization failure / deadlock: transient too; the agent's retry resends and ON CONFLICT makes that safe.
  if (code === '40001' || code === '40P01') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|Unable to acquire a connection|Client has encountered a connection error/i.test(
    message,
  );
}
