import type { Logger } from '@meterit/shared/node';
import type { BacklogSample } from '../health/backlog-trend.js';

const DAY_MS = 24 * 3600_000;
const MAX_SAMPLES = 2000;
const SAVE_EVERY_MS = 5 * 60_000;
const STATE_KEY = 'backlog_history';

/** Small named values kept across restarts (agent_state). */
export interface StateStore {
  get<T>(key: string): Promise<T | null>;
  set<T>(key: string, value: T): Promise<void>;
}

/**
 * The upload queue's depth over the last 24 hours, as the agent sampled it: whenever the read model reads the queue
 * (the heartbeat does every HEARTBEAT_INTERVAL_SECONDS, the dashboard every few seconds), at most one sample per
 * `spacingMs`. Sampled rather than counted back from the queue: dead-lettered and dropped readings leave the queue
 * table, so only a sample shows what waited at the time; and it costs one row per minute, not a scan of every reading
 * of the day. Kept in memory, saved to agent_state every few minutes so a restart keeps the day.
 */
export class BacklogHistory {
  private samples: BacklogSample[] = [];
  private savedAt = 0;
  private saving: Promise<void> | null = null;

  constructor(private readonly o: { spacingMs: number; store: StateStore; logger: Logger }) {}

  get spacingMs(): number {
    return this.o.spacingMs;
  }

  /** What an earlier run saved; a missing or damaged entry is an empty history. */
  async load(now: number): Promise<void> {
    const saved = await this.o.store.get<unknown>(STATE_KEY).catch(() => null);
    if (!Array.isArray(saved)) return;
    const valid = saved.filter(
      (s): s is [number, number] =>
        Array.isArray(s) && Number.isFinite(s[0]) && Number.isFinite(s[1]) && s[0] > now - DAY_MS && s[0] <= now,
    );
    this.samples = valid.map(([at, count]) => ({ at, count }));
  }

  /** The depth as read at `at`; ignored within `spacingMs` of the last sample. */
  record(at: number, count: number): void {
    const last = this.samples.at(-1);
    if (last && at - last.at < this.o.spacingMs) return;
    this.samples.push({ at, count });
    const cutoff = at - DAY_MS;
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop]!.at < cutoff || this.samples.length - drop > MAX_SAMPLES))
      drop += 1;
    if (drop > 0) this.samples = this.samples.slice(drop);
    if (at - this.savedAt >= SAVE_EVERY_MS) this.save(at);
  }

  /** Samples from `since` on, oldest first. */
  since(since: number): BacklogSample[] {
    return this.samples.filter((s) => s.at >= since);
  }

  private save(at: number): void {
    if (this.saving) return;
    this.savedAt = at;
    this.saving = this.o.store
      .set(
        STATE_KEY,
        this.samples.map((s) => [s.at, s.count]),
      )
      .catch((err: Error) => {
        this.o.logger.debug('backlog history not saved', { error: err.message });
      })
      .finally(() => {
        this.saving = null;
      });
  }

  /** Save now (on stop). */
  async flush(now: number): Promise<void> {
    if (this.saving) await this.saving;
    this.savedAt = 0;
    this.save(now);
    await this.saving;
  }
}
