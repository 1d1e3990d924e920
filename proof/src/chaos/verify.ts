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
  to: number;
  /** The agent's counters grew by this much during the window. */
  dropped: number;
  refused: number;
  /** Readings in one upload batch: the batch on its way when the limit is hit is delivered, not dropped, though it is older. */
  batchSize?: number;
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
export function verify(input: {
  meters: SimMeterInfo[];
  served: ServedValue[];
  site: Row[];
  central: Row[];
  excuses: Excuse[];
  qualityChanges: QualityChange[];
  queueLimits?: QueueLimitWindow[];
}): Verdict {
  const problems: Problem[] = [];
  const problem = (kind: Problem['kind'], at: number, what: string) => problems.push({ kind, at, what });
  const meterOf = new Map<number, SimMeterInfo>(input.meters.map((m) => [m.deviceId, m]));
  const pointOf = new Map<string, { name: string; unit: string | null }>();
  for (const m of input.meters) for (const p of m.points) pointOf.set(`${m.deviceId}|${p.objectType}|${p.instance}`, { name: p.name, unit: unitSymbol(p.units) });

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
      problem('altered', s.ts.getTime(), `${k}: queued ${s.value} ${s.unit} ${s.quality}, central ${c.value} ${c.unit} ${c.quality}`);
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
      if (Math.abs(q.at - at) < SERVED_AFTER_TICK_MAX_MS) near.add(q.fault ? 'fault' : 'good').add(q.fault ? 'good' : 'fault');
    }
    near.add(fault ? 'fault' : 'good');
    return near;
  };

  let collected = 0;
  let uncollectedExcused = 0;
  const excusedBy: Record<string, number> = {};
  const windows = (input.queueLimits ?? []).map((w) => ({ ...w, missing: [] as Array<{ at: number; k: string }>, kept: [] as number[] }));
  const windowOf = (at: number) => windows.find((w) => at >= w.from && at <= w.to);
  const uncollected = (s: ServedValue, k: string) => {
    const excuse = input.excuses.find((e) => s.servedAt >= e.from && s.servedAt <= e.to && (e.deviceId === undefined || e.deviceId === s.deviceId));
    const w = excuse ? undefined : windowOf(s.servedAt);
    if (excuse) {
      uncollectedExcused += 1;
      excusedBy[excuse.kind] = (excusedBy[excuse.kind] ?? 0) + 1;
    } else if (w) {
      w.missing.push({ at: s.servedAt, k });
    } else {
      lost += 1;
      problem('lost', s.servedAt, `${k}: ${s.value} served at ${new Date(s.servedAt).toISOString()} with no fault to explain it, but never queued`);
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
        problem('altered', ts, `${k} @ ${row.ts.toISOString()}: queued value ${row.value} was never served for that point near its tick`);
        continue;
      }
      for (; j < found; j++) uncollected(served[j]!, k);
      const s = served[found]!;
      j = found + 1;
      collected += 1;
      windowOf(s.servedAt)?.kept.push(s.servedAt);
      const p = pointOf.get(`${s.deviceId}|${s.objectType}|${s.instance}`);
      if (p && row.unit !== p.unit) {
        altered += 1;
        problem('altered', ts, `${k} @ ${row.ts.toISOString()}: unit ${row.unit}, the meter reports ${p.unit}`);
      }
      const qualities = qualityAt(s.deviceId, s.index, s.servedAt);
      if (!qualities.has(row.quality)) {
        altered += 1;
        problem('altered', ts, `${k} @ ${row.ts.toISOString()}: quality ${row.quality}, the meter reported ${[...qualities].join(' or ')}`);
      }
    }
    for (; j < served.length; j++) uncollected(served[j]!, k);
  }

  // 3. Queue-limit windows: exactly as many values missing as the agent counted; the dropped ones the oldest
  // unsent (nothing kept from the outage is older), the refused ones one stretch of time (served while full).
  let droppedByPolicy = 0;
  let policyMismatches = 0;
  for (const w of windows) {
    let missing = w.missing.sort((a, b) => a.at - b.at);
    const counted = w.dropped + w.refused;
    // Beyond what the agent counted, values served across its restart are explained by the restart (as for a SIGKILL),
    // and shown apart in the report.
    const restart = w.restart;
    if (restart && missing.length > counted) {
      const across = missing.filter((m) => m.at >= restart.from && m.at <= restart.to).slice(0, missing.length - counted);
      uncollectedExcused += across.length;
      if (across.length > 0) excusedBy['agent restarted (policy change)'] = (excusedBy['agent restarted (policy change)'] ?? 0) + across.length;
      missing = missing.filter((m) => !across.includes(m));
    }
    const mismatch = (what: string) => {
      policyMismatches += 1;
      problem('policy', w.from, what);
    };
    // The dropped run is the oldest (drop-oldest deletes from the head of the backlog), the refused run the newest
    // (served while the queue was full); anything between the two is missing without being counted.
    const dropped = missing.slice(0, w.dropped);
    const refused = missing.slice(Math.max(w.dropped, missing.length - w.refused));
    const extra = missing.slice(w.dropped, Math.max(w.dropped, missing.length - w.refused));
    if (extra.length > 0) {
      lost += extra.length;
      const first = extra.slice(0, 4).map((m) => `${m.k} @ ${new Date(m.at).toISOString()}`);
      problem('lost', extra[0]!.at, `queue limit reached: ${missing.length} values missing from the outage, the agent counted ${w.dropped} dropped + ${w.refused} refused; not counted: ${first.join(', ')}${extra.length > 4 ? ', …' : ''}`);
    } else if (missing.length < counted) {
      mismatch(`queue limit reached: the agent counted ${w.dropped} dropped + ${w.refused} refused, but only ${missing.length} values are missing`);
    }
    droppedByPolicy += Math.min(missing.length, counted);
    const newestDropped = dropped[dropped.length - 1]?.at;
    if (newestDropped !== undefined) {
      const olderKept = w.kept.filter((at) => at >= w.outageAt && at < newestDropped - SAME_CYCLE_MS);
      if (olderKept.length > (w.batchSize ?? 0)) mismatch(`drop-oldest deleted a reading served at ${new Date(newestDropped).toISOString()} but kept ${olderKept.length} unsent readings served before it (more than the ${w.batchSize ?? 0} of a batch being sent)`);
    }
    if (refused.length > 0) {
      const first = refused[0]!.at;
      const last = refused[refused.length - 1]!.at;
      const between = w.kept.filter((at) => at > first + SAME_CYCLE_MS && at < last - SAME_CYCLE_MS);
      if (between.length > 0) mismatch(`stop-collecting refused readings from ${new Date(first).toISOString()} to ${new Date(last).toISOString()} but stored ${between.length} served in between`);
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
