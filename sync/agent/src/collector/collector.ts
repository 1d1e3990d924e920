import type { MeterConfig } from '@meterit/shared';
import { unitSymbol } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import type { Clock } from '../clock.js';
import { MeterErrorCode } from '../meters/protocol.js';
import type { PointResult } from '../meters/protocol.js';
import type { MeterProtocols } from '../meters/registry.js';
import type { NewReading, QueueRepository } from '../queue/queue-repository.js';
import type { MeterStatusRepository, PointOutcome } from './meter-status-repository.js';

export interface MeterPollResult {
  meterExternalId: string;
  ok: boolean;
  stored: number;
  failedPoints: number;
  responseMs: number;
  errorCode?: string;
}

/** A poll in which none of the meter's points was stored. */
function failedPollResult(meter: MeterConfig, responseMs: number, errorCode: string): MeterPollResult {
  return {
    meterExternalId: meter.id,
    ok: false,
    stored: 0,
    failedPoints: meter.data_points.length,
    responseMs,
    errorCode,
  };
}

/** What the collector has done since the process started (the metrics' counters read these). */
export interface CollectionTotals {
  /** Meter polls that stored at least one reading / that stored none. */
  pollsOk: number;
  pollsFailed: number;
  /** Data points read and queued / not (timeouts, errors, and points held in memory while the local database refused them). */
  pointsRead: number;
  pointsFailed: number;
}

export interface CollectorDeps {
  /** Each meter is read with the protocol it names (the registry); the collector never knows which. */
  protocols: Pick<MeterProtocols, 'readMeter'>;
  /** Where readings go: the queue, through its storage-limit guard. */
  queue: Pick<QueueRepository, 'enqueue'>;
  status: MeterStatusRepository;
  logger: Logger;
  clock: Clock;
  intervalMs: number;
  /** Readings kept in memory while the local database does not answer (default 200,000). */
  maxPendingReadings?: number;
}

/**
 * The one owner of polling: every interval it reads each meter in parallel, stores what was
 * read in the local queue, and maps errors to per-meter status. A meter whose previous read is
 * still running is skipped for this tick, so a slow or dead meter never delays the others.
 */
export class Collector {
  private meters: MeterConfig[] = [];
  private timer: unknown = null;
  private running = false;
  private readonly inFlight = new Map<string, Promise<MeterPollResult>>();
  private lastCycleAt: Date | null = null;
  private pending: NewReading[] = [];
  private storing: Promise<unknown> = Promise.resolve();
  private droppedFromMemory = 0;
  /** The unit each meter's point last came with from the device, to log when it changes. */
  private readonly deviceUnits = new Map<string, string | null>();
  private readonly maxPending: number;
  readonly totals: CollectionTotals = { pollsOk: 0, pollsFailed: 0, pointsRead: 0, pointsFailed: 0 };

  constructor(private readonly deps: CollectorDeps) {
    this.maxPending = deps.maxPendingReadings ?? 200_000;
  }

  get collecting(): boolean {
    return this.running;
  }

  get lastCycle(): Date | null {
    return this.lastCycleAt;
  }

  setMeters(meters: MeterConfig[]): void {
    this.meters = meters.filter((m) => m.is_active !== false);
  }

  getMeters(): MeterConfig[] {
    return this.meters;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.logger.info('collection started', { meters: this.meters.length, intervalMs: this.deps.intervalMs });
    this.schedule();
  }

  /** Stop scheduling new polls; reads in flight finish and are stored. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight.values()]);
    await this.storing;
    if (this.pending.length > 0) {
      this.deps.logger.error('stopping with readings the local database never took', { readings: this.pending.length });
    }
    this.deps.logger.info('collection stopped');
  }

  /** Next tick on the interval grid, so every meter's timestamps are aligned and unique. */
  private schedule(): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    const interval = this.deps.intervalMs;
    const next = Math.floor(now / interval) * interval + interval;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      void this.pollAll(new Date(next));
      this.schedule();
    }, next - now);
  }

  /** Readings read while the local database did not answer (restart, disk trouble), oldest first. */
  get waitingInMemory(): number {
    return this.pending.length;
  }

  /**
   * Store readings, after any that wait in memory, one store at a time. The queue ignores a
   * reading it already has, so retrying a set that may have gone in is safe.
   */
  private store(readings: NewReading[]): Promise<number> {
    const run = async (): Promise<number> => {
      const batch = this.pending.length > 0 ? [...this.pending, ...readings] : readings;
      try {
        const stored = await this.deps.queue.enqueue(batch);
        if (this.pending.length > 0)
          this.deps.logger.info('readings kept in memory are now in the local queue', {
            readings: this.pending.length,
          });
        this.pending = [];
        return stored;
      } catch (err) {
        this.keep(readings);
        throw err;
      }
    };
    const p = this.storing.then(run, run);
    this.storing = p.catch(() => undefined);
    return p;
  }

  private keep(readings: NewReading[]): void {
    this.pending.push(...readings);
    const over = this.pending.length - this.maxPending;
    if (over > 0) {
      this.pending.splice(0, over);
      this.droppedFromMemory += over;
      this.deps.logger.error('the local database has not answered for long: oldest readings kept in memory dropped', {
        dropped: over,
        droppedTotal: this.droppedFromMemory,
        limit: this.maxPending,
      });
    }
  }

  /** Poll every meter once for the tick `at`; resolves when all started polls have finished. */
  async pollAll(at: Date = new Date(this.deps.clock.now())): Promise<MeterPollResult[]> {
    this.lastCycleAt = at;
    // Readings waiting in memory go in even when no meter answers this tick.
    if (this.pending.length > 0) void this.store([]).catch(() => undefined);
    const polls: Promise<MeterPollResult>[] = [];
    for (const meter of this.meters) {
      if (this.inFlight.has(meter.id)) {
        this.deps.logger.debug('meter still busy with the previous poll; skipping this tick', { meter: meter.id });
        continue;
      }
      const p = this.pollMeter(meter, at)
        .then((r) => this.count(r, meter.data_points.length))
        .finally(() => this.inFlight.delete(meter.id));
      this.inFlight.set(meter.id, p);
      polls.push(p);
    }
    return Promise.all(polls);
  }

  private count(r: MeterPollResult, points: number): MeterPollResult {
    if (r.ok) this.totals.pollsOk += 1;
    else this.totals.pollsFailed += 1;
    this.totals.pointsFailed += r.failedPoints;
    this.totals.pointsRead += points - r.failedPoints;
    return r;
  }

  /** A device that restarted with other units: say so, naming the meter, point, old and new unit. */
  private noteUnits(meterId: string, point: string, unit: string | null): void {
    const key = `${meterId}\u0000${point}`;
    const before = this.deviceUnits.get(key);
    this.deviceUnits.set(key, unit);
    if (before !== undefined && before !== unit) {
      this.deps.logger.warn('a data point changed its unit', {
        meter: meterId,
        point,
        old_unit: before,
        new_unit: unit,
      });
    }
  }

  /** A poll that stored nothing because the meter did not answer right: logged, every point failed. */
  private failedPoll(meter: MeterConfig, responseMs: number, err: { code: string; message: string }): MeterPollResult {
    this.deps.logger.warn('meter read failed', {
      meter: meter.id,
      code: err.code,
      error: err.message,
      response_ms: responseMs,
    });
    return failedPollResult(meter, responseMs, err.code);
  }

  private async pollMeter(meter: MeterConfig, at: Date): Promise<MeterPollResult> {
    const log = this.deps.logger;
    const started = this.deps.clock.now();
    let results: PointResult[];
    try {
      results = await this.deps.protocols.readMeter(meter);
    } catch (err) {
      // A protocol reports per point; a throw here is unexpected, but must not stop the loop.
      results = meter.data_points.map(() => ({
        ok: false as const,
        code: MeterErrorCode.METER_ERROR,
        message: (err as Error).message,
      }));
    }
    const responseMs = this.deps.clock.now() - started;
    const readings: NewReading[] = [];
    let firstError: { code: string; message: string } | undefined;
    const outcomes: PointOutcome[] = [];
    // Another device answers at the meter's address: nothing it says is filed under this meter.
    const wrong = results.find((r) => !r.ok && r.code === MeterErrorCode.WRONG_DEVICE);
    if (wrong && !wrong.ok) {
      try {
        await this.deps.status.recordWrongDevice(meter.id, at, {
          code: wrong.code,
          message: wrong.message,
          expectedDeviceId: wrong.expectedDeviceId ?? meter.bacnet_device_id,
          foundDeviceId: wrong.foundDeviceId ?? null,
          points: meter.data_points.length,
        });
      } catch (err) {
        log.error('could not record the meter status', { meter: meter.id, error: (err as Error).message });
      }
      return this.failedPoll(meter, responseMs, wrong);
    }
    meter.data_points.forEach((point, i) => {
      const r = results[i];
      outcomes.push(
        r?.ok
          ? { name: point.name, ok: true }
          : {
              name: point.name,
              ok: false,
              code: r?.code ?? MeterErrorCode.METER_ERROR,
              message: r?.message ?? 'no result',
            },
      );
      if (r?.ok) {
        this.noteUnits(meter.id, point.name, unitSymbol(r.units));
        readings.push({
          meterExternalId: meter.id,
          dataPoint: point.name,
          ts: at,
          value: r.value,
          // The device's own unit, as last read (it is read again after a restart): what the value means now.
          unit: unitSymbol(r.units) ?? point.unit ?? null,
          quality: r.quality,
        });
      } else if (!firstError) {
        firstError = r
          ? { code: r.code, message: `${point.name}: ${r.message}` }
          : { code: MeterErrorCode.METER_ERROR, message: `${point.name}: no result` };
      }
    });
    try {
      const stored = await this.store(readings);
      if (readings.length > 0) {
        await this.deps.status.recordSuccess(meter.id, at, responseMs, firstError, outcomes);
        return {
          meterExternalId: meter.id,
          ok: true,
          stored,
          failedPoints: meter.data_points.length - readings.length,
          responseMs,
        };
      }
      const err = firstError ?? { code: MeterErrorCode.METER_ERROR, message: 'no data points configured' };
      await this.deps.status.recordFailure(meter.id, at, err.code, err.message, outcomes);
      return this.failedPoll(meter, responseMs, err);
    } catch (err) {
      // The local database refused the write: the readings wait in memory and go in with the next store.
      log.error(
        'could not write to the local database; the readings wait in the spill file (in memory if the disk refuses too) until it answers',
        {
          meter: meter.id,
          error: (err as Error).message,
          readings: readings.length,
          waiting: this.pending.length,
        },
      );
      return failedPollResult(meter, responseMs, 'LOCAL_DB_ERROR');
    }
  }
}
