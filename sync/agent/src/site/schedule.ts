import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';

/**
 * The runtime's recurring jobs: each runs at once, then `ms` after its previous run ended (a slow run
 * never overlaps the next). A failure is logged and the job goes on; stop() ends them all.
 */
export class Schedule {
  private readonly timers = new Map<string, unknown>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  every(ms: number, name: string, fn: () => Promise<unknown>): void {
    const tick = () => {
      if (this.stopped) return;
      fn()
        .catch((err: Error) => this.logger.debug(`${name} failed`, { error: err.message }))
        .finally(() => {
          if (!this.stopped) this.timers.set(name, this.clock.setTimeout(tick, ms));
        });
    };
    this.timers.set(name, this.clock.setTimeout(tick, 0));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
