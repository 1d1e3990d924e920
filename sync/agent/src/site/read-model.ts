import type { MeterConfig } from '@meterit/shared';
import type { Clock } from '../clock.js';
import { tallyMeters } from '../health/meter-state.js';
import type { QueueFullPolicy, QueueLimitCounters } from '../queue/queue-guard.js';
import type { QueueRepository } from '../queue/queue-repository.js';
import type { LocalReadingsRepository } from '../queue/local-readings-repository.js';
import type { Uploader } from '../uploader/uploader.js';
import type {
  CollectionState,
  CollectionTotals,
  ForeignDeviceStatus,
  MeterStatus,
  QueueStats,
  SiteFacts,
  SiteReadModel,
  SiteStatus,
  UplinkState,
} from './ports.js';
import type { LocalDatabaseStatus } from '../db/supervisor.js';
import type { BacklogHistory } from './backlog-history.js';
import type { BacklogSample } from '../health/backlog-trend.js';

/** The running parts the read model reads; the runtime hands them over. */
export interface ReadModelParts {
  facts: SiteFacts;
  queuePolicy: QueueFullPolicy;
  clock: Clock;
  startedAt: Date;
  queue: Pick<QueueRepository, 'stats' | 'lastSuccessfulSyncAt' | 'syncLog' | 'deadLetters' | 'databaseAnswers'>;
  readings: Pick<LocalReadingsRepository, 'list' | 'latest' | 'series' | 'footprint'>;
  meterStatus: { list(): Promise<MeterStatus[]> };
  queueLimit: { getCounters(): Promise<QueueLimitCounters> };
  poller: {
    getMeters(): MeterConfig[];
    readonly collecting: boolean;
    readonly lastCycle: Date | null;
    readonly waitingInMemory: number;
    readonly totals: CollectionTotals;
  };
  uploader: Pick<Uploader, 'last' | 'lastSuccessAt' | 'nextRunAt' | 'totals' | 'failures'>;
  uplink: () => UplinkState;
  database: { readonly up: boolean; readonly status: LocalDatabaseStatus };
  spill: { readonly spilled: number; readonly tornLines: number };
  collection: () => CollectionState | null;
  /** The queue's depth over the day (the read model adds a sample whenever it reads the queue). */
  backlogHistory: Pick<BacklogHistory, 'record' | 'since'>;
  site: () => { id: number; name: string } | null;
  clockOffsetMs: () => number | null;
  foreignDevice: () => ForeignDeviceStatus | null;
}

/** The site's read port over the running parts. While the local database is down, it answers with the last figures it read. */
export class RuntimeReadModel implements SiteReadModel {
  private readonly lastKnown: {
    queue: QueueStats;
    statuses: MeterStatus[];
    lastSyncAt: Date | null;
  } = { queue: { depth: 0, oldestUnsentAt: null, deadLetters: 0 }, statuses: [], lastSyncAt: null };

  constructor(private readonly p: ReadModelParts) {}

  private async orLast<T>(read: Promise<T>, last: () => T, keep: (v: T) => void): Promise<T> {
    try {
      const v = await read;
      keep(v);
      return v;
    } catch (err) {
      if (this.p.database.up) throw err;
      return last();
    }
  }

  now(): number {
    return this.p.clock.now();
  }

  facts(): SiteFacts {
    return this.p.facts;
  }

  async meters(): Promise<{ meters: readonly MeterConfig[]; statuses: MeterStatus[] }> {
    const statuses = await this.orLast(
      this.p.meterStatus.list(),
      () => this.lastKnown.statuses,
      (v) => (this.lastKnown.statuses = v),
    );
    return { meters: this.p.poller.getMeters(), statuses };
  }

  async status(): Promise<SiteStatus> {
    const p = this.p;
    const queue = await this.orLast(
      p.queue.stats(),
      () => this.lastKnown.queue,
      (v) => (this.lastKnown.queue = v),
    );
    p.backlogHistory.record(p.clock.now(), queue.depth);
    const { meters, statuses } = await this.meters();
    const last = p.uploader.last;
    const collection = p.collection();
    return {
      site: p.site(),
      collecting: p.poller.collecting,
      collection: {
        changedAt: collection ? new Date(collection.changedAt) : null,
        reason: collection?.reason ?? null,
        lastCycleAt: p.poller.lastCycle,
        intervalSeconds: p.facts.collectionIntervalSeconds,
      },
      uplink: { ...p.uplink() },
      lastSync: last
        ? {
            at: last.finishedAt,
            ok: last.ok,
            sent: last.sent,
            stored: last.stored,
            duplicates: last.duplicates,
            deadLettered: last.deadLettered,
            error: last.error,
            errorCode: last.errorCode,
          }
        : null,
      // After a restart the uploader remembers nothing yet; the sync log does.
      lastSuccessfulSyncAt:
        p.uploader.lastSuccessAt ??
        (await this.orLast(
          p.queue.lastSuccessfulSyncAt(),
          () => this.lastKnown.lastSyncAt,
          (v) => (this.lastKnown.lastSyncAt = v),
        )),
      nextSyncAt: p.uploader.nextRunAt,
      queue,
      queueLimit: {
        max: p.facts.queueMaxReadings,
        policy: p.queuePolicy,
        ...(await this.orLast(
          p.queueLimit.getCounters(),
          () => ({ dropped: 0, refused: 0, fullSince: null }),
          () => undefined,
        )),
      },
      meters: tallyMeters(meters, statuses, p.facts.meterSlowMs),
      clockOffsetMs: p.clockOffsetMs(),
      startedAt: p.startedAt,
      localDatabase: {
        ...p.database.status,
        spilledReadings: p.spill.spilled,
        tornLines: p.spill.tornLines,
        inMemory: p.poller.waitingInMemory,
      },
      foreignDevice: p.foreignDevice(),
    };
  }

  latestValues(points: Array<{ meter: string; point: string }>, since: Date) {
    return this.p.readings.latest(points, since);
  }

  readings(f: Parameters<SiteReadModel['readings']>[0]) {
    return this.p.readings.list(f);
  }

  series(meter: string, from: Date, to: Date, bucketSeconds: number, point?: string) {
    return this.p.readings.series(meter, from, to, bucketSeconds, point);
  }

  syncLog(limit: number, opts: { failuresOnly: boolean }) {
    return this.p.queue.syncLog(limit, opts);
  }

  deadLetters(limit: number) {
    return this.p.queue.deadLetters(limit);
  }

  backlog(): Promise<QueueStats> {
    return this.p.queue.stats();
  }

  backlogHistory(since: Date): BacklogSample[] {
    return this.p.backlogHistory.since(since.getTime());
  }

  async storageFootprint(): Promise<{ bytes: number; rows: number }> {
    return this.p.readings.footprint().catch((err: unknown) => {
      if (this.p.database.up) throw err;
      return { bytes: 0, rows: 0 };
    });
  }

  totals() {
    return {
      collection: this.p.poller.totals,
      sync: this.p.uploader.totals,
      syncFailuresInARow: this.p.uploader.failures,
    };
  }

  databaseAnswers(timeoutMs: number): Promise<void> {
    return this.p.queue.databaseAnswers(timeoutMs);
  }
}
