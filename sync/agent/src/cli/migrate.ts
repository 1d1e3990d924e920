import { createLogger, openDatabase } from '@meterit/shared/node';
import { loadConfig } from '../config.js';
import { siteDatabaseOptions } from '../db/index.js';

// Run the site database migrations and exit (they also run on every agent start).
const config = loadConfig({
  CLIENT_API_URL: 'http://127.0.0.1',
  CLIENT_API_KEY: 'unused-for-migrations',
  ...process.env,
});
const logger = createLogger({ service: 'sync-migrate', level: config.LOG_LEVEL });
const db = await openDatabase(siteDatabaseOptions(config, logger));
logger.info('site database migrated', { database: db.describe });
await db.close();
