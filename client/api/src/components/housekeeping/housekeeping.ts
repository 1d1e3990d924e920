import type { Knex } from 'knex';
import type { Logger } from '@meterit/shared/node';
import { RollupChangesRepository } from '../energy/rollup-changes-repository.js';
import { purgeLogTables, type LogRetention } from './log-retention.js';
import { monthStart, partitionName, ReadingsPartitions } from './readings-partitions.js';

export interface HousekeepingOptions {
  knex: Knex;
  logger: Logger;
  /** Monthly partitions kept ready beyond the current month. */
  aheadMonths: number;
  /** Drop readings older than this many whole months before the current one; undefined = keep everything. */
  retentionMonths: number | undefined;
  /** How long heartbeats, upload records and the MCP audit log are kept. */
  logRetention: LogRetention;
  /** Delete energy rollups older than this many whole months before the current one; undefined = keep them all. */
  rollupRetentionMonths?: number | undefined;
  /** How often the job runs (default 6 h). */
  intervalMs?: number;
  /** The job's clock (tests pass a fixed one). */
  now?: () => Date;
}

export interface HousekeepingResult {
  created: string[];
  movedFromDefault: number;
  dropped: string[];
  deletedFromDefault: number;
  /** Log rows deleted past their retention, per table (and rollup rows past theirs). */
  purged: Record<string, number>;
}

/**
 * Housekeeping of the central database, in the API process on its own timer: monthly partitions of
 * meter_readings created ahead of time, the optional readings retention, and the log tables'
 * retention (heartbeats, upload records, MCP audit, expired refresh tokens).
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HousekeepingResult> | undefined;
  private readonly partitions: ReadingsPartitions;
  private readonly now: () => Date;
  private readonly log: Logger;

  constructor(private readonly opts: HousekeepingOptions) {
    this.partitions = new ReadingsPartitions(opts.knex);
    this.now = opts.now ?? (() => new Date());
    this.log = opts.logger.child({ module: 'housekeeping' });
  }

  /** Run once now (a failure is logged, not thrown: the API still serves) and then every interval. */
  async start(): Promise<void> {
    await this.runLogged();
    this.timer = setInterval(() => void this.runLogged(), this.opts.intervalMs ?? 6 * 3_600_000);
    this.timer.unref();
  }

  /** Stop the timer and wait for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share it. */
  runOnce(): Promise<HousekeepingResult> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runLogged(): Promise<void> {
    try {
      const r = await this.runOnce();
      if (
        r.created.length ||
        r.dropped.length ||
        r.deletedFromDefault ||
        r.movedFromDefault ||
        Object.keys(r.purged).length
      )
        this.log.info('housekeeping done', { ...r });
    } catch (err) {
      this.log.error('housekeeping failed; retrying at the next run', {
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async pass(): Promise<HousekeepingResult> {
    const now = this.now();
    const result: HousekeepingResult = {
      created: [],
      movedFromDefault: 0,
      dropped: [],
      deletedFromDefault: 0,
      purged: {},
    };
    for (let i = 0; i <= this.opts.aheadMonths; i += 1) {
      const month = monthStart(now, i);
      const moved = await this.partitions.ensureMonth(month);
      if (moved !== null) {
        result.created.push(partitionName(month));
        result.movedFromDefault += moved;
      }
    }
    if (this.opts.retentionMonths !== undefined) {
      const cutoff = monthStart(now, -this.opts.retentionMonths);
      const r = await this.partitions.dropBefore(cutoff);
      result.dropped = r.dropped;
      result.deletedFromDefault = r.deletedFromDefault;
      if (r.dropped.length > 0)
        this.log.warn('old readings dropped (READINGS_RETENTION_MONTHS)', {
          cutoff: cutoff.toISOString(),
          partitions: r.dropped,
          deleted_from_default: r.deletedFromDefault,
        });
    }
    result.purged = await purgeLogTables(this.opts.knex, this.opts.logRetention, now);
    if (this.opts.rollupRetentionMonths !== undefined) {
      const cutoff = monthStart(now, -this.opts.rollupRetentionMonths);
      Object.assign(result.purged, await new RollupChangesRepository(this.opts.knex).deleteBefore(cutoff));
    }
    return result;
  }
}
