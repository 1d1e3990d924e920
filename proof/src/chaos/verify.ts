import { unitSymbol } from '@meterit/shared';
import type { ServedValue, SimMeterInfo } from '@meterit/simulator';

/** A time span in which a served value may legitimately never have been stored by the agent. */
export interface Excuse {
  kind: string;
  from: number;
  to: number;
  /** Only this meter's values (a slow meter); undefined = every meter (agent down, site DB down). */
  deviceId?: number;
}

/** Fault-flag changes of a meter: from served index `index` on, the meter reports `fault`. */
export interface QualityChange {
  deviceId: number;
  index: number;
  at: number;
  fault: boolean;
}

/**
 * An uplink outage during which the site queue reached its limit (QUEUE_MAX_READINGS): the agent's
 * policy dropped the oldest unsent readings (drop-oldest) and/or did not store new ones
 * (stop-collecting), and counted both. Values served in [from, to] may be missing, exactly that many.
 */
export interface QueueLimitWindow {
  /** A little before the outage: values served just before it may not have been sent yet. */
  from: number;
  /** When the uplink went down: everything served after it was unsent. */
  outageAt: number;
  /** When the uplink came back and the backlog began to drain. */
  backAt?: number;
  to: number;
  /** The agent's counters grew by this much during the window. */
  dropped: number;
  refused: number;
  /** The policy in force, in order (the fault switches it with a graceful restart while the queue is full). */
  phases: Array<{ policy: 'drop-oldest' | 'stop-collecting'; from: number; to: number }>;
  /**
   * The counters' growth since the window began, oldest first, one entry per change seen by a sampler looking every
   * 250 ms: the change happened after `since` (the sample before) and by `at`. The first entry is the start (0, 0).
   */
  counters: Array<{ at: number; since: number; dropped: number; refused: number }>;
  /** Readings in one upload batch, and batches on their way at once: those are delivered, not dropped, though older. */
  batchSize?: number;
  maxInFlight?: number;
  /** The graceful restart that switches the policy: a poll under way across it may be missing beyond the counters. */
  restart?: { from: number; to: number };
}

export interface Row {
  meter: string;
  data_point: string;
  ts: Date;
  value: number;
  unit: string | null;
  quality: string;
  /** Site rows: when the client system acknowledged the reading (null: still unsent). */
  syncedAt?: Date | null;
}

export interface Problem {
  /** policy: the queue-limit policy dropped other readings than it should have, or counted wrongly. */
  kind: 'lost' | 'duplicated' | 'altered' | 'policy';
  at: number;
  what: string;
}

export interface Verdict {
  served: number;
  collected: number;
  uncollectedExcused: number;
  excusedBy: Record<string, number>;
  centralRows: number;
  checked: number;
  lost: number;
  duplicated: number;
  altered: number;
  /** Missing because the queue limit's policy dropped or refused them, as the agent counted (not lost). */
  droppedByPolicy: number;
  /** Queue-limit windows where what is missing is not what the policy and its counters say. */
  policyMismatches: number;
  problems: Problem[];
}

export interface VerifyInput {
  meters: SimMeterInfo[];
  served: ServedValue[];
  site: Row[];
  central: Row[];
  excuses: Excuse[];
  qualityChanges: QualityChange[];
  queueLimits?: QueueLimitWindow[];
}

/** A run's input as written by `--dump` (JSON): dates and open-ended spans restored. */
export function parseVerifyInput(json: string): VerifyInput {
  const input = JSON.parse(json) as VerifyInput;
  const dates = (rows: Row[]) =>
    rows.map((r) => ({ ...r, ts: new Date(r.ts), syncedAt: r.syncedAt ? new Date(r.syncedAt) : null }));
  return {
    ...input,
    site: dates(input.site),
    central: dates(input.central),
    excuses: input.excuses.map((e) => ({ ...e, to: e.to ?? Infinity })),
  };
}

/** A served value missing from a queue-limit window; `excuse`: another fault that could explain it as well. */
interface Missing {
  at: number;
  k: string;
  excuse?: string;
}

/** A meter's answer arrives at most this long after its poll tick (RP fallback of 4 points, each up to the timeout). */
const SERVED_AFTER_TICK_MAX_MS = 6000;
/** Values of one poll cycle are served this close together (meters answer in parallel, some slowly): the order between them is not the queue's. */
const SAME_CYCLE_MS = 2000;

/**
 * Compare what the meters served, what the agent queued and what the client system stored:
 * - every queued (collected) reading is in the central database once, unchanged;
 * - every central reading is a value a meter served for that point, after its tick, with the
 *   meter's unit and the quality the meter reported;
 * - every served value that the agent never queued falls in an excuse window (agent killed,
 *   site database down, meter answering after the agent's timeout) and is absent centrally too.
 */
export function verify(input: VerifyInput): Verdict {
  const problems: Problem[] = [];
  const problem = (kind: Problem['kind'], at: number, what: string) => problems.push({ kind, at, what });
  const meterOf = new Map<number, SimMeterInfo>(input.meters.map((m) => [m.deviceId, m]));
  const pointOf = new Map<string, { name: string; unit: string | null }>();
  for (const m of input.meters)
    for (const p of m.points)
      pointOf.set(`${m.deviceId}|${p.objectType}|${p.instance}`, { name: p.name, unit: unitSymbol(p.units) });

  const key = (meter: string, point: string) => `${meter}|${point}`;
  const group = <T>(rows: T[], k: (r: T) => string) => {
    const out = new Map<string, T[]>();
    for (const r of rows) {
      const kk = k(r);
      const list = out.get(kk);
      if (list) list.push(r);
      else out.set(kk, [r]);
    }
    return out;
  };

  // 1. Central against the site queue (the agent's own record of what it collected).
  let duplicated = 0;
  let lost = 0;
  let altered = 0;
  const centralByKey = group(input.central, (r) => `${key(r.meter, r.data_point)}|${r.ts.toISOString()}`);
  for (const [k, rows] of centralByKey) {
    if (rows.length > 1) {
      duplicated += rows.length - 1;
      problem('duplicated', rows[0]!.ts.getTime(), `${k} stored ${rows.length} times`);
    }
  }
  const siteByKey = new Map(input.site.map((r) => [`${key(r.meter, r.data_point)}|${r.ts.toISOString()}`, r]));
  for (const [k, s] of siteByKey) {
    const c = centralByKey.get(k)?.[0];
    if (!c) {
      lost += 1;
      problem('lost', s.ts.getTime(), `${k} = ${s.value} was queued by the agent but never arrived centrally`);
    } else if (c.value !== s.value || c.unit !== s.unit || c.quality !== s.quality) {
      altered += 1;
      problem(
        'altered',
        s.ts.getTime(),
        `${k}: queued ${s.value} ${s.unit} ${s.quality}, central ${c.value} ${c.unit} ${c.quality}`,
      );
    }
  }
  for (const [k, rows] of centralByKey) {
    if (!siteByKey.has(k)) {
      altered += 1;
      problem('altered', rows[0]!.ts.getTime(), `${k} = ${rows[0]!.value} is central but the agent never queued it`);
    }
  }

  // 2. The site queue against what the meters served, point by point, in time order.
  const servedByKey = new Map<string, Array<ServedValue & { index: number }>>();
  input.served.forEach((s, index) => {
    const m = meterOf.get(s.deviceId);
    const p = pointOf.get(`${s.deviceId}|${s.objectType}|${s.instance}`);
    const k = key(m?.externalId ?? `device-${s.deviceId}`, p?.name ?? `${s.objectType}:${s.instance}`);
    const list = servedByKey.get(k);
    const entry = { ...s, index };
    if (list) list.push(entry);
    else servedByKey.set(k, [entry]);
  });
  const siteByPoint = group(
    [...input.site].sort((a, b) => a.ts.getTime() - b.ts.getTime()),
    (r) => key(r.meter, r.data_point),
  );
  const qualityAt = (deviceId: number, index: number, at: number): Set<string> => {
    let fault = false;
    const near = new Set<string>();
    for (const q of input.qualityChanges) {
      if (q.deviceId !== deviceId) continue;
      if (q.index <= index) fault = q.fault;
      // Quality (statusFlags) and value may come from two requests when the meter refuses RPM: near a change, both are right.
      if (Math.abs(q.at - at) < SERVED_AFTER_TICK_MAX_MS)
        near.add(q.fault ? 'fault' : 'good').add(q.fault ? 'good' : 'fault');
    }
    near.add(fault ? 'fault' : 'good');
    return near;
  };

  let collected = 0;
  let uncollectedExcused = 0;
  const excusedBy: Record<string, number> = {};
  const windows = (input.queueLimits ?? []).map((w) => ({
    ...w,
    missing: [] as Missing[],
    kept: [] as Array<{ at: number; syncedAt: number | null }>,
  }));
  const windowOf = (at: number) => windows.find((w) => at >= w.from && at <= w.to);
  const uncollected = (s: ServedValue, k: string) => {
    const excuse = input.excuses.find(
      (e) => s.servedAt >= e.from && s.servedAt <= e.to && (e.deviceId === undefined || e.deviceId === s.deviceId),
    );
    const w = windowOf(s.servedAt);
    if (w) {
      // Inside a queue-limit window a value may be missing for the policy even when another fault could explain it
      // (a slow meter's reading, collected, then dropped as the oldest): the window's accounting decides.
      w.missing.push({ at: s.servedAt, k, excuse: excuse?.kind });
    } else if (excuse) {
      uncollectedExcused += 1;
      excusedBy[excuse.kind] = (excusedBy[excuse.kind] ?? 0) + 1;
    } else {
      lost += 1;
      problem(
        'lost',
        s.servedAt,
        `${k}: ${s.value} served at ${new Date(s.servedAt).toISOString()} with no fault to explain it, but never queued`,
      );
    }
  };
  const allKeys = new Set([...servedByKey.keys(), ...siteByPoint.keys()]);
  for (const k of allKeys) {
    const served = servedByKey.get(k) ?? [];
    const rows = siteByPoint.get(k) ?? [];
    let j = 0;
    for (const row of rows) {
      const ts = row.ts.getTime();
      while (j < served.length && served[j]!.servedAt < ts - 5) uncollected(served[j++]!, k);
      let found = -1;
      for (let x = j; x < served.length && served[x]!.servedAt <= ts + SERVED_AFTER_TICK_MAX_MS; x++) {
        if (served[x]!.value === row.value) {
          found = x;
          break;
        }
      }
      if (found < 0) {
        altered += 1;
        problem(
          'altered',
          ts,
          `${k} @ ${row.ts.toISOString()}: queued value ${row.value} was never served for that point near its tick`,
        );
        continue;
      }
      for (; j < found; j++) uncollected(served[j]!, k);
      const s = served[found]!;
      j = found + 1;
      collected += 1;
      windowOf(s.servedAt)?.kept.push({ at: s.servedAt, syncedAt: row.syncedAt ? row.syncedAt.getTime() : null });
      const p = pointOf.get(`${s.deviceId}|${s.objectType}|${s.instance}`);
      if (p && row.unit !== p.unit) {
        altered += 1;
        problem('altered', ts, `${k} @ ${row.ts.toISOString()}: unit ${row.unit}, the meter reports ${p.unit}`);
      }
      const qualities = qualityAt(s.deviceId, s.index, s.servedAt);
      if (!qualities.has(row.quality)) {
        altered += 1;
        problem(
          'altered',
          ts,
          `${k} @ ${row.ts.toISOString()}: quality ${row.quality}, the meter reported ${[...qualities].join(' or ')}`,
        );
      }
    }
    for (; j < served.length; j++) uncollected(served[j]!, k);
  }

  // 3. Queue-limit windows. The counters' timeline tells when the refusals happened: the values missing from that
  // stretch are the refused ones, the others the dropped ones. Each set must be as large as the agent counted
  // (values another fault explains may make up a surplus, shown apart; any other surplus is lost); the dropped ones
  // were the oldest unsent when deleted (except the batches on their way); nothing was stored inside the refused stretch.
  let droppedByPolicy = 0;
  let policyMismatches = 0;
  const iso = (t: number) => new Date(t).toISOString();
  for (const [i, w] of windows.entries()) {
    const name = `queue limit window ${i + 1} (${w.phases.map((p) => p.policy).join(' then ')}, uplink down ${iso(w.outageAt)}${w.backAt ? ` to ${iso(w.backAt)}` : ''})`;
    const mismatch = (what: string) => {
      policyMismatches += 1;
      problem('policy', w.from, `${name}: ${what}`);
    };
    const increases = w.counters.filter((c, j) => j > 0 && c.refused > w.counters[j - 1]!.refused);
    // A value is refused when its poll is stored: at most a poll's length after it was served.
    const stretch =
      increases.length > 0
        ? { from: increases[0]!.since - SERVED_AFTER_TICK_MAX_MS, to: increases[increases.length - 1]!.at }
        : undefined;
    const inStretch = (m: Missing) => stretch !== undefined && m.at >= stretch.from && m.at <= stretch.to;
    const sorted = w.missing.sort((a, b) => a.at - b.at);
    const restart = w.restart;
    const inRestart = (m: Missing) => restart !== undefined && m.at >= restart.from && m.at <= restart.to;
    /** The values missing for one policy, against its counter: a surplus is explained by another fault or the restart, or lost. */
    const settle = (set: Missing[], counted: number, what: string): Missing[] => {
      if (set.length < counted) {
        mismatch(
          `the agent counted ${counted} ${what}, but ${set.length} values are missing ${what === 'refused' ? `from the stretch it refused (${stretch ? `${iso(stretch.from)} to ${iso(stretch.to)}` : 'none'})` : 'outside the refused stretch'}`,
        );
        return set;
      }
      const explained = [...set.filter((m) => m.excuse), ...set.filter((m) => !m.excuse && inRestart(m))].slice(
        0,
        set.length - counted,
      );
      for (const m of explained) {
        const kind = m.excuse ?? 'agent restarted (policy change)';
        excusedBy[kind] = (excusedBy[kind] ?? 0) + 1;
      }
      uncollectedExcused += explained.length;
      const rest = set.filter((m) => !explained.includes(m));
      if (rest.length > counted) {
        const extra = rest.length - counted;
        lost += extra;
        // Which ones are beyond the count is not known: drop-oldest took the oldest, so the newest are named.
        const named = (what === 'dropped' ? rest.slice(-extra) : rest).slice(0, 4).map((m) => `${m.k} @ ${iso(m.at)}`);
        problem(
          'lost',
          rest[0]!.at,
          `${name}: ${rest.length} values missing ${what === 'refused' ? 'from the refused stretch' : 'outside the refused stretch'}, the agent counted ${counted} ${what}; ${extra} not counted, among ${named.join(', ')}${rest.length > 4 ? ', …' : ''}`,
        );
      }
      droppedByPolicy += Math.min(rest.length, counted);
      return rest;
    };
    const refused = settle(sorted.filter(inStretch), w.refused, 'refused');
    const dropped = settle(
      sorted.filter((m) => !inStretch(m)),
      w.dropped,
      'dropped',
    ).slice(0, w.dropped);
    // Drop-oldest: when a reading was deleted, no older reading of the outage was still unsent, except the batches
    // on their way. The j-th deletion happened at the latest when the sampled counter reached j.
    const onTheirWay = (w.batchSize ?? 0) * (w.maxInFlight ?? 1);
    const droppedBy = (j: number) => w.counters.find((c) => c.dropped >= j)?.at ?? w.to;
    let worst: { at: number; by: number; unsent: number } | undefined;
    dropped.forEach((d, j) => {
      const by = droppedBy(j + 1);
      const unsent = w.kept.filter(
        (k) => k.at >= w.outageAt && k.at < d.at - SAME_CYCLE_MS && (k.syncedAt === null || k.syncedAt > by),
      ).length;
      if (unsent > onTheirWay && unsent > (worst?.unsent ?? 0)) worst = { at: d.at, by, unsent };
    });
    if (worst) {
      mismatch(
        `drop-oldest deleted a reading served at ${iso(worst.at)} (by ${iso(worst.by)}) while ${worst.unsent} readings of the outage served before it were still unsent (more than the ${onTheirWay} of the batches on their way)`,
      );
    }
    if (refused.length > 0) {
      const first = refused[0]!.at;
      const last = refused[refused.length - 1]!.at;
      const between = w.kept.filter((k) => k.at > first + SAME_CYCLE_MS && k.at < last - SAME_CYCLE_MS);
      if (between.length > 0)
        mismatch(
          `stop-collecting refused readings from ${iso(first)} to ${iso(last)} but stored ${between.length} served in between`,
        );
    }
  }

  return {
    served: input.served.length,
    collected,
    uncollectedExcused,
    excusedBy,
    centralRows: input.central.length,
    checked: input.served.length + input.central.length,
    lost,
    duplicated,
    altered,
    droppedByPolicy,
    policyMismatches,
    problems,
  };
}
