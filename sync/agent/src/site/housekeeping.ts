import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import type { Schedule } from './schedule.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface HousekeepingDeps {
  queue: {
    purgeSynced(olderThan: Date): Promise<number>;
    purgeSyncLog(olderThan: Date): Promise<number>;
    vacuum(): Promise<void>;
  };
  audit: { purgeOlderThan(olderThan: Date): Promise<number> };
  clock: Clock;
  logger: Logger;
  retention: { syncedReadingsHours: number; syncLogDays: number; mcpAuditDays: number };
}

/** The site database's upkeep: synced readings, sync log and MCP audit past their retention, and the queue's statistics. */
export function scheduleHousekeeping(schedule: Schedule, d: HousekeepingDeps): void {
  const { queue, clock, logger, retention } = d;
  // The queue churns (insert, mark synced, purge): keep its statistics and free space fresh, weekly.
  schedule.every(7 * DAY, 'vacuum of the local queue', () => queue.vacuum());
  schedule.every(HOUR, 'purge of synced readings', async () => {
    const n = await queue.purgeSynced(new Date(clock.now() - retention.syncedReadingsHours * HOUR));
    if (n > 0) logger.info('purged synced readings past the retention window', { readings: n });
    const logs = await queue.purgeSyncLog(new Date(clock.now() - retention.syncLogDays * DAY));
    if (logs > 0)
      logger.info('purged sync log entries past their retention', { entries: logs, days: retention.syncLogDays });
    const a = await d.audit.purgeOlderThan(new Date(clock.now() - retention.mcpAuditDays * DAY));
    if (a > 0)
      logger.info('purged MCP audit entries past their retention', { entries: a, days: retention.mcpAuditDays });
  });
}
