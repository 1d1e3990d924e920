import type { Finding, HealthLevel, StatusResponse, StorageEstimate } from '@meterit/shared/site-contracts';
import type { SiteStatus } from '../site/ports.js';
import { duration } from '@meterit/shared/words';
import { listNames, plainUplinkError } from './plain-words.js';

// The site assessment: what is wrong on the site, worst first, each with what to do. Pure: the
// dashboard's banner, MCP's get_sync_status and the findings all come from here.

/** The verdict over the findings: any problem makes a problem, anything else needs attention. */
export function healthLevel(findings: readonly Finding[]): HealthLevel {
  return findings.some((f) => f.level === 'problem') ? 'problem' : findings.length > 0 ? 'attention' : 'ok';
}

/** The banner's one line: the worst finding, or all good with how many meters answer. */
export function healthSummary(findings: readonly Finding[], counts: { ok: number; configured: number }): string {
  return (
    findings[0]?.message ??
    `All good: collecting from ${counts.ok} of ${counts.configured} meters, and the client system receives the data.`
  );
}

/** The site's problems, worst first, each with what to do. */
export function assess(i: {
  now: number;
  status: SiteStatus;
  uplink: StatusResponse['uplink'];
  backlog: StatusResponse['backlog'];
  storage: StorageEstimate;
  slowMs: number;
  syncIntervalMs: number;
}): Finding[] {
  const out: Finding[] = [];
  const { status: s, uplink, backlog, storage } = i;
  const byState = s.meters.names;
  const configured = s.meters.counts.configured;
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
      message: `No connection to the client system${since}${uplink.cause ? `: ${uplink.cause.summary}` : ''}.`,
      action: `${uplink.cause?.advice ?? plainUplinkError(uplink.last_error?.code)} Nothing is lost: readings wait here and are sent when the connection is back.${hold}`,
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
      message: `The client system refuses this site${uplink.cause ? `: ${uplink.cause.summary}` : ''}.`,
      action: uplink.cause?.advice ?? plainUplinkError(s.lastSync.errorCode),
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
