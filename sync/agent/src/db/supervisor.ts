import type { Knex } from 'knex';
import type { EmbeddedPostgresHandle, Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';

/** `up`: answers; `restarting`: the agent is bringing it back; `down`: it could not (or, for a configured database, it does not answer). */
export type LocalDatabaseState = 'up' | 'restarting' | 'down';

export interface LocalDatabaseStatus {
  state: LocalDatabaseState;
  since: Date;
  /** Times the agent restarted its embedded server since it started. */
  restarts: number;
  lastError: { message: string; at: Date } | null;
  /** Whether the agent runs the server itself (and can restart it). */
  embedded: boolean;
}

export interface LocalDatabaseSupervisorOptions {
  knex: Knex;
  /** The embedded server, when the agent runs one; a configured database is only watched. */
  embedded?: EmbeddedPostgresHandle | undefined;
  logger: Logger;
  clock: Clock;
  /** How often to check that the database answers. */
  probeMs: number;
  /** Restart attempts wait base·2^n, at most cap. */
  backoff: { baseMs: number; capMs: number };
  /** Failed restart attempts after which the state is `down` (and an error is logged); attempts go on at the cap. */
  attemptsBeforeDown: number;
}

/**
 * Watches the site's PostgreSQL: the embedded server's exit event (a killed or crashed
 * postmaster) and a periodic `SELECT 1` (or a write the collector saw fail). When the embedded
 * server is gone it is started again with capped exponential backoff, each attempt logged; after
 * `attemptsBeforeDown` failures the state turns `down` and an error is logged, and the attempts
 * go on. Listeners hear when the database answers again (the spill file is replayed then).
 */
export class LocalDatabaseSupervisor {
  private s: LocalDatabaseStatus;
  private timer: unknown = null;
  private stopped = false;
  private recovering: Promise<void> | null = null;
  private probing: Promise<boolean> | null = null;
  private readonly upListeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  /** Ends the wait between two restart attempts early (at stop). */
  private wake: (() => void) | null = null;

  constructor(private readonly o: LocalDatabaseSupervisorOptions) {
    this.s = {
      state: 'up',
      since: new Date(o.clock.now()),
      restarts: 0,
      lastError: null,
      embedded: Boolean(o.embedded),
    };
  }

  get status(): LocalDatabaseStatus {
    return { ...this.s, lastError: this.s.lastError ? { ...this.s.lastError } : null };
  }

  get up(): boolean {
    return this.s.state === 'up';
  }

  /** Called whenever the database answers again after it did not. */
  onUp(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  start(): void {
    this.unsubscribe =
      this.o.embedded?.onExit((exit) => {
        this.fail(`the embedded PostgreSQL exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`})`);
        this.recover();
      }) ?? null;
    this.schedule(this.o.probeMs);
  }

  /** A query failed: check now whether the database is still there. */
  reportFailure(err: Error): void {
    if (this.stopped || this.recovering) return;
    void this.probe().then((ok) => {
      if (!ok) this.fail(err.message);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
    await this.recovering?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.tick().finally(() => this.schedule(this.o.probeMs));
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.recovering) return;
    const ok = await this.probe();
    if (ok) return;
    // A reused server (started by an earlier, killed agent) sends no exit event: its pid tells.
    if (this.o.embedded && this.o.embedded.pid() === null) this.recover();
  }

  /** One `SELECT 1` at a time; marks the state up or records the error (a configured database is then `down`). */
  private probe(): Promise<boolean> {
    this.probing ??= (async () => {
      try {
        await this.o.knex.raw('SELECT 1').timeout(Math.max(1000, this.o.probeMs), { cancel: false });
        this.markUp();
        return true;
      } catch (err) {
        this.fail((err as Error).message);
        return false;
      } finally {
        this.probing = null;
      }
    })();
    return this.probing;
  }

  private fail(message: string): void {
    const now = new Date(this.o.clock.now());
    this.s.lastError = { message, at: now };
    if (this.s.state === 'up') {
      // The embedded server gets restarted; a configured one can only be waited for.
      this.s.state = this.o.embedded ? 'restarting' : 'down';
      this.s.since = now;
      const log = this.o.embedded ? this.o.logger.warn.bind(this.o.logger) : this.o.logger.error.bind(this.o.logger);
      log('the local database does not answer', { error: message, embedded: Boolean(this.o.embedded) });
    }
  }

  private markUp(): void {
    if (this.s.state === 'up') return;
    const downMs = this.o.clock.now() - this.s.since.getTime();
    this.s.state = 'up';
    this.s.since = new Date(this.o.clock.now());
    this.o.logger.info('the local database answers again', { downMs, restarts: this.s.restarts });
    for (const l of this.upListeners) l();
  }

  /** Start the embedded server again, with capped backoff, until it answers or the agent stops. */
  private recover(): void {
    const server = this.o.embedded;
    if (!server || this.recovering || this.stopped) return;
    this.recovering = (async () => {
      for (let attempt = 0; !this.stopped; attempt += 1) {
        const delay =
          attempt === 0 ? 0 : Math.min(this.o.backoff.capMs, this.o.backoff.baseMs * 2 ** Math.min(attempt - 1, 30));
        if (delay > 0) {
          await new Promise<void>((resolve) => {
            const t = this.o.clock.setTimeout(resolve, delay);
            this.wake = () => {
              this.o.clock.clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
        if (this.stopped) return;
        try {
          if (server.pid() === null) {
            await server.restart();
            this.s.restarts += 1;
            this.o.logger.info('restarted the embedded PostgreSQL', {
              attempt: attempt + 1,
              restarts: this.s.restarts,
              pid: server.pid(),
            });
          }
          // Answering is what counts; pooled connections to the dead server are replaced on use.
          if (await this.probe()) return;
          throw new Error(this.s.lastError?.message ?? 'the embedded PostgreSQL does not answer yet');
        } catch (err) {
          this.fail((err as Error).message);
          const next = Math.min(this.o.backoff.capMs, this.o.backoff.baseMs * 2 ** Math.min(attempt, 30));
          if (attempt + 1 >= this.o.attemptsBeforeDown && this.s.state !== 'down') {
            this.s.state = 'down';
            this.s.since = new Date(this.o.clock.now());
            this.o.logger.error(
              'the local database cannot be restarted: readings go to the spill file on disk until it is back; check the disk and the agent log',
              {
                attempts: attempt + 1,
                error: (err as Error).message,
                retryInMs: next,
              },
            );
          } else {
            this.o.logger.warn('restarting the embedded PostgreSQL failed; trying again', {
              attempt: attempt + 1,
              error: (err as Error).message,
              retryInMs: next,
            });
          }
        }
      }
    })().finally(() => {
      this.recovering = null;
    });
  }
}
