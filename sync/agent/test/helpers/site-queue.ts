import { openDatabase, type Database, type Logger } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { MeterStatusRepository } from '../../src/collector/meter-status-repository.js';
import { QueueRepository } from '../../src/queue/queue-repository.js';
import { siteMigrations } from '../../src/db/migrations/index.js';

/** A fresh site database on the test server, migrated, with the collector's queue and status repositories on it. */
export async function openSiteQueue(
  pg: Parameters<typeof createTestDatabase>[0],
  name: string,
  logger: Logger,
): Promise<{ db: Database; queue: QueueRepository; status: MeterStatusRepository }> {
  const db = await openDatabase({ url: await createTestDatabase(pg, name), migrations: siteMigrations, logger });
  return { db, queue: new QueueRepository(db.knex), status: new MeterStatusRepository(db.knex) };
}
