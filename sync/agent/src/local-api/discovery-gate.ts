import { MemoryStore, type Options } from 'express-rate-limit';
import type { DiscoverOptions, DiscoveredDevice } from '@meterit/sync-mcp';

const HOUR_MS = 3600_000;

/** A discovery the caller may not start now; the message says why and when to come back. */
export class DiscoveryRefused extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'DiscoveryRefused';
  }
}

interface Running {
  key: string;
  startedAt: number;
  timeoutMs: number;
  result: Promise<DiscoveredDevice[]>;
}

const keyOf = (o: DiscoverOptions) =>
  JSON.stringify([o.timeoutMs, o.lowLimit ?? null, o.highLimit ?? null, o.address ? [...o.address].sort() : null]);

/** The site's one gate over its control port's discovery (the dashboard and MCP share it). */
export function siteDiscoveryGate(
  control: { discover(o: DiscoverOptions): Promise<DiscoveredDevice[]> },
  o: { perCallerPerHour: number; now: () => number },
): DiscoveryGate {
  return new DiscoveryGate(
    async (d) =>
      control.discover({
        timeoutMs: d.timeoutMs,
        ...(d.lowLimit !== undefined && d.highLimit !== undefined
          ? { lowLimit: d.lowLimit, highLimit: d.highLimit }
          : {}),
        ...(d.address ? { address: d.address } : {}),
      }),
    o,
  );
}

/**
 * One Who-Is round at a time per site: answers of two overlapping discoveries could not be told
 * apart, and queueing them let 100 calls at once hold the network for a quarter of an hour. A call
 * with the same arguments as the running discovery shares its result; any other is refused with
 * when to try again. Each caller (token) may start `perCallerPerHour` discoveries an hour, counted
 * by express-rate-limit's store as the agent's other limits are; shared results cost nothing.
 */
export class DiscoveryGate {
  private running: Running | null = null;
  private readonly started = new MemoryStore();

  constructor(
    private readonly run: (o: DiscoverOptions) => Promise<DiscoveredDevice[]>,
    private readonly o: { perCallerPerHour: number; now: () => number },
  ) {
    this.started.init({ windowMs: HOUR_MS } as Options);
  }

  /** Admissions one after another (the limit's store answers asynchronously); the discoveries themselves are not waited for here. */
  private admitting: Promise<unknown> = Promise.resolve();

  async discover(o: DiscoverOptions, caller: string): Promise<DiscoveredDevice[]> {
    const turn = this.admitting.then(() => this.admit(o, caller));
    this.admitting = turn.catch(() => undefined);
    return (await turn).result;
  }

  private async admit(o: DiscoverOptions, caller: string): Promise<{ result: Promise<DiscoveredDevice[]> }> {
    const now = this.o.now();
    const key = keyOf(o);
    const r = this.running;
    if (r) {
      if (r.key === key) return { result: r.result };
      const wait = Math.max(1, Math.ceil((r.startedAt + r.timeoutMs + 1000 - now) / 1000));
      throw new DiscoveryRefused(
        `a BACnet discovery with other arguments is running on this site (one at a time, so that answers cannot be mixed up); try again in ${wait} s, or call with the same arguments to share its result`,
        wait,
      );
    }
    const used = await this.started.get(caller);
    if (used && used.totalHits >= this.o.perCallerPerHour && used.resetTime && used.resetTime.getTime() > Date.now()) {
      const wait = Math.max(1, Math.ceil((used.resetTime.getTime() - Date.now()) / 1000));
      throw new DiscoveryRefused(
        `too many discoveries: this caller started ${used.totalHits} in the last hour, the limit (MCP_DISCOVERIES_PER_HOUR is ${this.o.perCallerPerHour}); try again in ${wait} s`,
        wait,
      );
    }
    await this.started.increment(caller);
    const result = this.run(o);
    const mine: Running = { key, startedAt: now, timeoutMs: o.timeoutMs, result };
    this.running = mine;
    const done = () => {
      if (this.running === mine) this.running = null;
    };
    result.then(done, done);
    return { result };
  }
}
