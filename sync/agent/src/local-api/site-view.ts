import type { MeterConfig } from '@meterit/shared';
import type { Agent, AgentStatus } from '../agent.js';
import type { MeterStatus } from '../collector/meter-status-repository.js';
import type { SyncRunResult } from '../uploader/uploader.js';
import type {
  DeadLettersResponse,
  Finding,
  ForeignDeviceView,
  HealthLevel,
  MeterState,
  MeterView,
  MetersResponse,
  ReadingsResponse,
  SeriesResponse,
  StatusResponse,
  StorageEstimate,
  SyncLogResponse,
  SyncNowResponse,
} from '@meterit/shared/site-contracts';
import { plainMeterError, plainUplinkError } from './plain-words.js';
import { StorageEstimator } from './storage.js';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const STORAGE_CACHE_MS = 30_000;

/** A duration in words: "45 s", "12 min", "3 h 5 min", "2 days 4 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} days${h % 24 ? ` ${h % 24} h` : ''}`;
}

export function meterState(s: MeterStatus | undefined, slowMs: number): MeterState {
  if (s?.state === 'wrong_device') return 'wrong_device';
  if (!s?.lastSuccessAt) return 'never_answered';
  if (s.consecutiveFailures > 0) return 'failing';
  if (s.pointsFailing > 0) return 'degraded';
  if (s.lastResponseMs !== null && s.lastResponseMs >= slowMs) return 'slow';
  return 'ok';
}

export interface SiteViewOptions {
  slowMs: number;
  dataDir: string;
  bacnetTimeoutMs: number;
  controlEnabled: boolean;
}

/**
 * What the technician sees: the agent's state shaped into the local API's answers, with a
 * verdict and what to do. Route handlers call this and nothing below it.
 */
export class SiteView {
  private storageCache: { at: number; value: StorageEstimate } | null = null;
  private readonly storageEstimator = new StorageEstimator();

  constructor(
    private readonly agent: Agent,
    private readonly o: SiteViewOptions,
  ) {}

  private now(): number {
    return this.agent.clock.now();
  }

  private backlog(q: AgentStatus['queue']): StatusResponse['backlog'] {
    return {
      count: q.depth,
      oldest_at: iso(q.oldestUnsentAt),
      oldest_age_s: q.oldestUnsentAt ? Math.max(0, Math.round((this.now() - q.oldestUnsentAt.getTime()) / 1000)) : null,
    };
  }

  private uplink(u: AgentStatus['uplink']): StatusResponse['uplink'] {
    return {
      state: u.up === null ? 'unknown' : u.up ? 'up' : 'down',
      since: iso(u.up ? u.upSince : u.up === false ? u.downSince : null),
      last_ok_at: iso(u.lastOkAt),
      last_error: u.lastError
        ? { code: u.lastError.code, message: u.lastError.message, at: u.lastError.at.toISOString() }
        : null,
    };
  }

  private collection(s: AgentStatus): StatusResponse['collection'] {
    return {
      collecting: s.collecting,
      changed_at: iso(s.collection.changedAt),
      reason: s.collection.reason,
      interval_s: s.collection.intervalSeconds,
      last_cycle_at: iso(s.collection.lastCycleAt),
    };
  }

  private async storage(collecting: boolean, meters: MeterConfig[], backlog: number): Promise<StorageEstimate> {
    const now = this.now();
    if (
      this.storageCache &&
      now - this.storageCache.at < STORAGE_CACHE_MS &&
      this.storageCache.value.readings_per_hour > 0 === collecting
    ) {
      return this.storageCache.value;
    }
    const points = meters.reduce((n, m) => n + m.data_points.length, 0);
    const value = await this.storageEstimator.estimate({
      dataDir: this.o.dataDir,
      readingsPerHour: collecting ? (points * 3600) / this.agent.config.COLLECTION_INTERVAL_SECONDS : 0,
      footprint: () =>
        this.agent.readings
          .footprint()
          .catch((err: unknown) => (this.agent.localDatabase.up ? Promise.reject(err) : { bytes: 0, rows: 0 })),
      queueMax: this.agent.config.QUEUE_MAX_READINGS,
      backlog,
      now,
    });
    this.storageCache = { at: now, value };
    return value;
  }

  async status(): Promise<StatusResponse> {
    const s = await this.agent.status();
    const meters = this.agent.collector.getMeters();
    // While the local database is down the status still answers (it says so), from what the agent knows.
    const statusRows = await this.agent.meterStatus
      .list()
      .catch((err: unknown) => (this.agent.localDatabase.up ? Promise.reject(err) : []));
    const statuses = new Map(statusRows.map((m) => [m.meterExternalId, m]));
    const counts = {
      configured: meters.length,
      ok: 0,
      slow: 0,
      failing: 0,
      never_answered: 0,
      degraded: 0,
      wrong_device: 0,
    };
    const byState: Record<MeterState, string[]> = {
      ok: [],
      slow: [],
      failing: [],
      never_answered: [],
      degraded: [],
      wrong_device: [],
    };
    for (const m of meters) {
      const st = meterState(statuses.get(m.id), this.o.slowMs);
      counts[st] += 1;
      byState[st].push(m.name);
    }
    const storage = await this.storage(s.collecting, meters, s.queue.depth);
    const backlog = this.backlog(s.queue);
    const uplink = this.uplink(s.uplink);
    const now = this.now();
    const findings = assess({
      now,
      status: s,
      uplink,
      backlog,
      storage,
      byState,
      slowMs: this.o.slowMs,
      syncIntervalMs: this.agent.config.SYNC_INTERVAL_MINUTES * 60_000,
    });
    const level: HealthLevel = findings.some((f) => f.level === 'problem')
      ? 'problem'
      : findings.length > 0
        ? 'attention'
        : 'ok';
    return {
      now: new Date(now).toISOString(),
      agent: {
        version: this.agent.config.AGENT_VERSION,
        started_at: s.startedAt.toISOString(),
        uptime_s: Math.round((now - s.startedAt.getTime()) / 1000),
      },
      health: {
        level,
        summary:
          findings[0]?.message ??
          `All good: collecting from ${counts.ok} of ${counts.configured} meters, and the client system receives the data.`,
        findings,
      },
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
    const meters = this.agent.collector.getMeters();
    const statuses = new Map((await this.agent.meterStatus.list()).map((m) => [m.meterExternalId, m]));
    const now = this.now();
    const latest = await this.agent.readings.latest(
      meters.flatMap((m) => m.data_points.map((p) => ({ meter: m.id, point: p.name }))),
      new Date(now - 24 * 3600_000),
    );
    const values = new Map(latest.map((v) => [`${v.meterExternalId}\u0000${v.dataPoint}`, v]));
    const views: MeterView[] = meters.map((m) => {
      const st = statuses.get(m.id);
      const state = meterState(st, this.o.slowMs);
      const pointStatus = new Map((st?.points ?? []).map((p) => [p.name, p]));
      return {
        id: m.id,
        name: m.name,
        bacnet: { device_id: m.bacnet_device_id, address: m.bacnet_ip, port: m.bacnet_port ?? 47808 },
        state,
        state_text: stateText(state, st, now),
        last_success_at: iso(st?.lastSuccessAt),
        consecutive_failures: st?.consecutiveFailures ?? 0,
        response_ms: st?.lastResponseMs ?? null,
        points_failing:
          state === 'wrong_device' || state === 'degraded' || state === 'failing' ? (st?.pointsFailing ?? 0) : 0,
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
                plain: plainMeterError(st.lastErrorCode, st.lastError, this.o.bacnetTimeoutMs),
                at: iso(st.lastErrorAt),
              }
            : null,
        points: m.data_points.map((p) => {
          const v = values.get(`${m.id}\u0000${p.name}`);
          const ps = pointStatus.get(p.name);
          const failing =
            state !== 'wrong_device' && ps && ps.consecutiveFailures > 0 && ps.lastErrorCode && ps.lastError;
          return {
            name: p.name,
            unit: v?.unit ?? p.unit ?? null,
            value: v?.value ?? null,
            at: iso(v?.ts),
            quality: v?.quality ?? null,
            last_success_at: iso(ps?.lastSuccessAt),
            error: failing
              ? {
                  code: ps.lastErrorCode as string,
                  message: ps.lastError as string,
                  plain: plainMeterError(ps.lastErrorCode as string, ps.lastError as string, this.o.bacnetTimeoutMs),
                  at: iso(ps.lastErrorAt),
                  consecutive_failures: ps.consecutiveFailures,
                }
              : null,
          };
        }),
      };
    });
    return { now: new Date(now).toISOString(), slow_threshold_ms: this.o.slowMs, meters: views };
  }

  async readings(f: {
    meter?: string | undefined;
    point?: string | undefined;
    from: Date;
    to: Date;
    limit: number;
  }): Promise<ReadingsResponse> {
    const rows = await this.agent.readings.list({
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
    const bucketS = Math.max(this.agent.config.COLLECTION_INTERVAL_SECONDS, Math.ceil(span / 1000 / f.buckets));
    const rows = await this.agent.readings.series(f.meter, f.from, f.to, bucketS, f.point);
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
    const rows = await this.agent.queue.syncLog(limit, { failuresOnly });
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
    const [rows, stats] = await Promise.all([this.agent.queue.deadLetters(limit), this.agent.queue.stats()]);
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
    return this.collection(await this.agent.status());
  }

  async afterSync(r: SyncRunResult): Promise<SyncNowResponse> {
    const s = await this.agent.status();
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
      uplink: this.uplink(s.uplink),
    };
  }

  async backlogNow(): Promise<StatusResponse['backlog']> {
    return this.backlog(await this.agent.queue.stats());
  }
}

/** The registration with the BBMD as the local API, the dashboard and MCP show it. */
export function foreignDeviceView(f: AgentStatus['foreignDevice']): ForeignDeviceView | null {
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

function stateText(state: MeterState, s: MeterStatus | undefined, now: number): string {
  switch (state) {
    case 'never_answered':
      return s ? `has never answered (${s.consecutiveFailures} tries)` : 'not polled yet';
    case 'failing': {
      const since = s?.lastSuccessAt ? `; last value ${duration(now - s.lastSuccessAt.getTime())} ago` : '';
      return `no answer for ${s?.consecutiveFailures ?? 0} ${s?.consecutiveFailures === 1 ? 'poll' : 'polls'}${since}`;
    }
    case 'wrong_device':
      return s?.foundDeviceId !== null && s?.foundDeviceId !== undefined
        ? `wrong device: configured ${s.expectedDeviceId ?? '?'}, device ${s.foundDeviceId} answers; nothing stored`
        : `wrong device: configured ${s?.expectedDeviceId ?? '?'} is not the device at this address; nothing stored`;
    case 'degraded': {
      const n = s?.pointsFailing ?? 0;
      const names = (s?.points ?? []).filter((p) => p.consecutiveFailures > 0).map((p) => p.name);
      return `answers, but ${n} ${n === 1 ? 'point fails' : 'points fail'}${names.length > 0 ? `: ${names.join(', ')}` : ''}`;
    }
    case 'slow':
      return `answers slowly (${s?.lastResponseMs ?? '?'} ms)`;
    case 'ok':
      return `answers (${s?.lastResponseMs ?? '?'} ms)`;
  }
}

const listNames = (names: string[]) =>
  names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;

/** The site's problems, worst first, each with what to do. */
export function assess(i: {
  now: number;
  status: AgentStatus;
  uplink: StatusResponse['uplink'];
  backlog: StatusResponse['backlog'];
  storage: StorageEstimate;
  byState: Record<MeterState, string[]>;
  slowMs: number;
  syncIntervalMs: number;
}): Finding[] {
  const out: Finding[] = [];
  const { status: s, uplink, backlog, storage, byState } = i;
  const configured = s.meters.configured;
  const holder = storage.bound === 'queue_limit' ? "The upload queue's limit (QUEUE_MAX_READINGS)" : 'The disk';
  const hold =
    storage.outage_hours !== null
      ? ` ${holder} holds about ${storage.outage_hours < 48 ? `${storage.outage_hours} hours` : `${Math.floor(storage.outage_hours / 24)} days`} of readings.`
      : '';

  const ldb = s.localDatabase;
  if (ldb.state !== 'up') {
    const since = ` for ${duration(i.now - ldb.since.getTime())}`;
    const kept = `${ldb.spilledReadings} readings wait in the spill file on disk${ldb.inMemory > 0 ? ` and ${ldb.inMemory} in memory` : ''}; they go into the queue when it is back.`;
    out.push({
      code: ldb.state === 'down' ? 'LOCAL_DATABASE_DOWN' : 'LOCAL_DATABASE_RESTARTING',
      level: 'problem',
      message:
        ldb.state === 'down'
          ? `The agent's own database does not answer${since}${ldb.embedded ? ' and could not be restarted' : ''}: ${kept}`
          : `The agent's own database stopped; the agent is restarting it: ${kept}`,
      action: ldb.embedded
        ? 'Nothing to do if it comes back within a minute. Otherwise check free disk space and the agent log (module "db"); restarting the agent is safe, the spill file is kept.'
        : 'Check the PostgreSQL server the agent is configured to use (LOCAL_DATABASE_URL / LOCAL_POSTGRES_*); readings are kept meanwhile.',
    });
  } else if (ldb.spilledReadings > 0) {
    out.push({
      code: 'LOCAL_DATABASE_CATCHING_UP',
      level: 'attention',
      message: `The agent's own database is back; ${ldb.spilledReadings} readings from the spill file are going into the queue.`,
      action: 'Nothing to do.',
    });
  }

  const limit = s.queueLimit;
  if (limit.fullSince || limit.dropped > 0 || limit.refused > 0) {
    const what =
      limit.policy === 'drop-oldest'
        ? `${limit.dropped} of the oldest unsent readings were deleted to make room`
        : `${limit.refused} new readings were not stored`;
    out.push({
      code: 'QUEUE_FULL',
      level: 'problem',
      message: `${limit.fullSince ? 'The upload queue is full' : 'The upload queue was full'} (limit ${limit.max} readings): ${what}.`,
      action:
        'Get the connection to the client system back so the queue drains, or raise QUEUE_MAX_READINGS if the disk has room. The counts stay here and in the heartbeat.',
    });
  }

  if (uplink.state === 'down') {
    const since = uplink.since ? ` for ${duration(i.now - Date.parse(uplink.since))}` : '';
    out.push({
      code: 'UPLINK_DOWN',
      level: 'problem',
      message: `No connection to the client system${since}.`,
      action: `${plainUplinkError(uplink.last_error?.code)} Nothing is lost: readings wait here and are sent when the connection is back.${hold}`,
    });
  } else if (
    s.lastSync &&
    !s.lastSync.ok &&
    s.lastSync.errorCode &&
    ['AUTH_MISSING', 'AUTH_INVALID', 'FORBIDDEN'].includes(s.lastSync.errorCode)
  ) {
    out.push({
      code: 'UPLINK_REFUSED',
      level: 'problem',
      message: 'The client system refuses this site.',
      action: plainUplinkError(s.lastSync.errorCode),
    });
  }
  if (byState.failing.length > 0) {
    out.push({
      code: 'METERS_FAILING',
      level: 'problem',
      message: `${byState.failing.length} of ${configured} meters ${byState.failing.length === 1 ? 'does' : 'do'} not answer: ${listNames(byState.failing)}.`,
      action: `Check power and network cable of ${byState.failing.length === 1 ? 'this meter' : 'these meters'}. The meters table shows the last error in words.`,
    });
  }
  if (byState.wrong_device.length > 0) {
    const n = byState.wrong_device.length;
    out.push({
      code: 'METERS_WRONG_DEVICE',
      level: 'problem',
      message: `${n} of ${configured} meters ${n === 1 ? 'has' : 'have'} another BACnet device at ${n === 1 ? 'its' : 'their'} address: ${listNames(byState.wrong_device)}. Nothing is stored for ${n === 1 ? 'it' : 'them'}.`,
      action:
        'The meters table names the configured and the answering device id. Fix the IP address or the BACnet device id in the meter configuration, or put the right meter back.',
    });
  }
  if (byState.never_answered.length > 0) {
    const early = i.now - s.startedAt.getTime() < 3 * s.collection.intervalSeconds * 1000 + 10_000;
    out.push({
      code: 'METERS_NEVER_ANSWERED',
      level: early || !s.collecting ? 'attention' : 'problem',
      message: `${byState.never_answered.length} of ${configured} meters ${byState.never_answered.length === 1 ? 'has' : 'have'} never answered: ${listNames(byState.never_answered)}.`,
      action: early
        ? 'The agent started a moment ago; wait for the first polls.'
        : 'Check the IP address and BACnet device id of these meters in the configuration, and that they are on the network.',
    });
  }
  if (!s.collecting) {
    const forMs = s.collection.changedAt ? i.now - s.collection.changedAt.getTime() : 0;
    const since = forMs >= 60_000 ? ` for ${duration(forMs)}` : '';
    out.push({
      code: 'COLLECTION_STOPPED',
      level: 'attention',
      message: `Collection is stopped${since}${s.collection.reason ? ` (${s.collection.reason})` : ''}: no new readings are taken.`,
      action: 'Press "Start collection" when the work on the meters is done.',
    });
  }
  const fd = s.foreignDevice;
  if (fd?.lastError) {
    out.push({
      code: 'BBMD_REGISTRATION_FAILING',
      level: 'attention',
      message: `${fd.registered ? 'Renewing the registration' : 'Registering'} as a BACnet foreign device with the BBMD at ${fd.bbmd} fails: ${fd.lastError.replace(/\.?$/, '.')}`,
      action:
        "Until it succeeds, discovery does not reach the meters on the BBMD's network; configured meters are still read directly, and the agent retries by itself. Check BACNET_BBMD_ADDRESS and that the device there accepts foreign devices.",
    });
  }
  if (configured === 0) {
    out.push({
      code: 'NO_METERS',
      level: 'problem',
      message: 'No meters are configured.',
      action: 'Add the meters in the client system, or in meters.json before the first start.',
    });
  }
  if (
    storage.outage_hours !== null &&
    storage.outage_hours < 72 &&
    storage.bound === 'queue_limit' &&
    !limit.fullSince
  ) {
    out.push({
      code: 'QUEUE_LIMIT_LOW',
      level: storage.outage_hours < 24 ? 'problem' : 'attention',
      message: `The upload queue's limit (QUEUE_MAX_READINGS ${storage.queue_max_readings}) holds only about ${storage.outage_hours} hours of readings.`,
      action: `Keep the uplink up so the queue drains; raise QUEUE_MAX_READINGS if the disk has room${storage.disk_hours !== null ? ` (it holds about ${storage.disk_hours} hours)` : ''}.`,
    });
  } else if (storage.outage_hours !== null && storage.outage_hours < 72 && storage.bound === 'disk') {
    out.push({
      code: 'DISK_LOW',
      level: storage.outage_hours < 24 ? 'problem' : 'attention',
      message: `The disk holds only about ${storage.outage_hours} hours of readings.`,
      action: 'Free space on the agent computer; keep the uplink up so the queue drains.',
    });
  }
  if (s.queue.deadLetters > 0) {
    out.push({
      code: 'DEAD_LETTERS',
      level: 'attention',
      message: `${s.queue.deadLetters} ${s.queue.deadLetters === 1 ? 'reading was' : 'readings were'} refused by the client system.`,
      action:
        'See "Dead letters" for the reason. Once the cause is fixed (usually in the client system), press "Retry dead letters".',
    });
  }
  const staleAfterMs = Math.max(2 * i.syncIntervalMs, 10 * 60_000);
  if (uplink.state === 'up' && backlog.oldest_age_s !== null && backlog.oldest_age_s * 1000 > staleAfterMs) {
    out.push({
      code: 'BACKLOG_OLD',
      level: 'attention',
      message: `${backlog.count} readings wait to be sent; the oldest is ${duration(backlog.oldest_age_s * 1000)} old.`,
      action: 'Press "Sync now". If it fails, the sync log says why.',
    });
  }
  if (uplink.state === 'unknown' && i.now - s.startedAt.getTime() > 60_000) {
    out.push({
      code: 'UPLINK_UNKNOWN',
      level: 'attention',
      message: 'The client system has not been contacted yet.',
      action: 'Press "Sync now" to try at once.',
    });
  }
  if (byState.degraded.length > 0) {
    const n = byState.degraded.length;
    out.push({
      code: 'METERS_DEGRADED',
      level: 'attention',
      message: `${n} of ${configured} meters ${n === 1 ? 'answers' : 'answer'}, but some data points fail on every poll: ${listNames(byState.degraded)}.`,
      action:
        "The meters table shows each failing point's last error. Check those points' object type and instance in the meter configuration.",
    });
  }
  if (byState.slow.length > 0) {
    out.push({
      code: 'METERS_SLOW',
      level: 'attention',
      message: `${byState.slow.length} ${byState.slow.length === 1 ? 'meter answers' : 'meters answer'} slowly (over ${i.slowMs} ms): ${listNames(byState.slow)}.`,
      action: 'Usually harmless. If it persists, check the network between the agent and these meters.',
    });
  }
  // Problems first; within a level, the order above (stable sort).
  return out.sort((a, b) => (a.level === b.level ? 0 : a.level === 'problem' ? -1 : 1));
}
