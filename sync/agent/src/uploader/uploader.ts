import { randomUUID } from 'node:crypto';
import { fullJitterBackoff, ErrorCode } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import type { ReadingsInFlight } from '../queue/in-flight.js';
import type { QueueRepository, QueuedReading } from '../queue/queue-repository.js';
import { ClientApiError, type ClientApi } from './client-api.js';

export interface SyncRunResult {
  ok: boolean;
  batches: number;
  sent: number;
  stored: number;
  duplicates: number;
  deadLettered: number;
  errorCode?: string;
  error?: string;
  startedAt: Date;
  finishedAt: Date;
}

/** What the uploader has done since the process started (the metrics' counters read these). */
export interface SyncTotals {
  runsOk: number;
  runsFailed: number;
  /** Readings the client system stored / already had / refused (moved to dead letters). */
  stored: number;
  duplicates: number;
  deadLettered: number;
}

export interface UploaderOptions {
  api: ClientApi;
  queue: QueueRepository;
  logger: Logger;
  clock: Clock;
  /** The most readings one POST carries (BATCH_SIZE); halved for the run after a 413. */
  batchSize: number;
  /** How many batches may be uploading at once (SYNC_MAX_IN_FLIGHT); 1 = strictly one after the other. */
  maxInFlight?: number;
  intervalMs: number;
  maxRetries: number;
  backoff: { baseMs: number; capMs: number };
  random?: () => number;
  /** The batches of a pass are on their way until the pass ends; the storage limit spares them (shared with the queue guard). */
  inFlight: ReadingsInFlight;
  /** After an outage, the client system hears of it (a heartbeat) before the first upload. */
  outage?: { reportIfDown(): Promise<void> };
  /** Meters only known locally are registered before any upload; a throw fails the run. */
  meters?: { ensureRegistered(): Promise<void> };
}

/**
 * Delay before the next run: the normal interval after a success; after the n-th consecutive
 * failure, full-jitter exponential backoff for the first maxRetries tries, then the normal
 * interval again. Nothing is ever dropped for having been retried.
 */
export function nextDelayMs(
  consecutiveFailures: number,
  o: Pick<UploaderOptions, 'intervalMs' | 'maxRetries' | 'backoff'>,
  random: () => number = Math.random,
): number {
  if (consecutiveFailures === 0 || consecutiveFailures > o.maxRetries) return o.intervalMs;
  const capMs = Math.min(o.backoff.capMs, o.intervalMs);
  return fullJitterBackoff(consecutiveFailures - 1, { baseMs: o.backoff.baseMs, capMs }, random);
}

interface BatchOutcome {
  stored: number;
  duplicates: number;
  deadLettered: number;
  tooLarge: boolean;
}

/** Sends the oldest unsent readings in batches; marks them synced only after a 2xx. */
export class Uploader {
  private timer: unknown = null;
  private running = false;
  private current: Promise<SyncRunResult> | null = null;
  private consecutiveFailures = 0;
  last: SyncRunResult | null = null;
  readonly totals: SyncTotals = { runsOk: 0, runsFailed: 0, stored: 0, duplicates: 0, deadLettered: 0 };
  lastSuccessAt: Date | null = null;
  nextRunAt: Date | null = null;

  constructor(private readonly o: UploaderOptions) {}

  get failures(): number {
    return this.consecutiveFailures;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleIn(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.nextRunAt = null;
    if (this.current) await this.current.catch(() => undefined);
  }

  /** Run now (after any run in progress), then continue on the normal schedule. */
  async syncNow(): Promise<SyncRunResult> {
    if (this.current) await this.current.catch(() => undefined);
    return this.run();
  }

  private scheduleIn(ms: number): void {
    if (!this.running) return;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.nextRunAt = new Date(this.o.clock.now() + ms);
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private run(): Promise<SyncRunResult> {
    if (this.current) return this.current;
    const p = this.drain().finally(() => {
      this.current = null;
    });
    this.current = p;
    return p;
  }

  private async drain(): Promise<SyncRunResult> {
    const startedAt = new Date(this.o.clock.now());
    const r: SyncRunResult = {
      ok: true,
      batches: 0,
      sent: 0,
      stored: 0,
      duplicates: 0,
      deadLettered: 0,
      startedAt,
      finishedAt: startedAt,
    };
    let size = this.o.batchSize;
    try {
      await this.o.outage?.reportIfDown();
      await this.o.meters?.ensureRegistered();
      for (;;) {
        const pass = await this.pass(size, r);
        if (pass.next === 'done') break;
        if (pass.next === 'smaller') size = pass.size;
        // After a 413 or dead letters: again from the oldest unsent reading.
      }
    } catch (err) {
      r.ok = false;
      r.errorCode = err instanceof ClientApiError ? err.code : 'LOCAL_DB_ERROR';
      r.error = (err as Error).message;
    }
    // Every batch of this run has had its answer (or its error): none is on its way any more.
    this.o.inFlight.passDone();
    r.finishedAt = new Date(this.o.clock.now());
    this.last = r;
    const t = this.totals;
    if (r.ok) t.runsOk += 1;
    else t.runsFailed += 1;
    t.stored += r.stored;
    t.duplicates += r.duplicates;
    t.deadLettered += r.deadLettered;
    if (r.ok) {
      this.consecutiveFailures = 0;
      this.lastSuccessAt = r.finishedAt;
      if (r.sent > 0) {
        this.o.logger.info('sync done', {
          sent: r.sent,
          stored: r.stored,
          duplicates: r.duplicates,
          deadLettered: r.deadLettered,
          batches: r.batches,
        });
      }
    } else {
      this.consecutiveFailures += 1;
      this.o.logger.warn('sync failed', { code: r.errorCode, error: r.error, failures: this.consecutiveFailures });
    }
    this.scheduleIn(nextDelayMs(this.consecutiveFailures, this.o, this.o.random));
    return r;
  }

  /**
   * One pass over the queue, oldest first. A single reader takes the next `size` unsent readings
   * after the last one it handed out, so two batches in flight never carry the same reading; up to
   * maxInFlight batches upload at once while the next one is read, and each batch's readings are
   * marked synced only after its own 2xx. Answers are taken in the order the batches were sent.
   * Anything but a plain 2xx (413, rejected readings, an error) stops reading; the batches already
   * in flight are let finish (their readings are marked or stay queued, each on its own answer),
   * then the pass ends: 'smaller' after a 413, 'again' after dead letters, a throw after an error.
   */
  private async pass(
    size: number,
    r: SyncRunResult,
  ): Promise<{ next: 'done' | 'again' } | { next: 'smaller'; size: number }> {
    const maxInFlight = Math.max(1, this.o.maxInFlight ?? 1);
    const sending: Array<{ readings: number; outcome: Promise<BatchOutcome> }> = [];
    let afterId = 0;
    let reading = true;
    let result: { next: 'done' | 'again' } | { next: 'smaller'; size: number } = { next: 'done' };
    let failure: { err: unknown } | null = null;
    for (;;) {
      while (reading && sending.length < maxInFlight) {
        let batch: QueuedReading[];
        try {
          batch = await this.o.inFlight.take(afterId, (after) => this.o.queue.oldestUnsent(size, after));
        } catch (err) {
          failure ??= { err };
          reading = false;
          break;
        }
        const last = batch.at(-1);
        if (!last) {
          reading = false;
          break;
        }
        afterId = last.id;
        const outcome = this.sendBatch(batch);
        outcome.catch(() => undefined); // taken in order below; not an unhandled rejection meanwhile
        sending.push({ readings: batch.length, outcome });
        // A short batch means the queue is drained up to what collection adds meanwhile.
        if (batch.length < size) reading = false;
      }
      const next = sending.shift();
      if (!next) break;
      try {
        const o = await next.outcome;
        r.batches += 1;
        r.sent += next.readings;
        r.stored += o.stored;
        r.duplicates += o.duplicates;
        r.deadLettered += o.deadLettered;
        if (o.tooLarge) {
          reading = false;
          const smaller = Math.max(1, Math.floor(next.readings / 2));
          result = { next: 'smaller', size: result.next === 'smaller' ? Math.min(result.size, smaller) : smaller };
        } else if (o.deadLettered > 0) {
          reading = false;
          if (result.next === 'done') result = { next: 'again' };
        }
      } catch (err) {
        failure ??= { err };
        reading = false;
      }
    }
    if (failure) throw failure.err;
    return result;
  }

  private async sendBatch(batch: QueuedReading[]): Promise<BatchOutcome> {
    const startedAt = new Date(this.o.clock.now());
    const batchId = randomUUID();
    const readings = batch.map(({ id: _id, ...reading }) => reading);
    const log = (e: {
      success: boolean;
      stored?: number;
      duplicates?: number;
      rejected?: number;
      errorCode?: string;
      errorMessage?: string;
      requestId?: string;
    }) =>
      this.o.queue.logSync({
        startedAt,
        finishedAt: new Date(this.o.clock.now()),
        kind: 'batch',
        batchSize: batch.length,
        stored: 0,
        duplicates: 0,
        rejected: 0,
        ...e,
      });
    let answer;
    try {
      answer = await this.o.api.postBatch({ batch_id: batchId, readings });
    } catch (err) {
      await this.o.queue.incrementRetry(batch.map((b) => b.id)).catch(() => undefined);
      const e = err as ClientApiError;
      await log({ success: false, errorCode: e.code ?? 'UNKNOWN', errorMessage: e.message }).catch(() => undefined);
      throw err;
    }
    if (answer.kind === 'too_large') {
      if (batch.length === 1) {
        const [only] = batch;
        await this.o.queue.deadLetter([
          {
            reading: only!,
            code: ErrorCode.BODY_TOO_LARGE,
            reason: 'the client system refuses even this single reading as too large',
          },
        ]);
        await log({ success: false, rejected: 1, errorCode: ErrorCode.BODY_TOO_LARGE, requestId: answer.requestId });
        return { stored: 0, duplicates: 0, deadLettered: 1, tooLarge: false };
      }
      await log({
        success: false,
        errorCode: ErrorCode.BODY_TOO_LARGE,
        errorMessage: 'batch too large; halving',
        requestId: answer.requestId,
      });
      return { stored: 0, duplicates: 0, deadLettered: 0, tooLarge: true };
    }
    const body = answer.body;
    if (answer.kind === 'rejected') {
      const items = body.rejected
        .filter((x) => Number.isInteger(x.index) && batch[x.index] !== undefined)
        .map((x) => ({ reading: batch[x.index]!, code: x.code, reason: x.reason }));
      if (items.length === 0)
        throw new ClientApiError(ErrorCode.BATCH_REJECTED, 'batch rejected without naming a reading');
      await this.o.queue.deadLetter(items);
      this.o.logger.warn('readings rejected by the client system moved to dead letters', {
        count: items.length,
        first: items[0]?.reason,
        requestId: answer.requestId,
      });
      await log({
        success: false,
        rejected: items.length,
        errorCode: ErrorCode.BATCH_REJECTED,
        errorMessage: items[0]?.reason,
        requestId: answer.requestId,
      });
      return { stored: 0, duplicates: 0, deadLettered: items.length, tooLarge: false };
    }
    if (!Array.isArray(body.results) || body.results.length !== batch.length) {
      throw new ClientApiError('BAD_ANSWER', 'the client system answered 2xx without a result for every reading');
    }
    await this.o.queue.markSynced(
      batch.map((b) => b.id),
      new Date(this.o.clock.now()),
    );
    await log({ success: true, stored: body.stored, duplicates: body.duplicates, requestId: answer.requestId });
    return { stored: body.stored, duplicates: body.duplicates, deadLettered: 0, tooLarge: false };
  }
}
