import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import type { CollectionState } from './ports.js';

/** The technician's start/stop choice: persisted first, then applied to the poll loop. */
export class CollectionSwitch {
  private state: CollectionState | null = null;

  constructor(
    private readonly d: {
      poller: { start(): void; stop(): Promise<void> };
      store: { getCollection(): Promise<CollectionState | null>; setCollection(s: CollectionState): Promise<void> };
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** The last choice; null when nobody chose yet (the agent collects). */
  get current(): CollectionState | null {
    return this.state;
  }

  /** At start: a technician's "stop" survives restarts; with no choice recorded yet, the agent collects. */
  async resume(): Promise<void> {
    this.state = await this.d.store.getCollection();
    if (this.state && !this.state.collecting) {
      this.d.logger.warn('collection stays stopped, as a technician chose; start it from the site dashboard', {
        since: this.state.changedAt,
        reason: this.state.reason,
      });
    } else {
      this.d.poller.start();
    }
  }

  async set(collecting: boolean, reason?: string): Promise<CollectionState> {
    const next: CollectionState = {
      collecting,
      changedAt: new Date(this.d.clock.now()).toISOString(),
      reason: reason ?? null,
    };
    // Persist first: if the database refuses, the running state must not pretend otherwise.
    await this.d.store.setCollection(next);
    this.state = next;
    if (collecting) this.d.poller.start();
    else await this.d.poller.stop();
    this.d.logger.info(collecting ? 'collection started by request' : 'collection stopped by request', {
      reason: reason ?? null,
    });
    return next;
  }
}
