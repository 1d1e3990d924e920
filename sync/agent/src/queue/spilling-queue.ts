import type { Logger } from '@meterit/shared/node';
import type { NewReading } from './queue-repository.js';
import type { SpillFile, SpillReplayResult } from './spill-file.js';

/**
 * The collector's way into the queue: readings go to the local database (through the storage
 * limit's guard); when it refuses them (down, restarting), they go to the spill file on disk
 * instead, fsync'd before `enqueue` resolves, so the collector never holds them in memory only.
 * Spilled readings go back into the queue as soon as a write succeeds again or the supervisor
 * says the database is back, and at the next start.
 */
export class SpillingQueue {
  private spilling = false;

  constructor(
    private readonly queue: { enqueue(readings: NewReading[]): Promise<number> },
    private readonly spill: SpillFile,
    private readonly opts: { logger: Logger; batchSize?: number; onWriteFailed?: (err: Error) => void },
  ) {}

  /** Readings waiting in the spill file. */
  get spilled(): number {
    return this.spill.waiting;
  }

  get tornLines(): number {
    return this.spill.tornLines;
  }

  /** Store readings; returns how many the queue took, or how many were spilled. Rejects only when neither the database nor the disk took them. */
  async enqueue(readings: NewReading[]): Promise<number> {
    if (readings.length === 0) return 0;
    let stored: number;
    try {
      stored = await this.queue.enqueue(readings);
    } catch (err) {
      await this.spill.append(readings);
      if (!this.spilling) {
        this.spilling = true;
        this.opts.logger.error('the local database refused readings: writing them to the spill file until it is back', {
          error: (err as Error).message,
          file: this.spill.file,
        });
      }
      this.opts.onWriteFailed?.(err as Error);
      return readings.length;
    }
    // The database takes writes again: what waits on disk goes in now (in the background).
    if (this.spill.waiting > 0) void this.replay().catch(() => undefined);
    return stored;
  }

  /** Put every spilled reading into the queue; the queue ignores any it already holds. */
  async replay(): Promise<SpillReplayResult> {
    if (this.spill.waiting === 0) return { replayed: 0, tornLines: 0 };
    try {
      const r = await this.spill.replay((batch) => this.queue.enqueue(batch), this.opts.batchSize ?? 1000);
      if (r.replayed > 0 || r.tornLines > 0) {
        this.opts.logger.info('readings from the spill file are in the local queue', {
          readings: r.replayed,
          tornLines: r.tornLines,
        });
      }
      this.spilling = false;
      return r;
    } catch (err) {
      this.opts.logger.warn('could not put the spilled readings into the local queue yet; they stay on disk', {
        error: (err as Error).message,
        waiting: this.spill.waiting,
      });
      throw err;
    }
  }
}
