import type { Logger } from '@meterit/shared/node';
import { systemClock, type Clock } from '../../clock.js';
import type { RollupUpkeep } from './rollup-upkeep.js';

export interface RollupWorkerOptions {
  upkeep: RollupUpkeep;
  logger: Logger;
  /** Pause between passes (ENERGY_ROLLUP_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Time and timers (tests pass a ManualClock and call runOnce()). */
  clock?: Clock;
}

/**
 * Keeps the energy rollups up to date in the API process, on its own timer beside the alert engine and the
 * housekeeping: each pass applies every change queued for every site (RollupUpkeep), then waits `intervalMs`.
 * Several API processes may run it at once: a site's changes are applied under a per-site lock, and each change once.
 */
export class RollupWorker {
  private timer: unknown;
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly opts: RollupWorkerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child({ module: 'energy-rollups' });
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stop the timer and wait for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass now; concurrent calls share it. Returns the number of changes applied. */
  runOnce(): Promise<number> {
    this.running ??= this.opts.upkeep.catchUp().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), this.opts.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      const applied = await this.runOnce();
      if (applied > 0) this.log.debug('rollups updated', { changes: applied });
    } catch (err) {
      // The changes stay queued (their transaction rolled back); the next pass takes them again.
      this.log.error('rollup pass failed; retrying at the next pass', {
        err: err instanceof Error ? err.message : String(err),
      });
    } finally {
      this.schedule();
    }
  }
}
