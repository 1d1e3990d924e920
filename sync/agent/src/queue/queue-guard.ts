import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import type { AgentStateRepository } from '../collector/agent-state-repository.js';
import type { ReadingsInFlight } from './in-flight.js';
import type { NewReading, QueueRepository } from './queue-repository.js';

export type QueueFullPolicy = 'drop-oldest' | 'stop-collecting';

export interface QueueLimitCounters {
  /** Oldest unsent readings deleted to make room (policy drop-oldest), since the agent was installed. */
  dropped: number;
  /** New readings not stored because the queue was full (policy stop-collecting). */
  refused: number;
  /** When the queue last reached its limit; null when it is below. */
  fullSince: string | null;
}

const COUNTERS_KEY = 'queue_limit';

/**
 * The site's storage limit for the upload queue, applied as an explicit policy: when the
 * unsent backlog reaches `maxReadings`, either the oldest unsent readings make room for new
 * ones (drop-oldest: recent data matters most, and energy stays in the kWh counters) or new
 * readings are not stored (stop-collecting). Either way every reading affected is counted,
 * logged and reported in the heartbeat and the dashboard: never a silent drop.
 */
export class QueueGuard {
  private depth: number | null = null;
  private depthAt = 0;
  private counters: QueueLimitCounters | null = null;

  constructor(
    private readonly queue: QueueRepository,
    private readonly state: AgentStateRepository,
    private readonly opts: {
      maxReadings: number;
      policy: QueueFullPolicy;
      logger: Logger;
      clock: Clock;
      /** What the uploader has on its way: drop-oldest spares it. */
      inFlight: ReadingsInFlight;
      recountMs?: number;
    },
  ) {}

  async getCounters(): Promise<QueueLimitCounters> {
    this.counters ??= (await this.state.get<QueueLimitCounters>(COUNTERS_KEY)) ?? {
      dropped: 0,
      refused: 0,
      fullSince: null,
    };
    return this.counters;
  }

  /** Store readings under the limit; returns how many were stored. */
  async enqueue(readings: NewReading[]): Promise<number> {
    if (readings.length === 0) return 0;
    const now = this.opts.clock.now();
    // Counting the backlog is a scan: refresh it now and then, and track it in between. Uploads
    // shrink it without telling: before dropping or refusing anything, count again.
    const recount = async () => {
      this.depth = (await this.queue.stats()).depth;
      this.depthAt = now;
      return this.depth;
    };
    let depth =
      this.depth === null || now - this.depthAt > (this.opts.recountMs ?? 10_000) ? await recount() : this.depth;
    const counters = await this.getCounters();
    let stored: number;
    if (this.opts.policy === 'drop-oldest') {
      // Store first, then trim the oldest: the newest readings always survive.
      stored = await this.queue.enqueue(readings);
      depth += stored;
      if (depth > this.opts.maxReadings && this.depthAt !== now) depth = await recount();
      else this.depth = depth;
      const over = depth - this.opts.maxReadings;
      if (over > 0) {
        const dropped = await this.opts.inFlight.spare((upTo) => this.queue.dropOldestUnsent(over, upTo));
        this.depth = depth - dropped;
        counters.dropped += dropped;
        counters.fullSince ??= new Date(now).toISOString();
        await this.state.set(COUNTERS_KEY, counters);
        this.opts.logger.error(
          'upload queue full: oldest unsent readings deleted to make room (QUEUE_FULL_POLICY=drop-oldest)',
          {
            dropped,
            droppedTotal: counters.dropped,
            limit: this.opts.maxReadings,
          },
        );
        return stored;
      }
    } else {
      if (depth + readings.length > this.opts.maxReadings && this.depthAt !== now) depth = await recount();
      const room = Math.max(0, this.opts.maxReadings - depth);
      stored = await this.queue.enqueue(readings.slice(0, room));
      this.depth = depth + stored;
      if (room < readings.length) {
        counters.refused += readings.length - room;
        counters.fullSince ??= new Date(now).toISOString();
        await this.state.set(COUNTERS_KEY, counters);
        this.opts.logger.error('upload queue full: new readings not stored (QUEUE_FULL_POLICY=stop-collecting)', {
          refused: readings.length - room,
          refusedTotal: counters.refused,
          limit: this.opts.maxReadings,
        });
        return stored;
      }
    }
    if (counters.fullSince && (this.depth ?? 0) < this.opts.maxReadings * 0.9) {
      counters.fullSince = null;
      await this.state.set(COUNTERS_KEY, counters);
    }
    return stored;
  }
}
