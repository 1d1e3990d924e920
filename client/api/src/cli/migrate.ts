import { createLogger } from '@meterit/shared/node';
import { describeDatabase, loadConfig } from '../config.js';
import { openClientDatabase } from '../db/index.js';

// openClientDatabase migrates to the latest version; this command does only that, then reports and exits.
const config = loadConfig();
const logger = createLogger({ service: 'client-api-migrate', level: config.logLevel });
try {
  const db = await openClientDatabase(config.database, logger);
  const { rows } = await db.knex.raw<{ rows: { name: string }[] }>('SELECT name FROM knex_migrations ORDER BY id');
  logger.info('database is migrated', {
    database: describeDatabase(config.database),
    applied: rows.map((r) => r.name),
  });
  await db.close();
} catch (err) {
  logger.error('migration failed', {
    err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
  });
  process.exitCode = 1;
}
