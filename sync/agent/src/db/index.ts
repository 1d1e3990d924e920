import path from 'node:path';
import type { DatabaseOptions, Logger } from '@meterit/shared/node';
import type { AgentConfig } from '../config.js';
import { siteMigrations } from './migrations/index.js';

/** Where the site database is: LOCAL_DATABASE_URL, else LOCAL_POSTGRES_*, else the embedded server. */
export function siteDatabaseOptions(config: AgentConfig, logger: Logger): DatabaseOptions {
  return {
    url: config.LOCAL_DATABASE_URL,
    connection: config.LOCAL_POSTGRES_HOST
      ? {
          host: config.LOCAL_POSTGRES_HOST,
          port: config.LOCAL_POSTGRES_PORT,
          database: config.LOCAL_POSTGRES_DB,
          user: config.LOCAL_POSTGRES_USER,
          password: config.LOCAL_POSTGRES_PASSWORD ?? '',
        }
      : undefined,
    embedded: {
      dataDir: path.join(config.SYNC_DATA_DIR, 'postgres'),
      port: config.EMBEDDED_PG_PORT,
      database: config.LOCAL_POSTGRES_DB,
    },
    migrations: siteMigrations,
    logger,
  };
}
