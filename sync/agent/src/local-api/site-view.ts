import type { MeterConfig } from '@meterit/shared';
import type {
  BacklogView,
  DeadLettersResponse,
  ForeignDeviceView,
  MeterView,
  MetersResponse,
  ReadingsResponse,
  SeriesResponse,
  StatusResponse,
  StorageEstimate,
  SyncLogResponse,
  SyncNowResponse,
} from '@meterit/shared/site-contracts';
import { assess, healthLevel, healthSummary } from '../health/assessment.js';
import { meterState, pointFailing, pointsFailing } from '../health/meter-state.js';
import { meterStateText, plainMeterError } from '../health/plain-words.js';
import { backlogTrend, trendWindowMs } from '../health/backlog-trend.js';
import { uplinkCause } from '../health/uplink-cause.js';
import type { SiteReadModel, SiteStatus, SyncRunResult } from '../site/ports.js';
import { StorageEstimator } from './storage.js';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const STORAGE_CACHE_MS = 30_000;

/**
 * What the technician sees: the agent's state shaped into the local API's answers, with a
 * verdict and what to do. Route handlers call this and nothing below it.
 */
export class SiteView {
  private storageCache: { at: number; value: StorageEstimate } | null = null;
  private readonly storageEstimator = new StorageEstimator();

  constructor(
    private readonly read: SiteReadModel,
    private readonly o: { controlEnabled: boolean },
  ) {}

  private now(): number {
    return this.read.now();
  }

  private backlog(q: SiteStatus['queue']): BacklogView {
    return {
      count: q.depth,
      oldest_at: iso(q.oldestUnsentAt),
      oldest_age_s: q.oldestUnsentAt ? Math.max(0, Math.round((this.now() - q.oldestUnsentAt.getTime()) / 1000)) : null,
    };
  }

  private uplink(s: SiteStatus): StatusResponse['uplink'] {
    const u = s.uplink;
    const last = s.lastSync;
    // The cause while uploads fail for the uplink's sake: down, or answered with a refusal (a 401 keeps it "up").
    const failedSync = last && !last.ok && last.errorCode && last.errorCode !== 'LOCAL_DB_ERROR' ? last : null;
    const error =
      u.up === false
        ? u.lastError
        : failedSync
          ? { code: failedSync.errorCode ?? 'UNKNOWN', message: failedSync.error ?? '' }
          : null;
    return {
      state: u.up === null ? 'unknown' : u.up ? 'up' : 'down',
      since: iso(u.up ? u.upSince : u.up === false ? u.downSince : null),
      last_ok_at: iso(u.lastOkAt),
      last_error: u.lastError
        ? { code: u.lastError.code, message: u.lastError.message, at: u.lastError.at.toISOString() }
        : null,
      cause: uplinkCause(error),
      failures_in_a_row: this.read.totals().syncFailuresInARow,
      next_attempt_at: iso(s.nextSyncAt),
    };
  }

  private backlogStatus(q: SiteStatus['queue'], syncIntervalMs: number): StatusResponse['backlog'] {
    const now = this.now();
    const windowMs = trendWindowMs(syncIntervalMs);
    const { trend, windowMs: span } = backlogTrend(this.read.backlogHistory(new Date(now - windowMs)), now, windowMs);
    return { ...this.backlog(q), trend, trend_window_s: Math.round(span / 1000) };
  }

  private collection(s: SiteStatus): StatusResponse['collection'] {
    return {
      collecting: s.collecting,
      changed_at: iso(s.collection.changedAt),
      reason: s.collection.reason,
      interval_s: s.collection.intervalSeconds,
      last_cycle_at: iso(s.collection.lastCycleAt),
    };
  }

  private async storage(
    collecting: boolean,
    meters: readonly MeterConfig[],
    backlog: number,
  ): Promise<StorageEstimate> {
    const now = this.now();
    if (
      this.storageCache &&
      now - this.storageCache.at < STORAGE_CACHE_MS &&
      this.storageCache.value.readings_per_hour > 0 === collecting
    ) {
      return this.storageCache.value;
    }
    const points = meters.reduce((n, m) => n + m.data_points.length, 0);
    const facts = this.read.facts();
    const value = await this.storageEstimator.estimate({
      dataDir: facts.dataDir,
      readingsPerHour: collecting ? (points * 3600) / facts.collectionIntervalSeconds : 0,
      footprint: () => this.read.storageFootprint(),
      queueMax: facts.queueMaxReadings,
      backlog,
      now,
    });
    this.storageCache = { at: now, value };
    return value;
  }

  async status(): Promise<StatusResponse> {
    // While the local database is down the status still answers (it says so), from what the agent last knew.
    const s = await this.read.status();
    const { meters } = await this.read.meters();
    const facts = this.read.facts();
    const counts = s.meters.counts;
    const storage = await this.storage(s.collecting, meters, s.queue.depth);
    const backlog = this.backlogStatus(s.queue, facts.syncIntervalMinutes * 60_000);
    const uplink = this.uplink(s);
    const now = this.now();
    const findings = assess({
      now,
      status: s,
      uplink,
      backlog,
      storage,
      slowMs: facts.meterSlowMs,
      syncIntervalMs: facts.syncIntervalMinutes * 60_000,
    });
    return {
      now: new Date(now).toISOString(),
      site: { id: s.site?.id ?? null, name: s.site?.name ?? null },
      agent: {
        version: facts.agentVersion,
        started_at: s.startedAt.toISOString(),
        uptime_s: Math.round((now - s.startedAt.getTime()) / 1000),
      },
      health: { level: healthLevel(findings), summary: healthSummary(findings, counts), findings },
      collection: this.collection(s),
      uplink,
      last_sync: s.lastSync
        ? {
            at: s.lastSync.at.toISOString(),
            ok: s.lastSync.ok,
            sent: s.lastSync.sent,
            stored: s.lastSync.stored,
            duplicates: s.lastSync.duplicates,
            dead_lettered: s.lastSync.deadLettered,
            error_code: s.lastSync.errorCode ?? null,
            error: s.lastSync.error ?? null,
          }
        : null,
      last_successful_sync_at: iso(s.lastSuccessfulSyncAt),
      next_sync_at: iso(s.nextSyncAt),
      backlog,
      storage,
      dead_letters: { count: s.queue.deadLetters },
      meters: counts,
      control: { enabled: this.o.controlEnabled },
      local_database: {
        state: s.localDatabase.state,
        since: s.localDatabase.since.toISOString(),
        restarts: s.localDatabase.restarts,
        last_error: s.localDatabase.lastError
          ? { message: s.localDatabase.lastError.message, at: s.localDatabase.lastError.at.toISOString() }
          : null,
        spilled_readings: s.localDatabase.spilledReadings,
        in_memory_readings: s.localDatabase.inMemory,
        torn_lines: s.localDatabase.tornLines,
      },
      foreign_device: foreignDeviceView(s.foreignDevice),
    };
  }

  async meters(): Promise<MetersResponse> {
    const { meters, statuses: rows } = await this.read.meters();
    const statuses = new Map(rows.map((m) => [m.meterExternalId, m]));
    const { meterSlowMs: slowMs, bacnetTimeoutMs } = this.read.facts();
    const now = this.now();
    const latest = await this.read.latestValues(
      meters.flatMap((m) => m.data_points.map((p) => ({ meter: m.id, point: p.name }))),
      new Date(now - 24 * 3600_000),
    );
    const values = new Map(latest.map((v) => [`${v.meterExternalId}\u0000${v.dataPoint}`, v]));
    const views: MeterView[] = meters.map((m) => {
      const st = statuses.get(m.id);
      const state = meterState(st, slowMs);
      const pointStatus = new Map((st?.points ?? []).map((p) => [p.name, p]));
      return {
        id: m.id,
        name: m.name,
        bacnet: { device_id: m.bacnet_device_id, address: m.bacnet_ip, port: m.bacnet_port ?? 47808 },
        state,
        state_text: meterStateText(state, st, now),
        last_success_at: iso(st?.lastSuccessAt),
        consecutive_failures: st?.consecutiveFailures ?? 0,
        response_ms: st?.lastResponseMs ?? null,
        points_failing: pointsFailing(state, st),
        device_check:
          state === 'wrong_device'
            ? {
                expected_device_id: st?.expectedDeviceId ?? m.bacnet_device_id,
                found_device_id: st?.foundDeviceId ?? null,
              }
            : null,
        last_error:
          st?.lastErrorCode && st.lastError
            ? {
                code: st.lastErrorCode,
                message: st.lastError,
                plain: plainMeterError(st.lastErrorCode, st.lastError, bacnetTimeoutMs),
                at: iso(st.lastErrorAt),
              }
            : null,
        points: m.data_points.map((p) => {
          const v = values.get(`${m.id}\u0000${p.name}`);
          const ps = pointStatus.get(p.name);
          const failing = pointFailing(state, ps);
          return {
            name: p.name,
            unit: v?.unit ?? p.unit ?? null,
            value: v?.value ?? null,
            at: iso(v?.ts),
            quality: v?.quality ?? null,
            last_success_at: iso(ps?.lastSuccessAt),
            error: failing
              ? {
                  code: failing.lastErrorCode,
                  message: failing.lastError,
                  plain: plainMeterError(failing.lastErrorCode, failing.lastError, bacnetTimeoutMs),
                  at: iso(failing.lastErrorAt),
                  consecutive_failures: failing.consecutiveFailures,
                }
              : null,
          };
        }),
      };
    });
    return { now: new Date(now).toISOString(), slow_threshold_ms: slowMs, meters: views };
  }

  async readings(f: {
    meter?: string | undefined;
    point?: string | undefined;
    from: Date;
    to: Date;
    limit: number;
  }): Promise<ReadingsResponse> {
    const rows = await this.read.readings({
      meter: f.meter,
      dataPoint: f.point,
      from: f.from,
      to: f.to,
      limit: f.limit,
    });
    return {
      from: f.from.toISOString(),
      to: f.to.toISOString(),
      limit: f.limit,
      truncated: rows.length > f.limit,
      readings: rows.slice(0, f.limit).map((r) => ({
        meter: r.meterExternalId,
        point: r.dataPoint,
        ts: r.ts.toISOString(),
        value: r.value,
        unit: r.unit,
        quality: r.quality,
        synced: r.synced,
      })),
    };
  }

  async series(f: {
    meter: string;
    point?: string | undefined;
    from: Date;
    to: Date;
    buckets: number;
  }): Promise<SeriesResponse> {
    const span = f.to.getTime() - f.from.getTime();
    const bucketS = Math.max(this.read.facts().collectionIntervalSeconds, Math.ceil(span / 1000 / f.buckets));
    const rows = await this.read.series(f.meter, f.from, f.to, bucketS, f.point);
    const series: SeriesResponse['series'] = [];
    for (const r of rows) {
      let s = series[series.length - 1];
      if (!s || s.point !== r.dataPoint) {
        s = { point: r.dataPoint, unit: r.unit, buckets: [] };
        series.push(s);
      }
      s.buckets.push({ t: r.t.toISOString(), avg: r.avg, min: r.min, max: r.max, count: r.count });
    }
    return { meter: f.meter, from: f.from.toISOString(), to: f.to.toISOString(), bucket_s: bucketS, series };
  }

  async syncLog(limit: number, failuresOnly: boolean): Promise<SyncLogResponse> {
    const rows = await this.read.syncLog(limit, { failuresOnly });
    return {
      entries: rows.map((r) => ({
        id: r.id,
        started_at: r.startedAt.toISOString(),
        finished_at: r.finishedAt.toISOString(),
        kind: r.kind,
        batch_size: r.batchSize,
        stored: r.stored,
        duplicates: r.duplicates,
        rejected: r.rejected,
        success: r.success,
        error_code: r.errorCode ?? null,
        error_message: r.errorMessage ?? null,
        request_id: r.requestId ?? null,
      })),
    };
  }

  async deadLetters(limit: number): Promise<DeadLettersResponse> {
    const [rows, stats] = await Promise.all([this.read.deadLetters(limit), this.read.backlog()]);
    return {
      count: stats.deadLetters,
      dead_letters: rows.map((d) => ({
        id: d.id,
        meter: d.meterExternalId,
        point: d.dataPoint,
        ts: d.ts.toISOString(),
        value: d.value,
        unit: d.unit,
        code: d.code,
        reason: d.reason,
        created_at: d.createdAt.toISOString(),
      })),
    };
  }

  async collectionState(): Promise<StatusResponse['collection']> {
    return this.collection(await this.read.status());
  }

  async afterSync(r: SyncRunResult): Promise<SyncNowResponse> {
    const s = await this.read.status();
    return {
      result: {
        ok: r.ok,
        batches: r.batches,
        sent: r.sent,
        stored: r.stored,
        duplicates: r.duplicates,
        dead_lettered: r.deadLettered,
        error_code: r.errorCode ?? null,
        error: r.error ?? null,
        started_at: r.startedAt.toISOString(),
        finished_at: r.finishedAt.toISOString(),
        duration_ms: r.finishedAt.getTime() - r.startedAt.getTime(),
      },
      backlog: this.backlog(s.queue),
      uplink: this.uplink(s),
    };
  }

  async backlogNow(): Promise<BacklogView> {
    return this.backlog(await this.read.backlog());
  }
}

/** The registration with the BBMD as the local API, the dashboard and MCP show it. */
export function foreignDeviceView(f: SiteStatus['foreignDevice']): ForeignDeviceView | null {
  if (!f) return null;
  return {
    bbmd: f.bbmd,
    state: f.lastError !== null ? 'failing' : f.registered ? 'registered' : 'pending',
    registered: f.registered,
    ttl_s: f.ttlSeconds,
    last_registered_at: iso(f.lastRegisteredAt),
    last_attempt_at: iso(f.lastAttemptAt),
    last_error: f.lastError,
  };
}
