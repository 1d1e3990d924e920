import type { Logger } from '@meterit/shared/node';
import type { CollectionSwitch } from './collection.js';
import type {
  CollectionState,
  DiscoveredDevice,
  DiscoverOptions,
  PointReadRequest,
  RawReadResult,
  SiteControl,
  SyncRunResult,
} from './ports.js';

/** The site's meter network as the control port uses it (the runtime wraps its protocol adapter in this). */
export interface MeterNetwork {
  discover(o: DiscoverOptions): Promise<DiscoveredDevice[]>;
  readPoint(r: PointReadRequest): Promise<RawReadResult>;
}

/** The site's control port over the running parts. */
export class RuntimeControl implements SiteControl {
  constructor(
    private readonly d: {
      collection: CollectionSwitch;
      uploader: { syncNow(): Promise<SyncRunResult> };
      deadLetters: { requeueDeadLetters(ids?: number[]): Promise<{ moved: number; requeued: number }> };
      /** null when a test passed its own point reader instead of the protocol adapter. */
      network: MeterNetwork | null;
      logger: Logger;
    },
  ) {}

  startCollection(reason?: string): Promise<CollectionState> {
    return this.d.collection.set(true, reason);
  }

  stopCollection(reason?: string): Promise<CollectionState> {
    return this.d.collection.set(false, reason);
  }

  syncNow(): Promise<SyncRunResult> {
    return this.d.uploader.syncNow();
  }

  async retryDeadLetters(ids?: number[]): Promise<{ moved: number; requeued: number }> {
    const r = await this.d.deadLetters.requeueDeadLetters(ids);
    if (r.moved > 0) this.d.logger.info('dead letters moved back into the upload queue', r);
    return r;
  }

  private network(): MeterNetwork {
    if (!this.d.network)
      throw new Error(
        'this agent runs without its own BACnet adapter (a test reader), so it cannot discover or read devices',
      );
    return this.d.network;
  }

  async discover(o: DiscoverOptions): Promise<DiscoveredDevice[]> {
    return this.network().discover(o);
  }

  async readPoint(r: PointReadRequest): Promise<RawReadResult> {
    return this.network().readPoint(r);
  }
}
