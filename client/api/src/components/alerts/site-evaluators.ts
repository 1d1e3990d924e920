// The built-in rules about a site as a whole, from its agent's heartbeats.
import type { HeartbeatRequest } from '@meterit/shared';
import { fmtMinutes, minutesOf } from './alert-format.js';
import { emptyResult, heartbeatFresh, type Evaluator } from './evaluation.js';

type QueueLimit = NonNullable<HeartbeatRequest['queue_limit']>;

const ageOf = (hb: HeartbeatRequest | null | undefined, at: Date) => {
  if (!hb) return { outageMs: 0, since: null as Date | null };
  const down = hb.uplink_down_since ? Date.parse(hb.uplink_down_since) : null;
  const oldest = hb.oldest_unsent_at && hb.queue_depth > 0 ? Date.parse(hb.oldest_unsent_at) : null;
  const starts = [down, oldest].filter((x): x is number => x !== null && Number.isFinite(x));
  if (starts.length === 0) return { outageMs: 0, since: null };
  const start = Math.min(...starts);
  return { outageMs: Math.max(0, at.getTime() - start), since: new Date(start) };
};

export const heartbeatMissing: Evaluator = async (_rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  const limit = threshold * 60_000;
  for (const s of await ctx.inputs.sitesWithHeartbeat()) {
    if (!s.last_heartbeat_at) continue;
    const age = now - s.last_heartbeat_at.getTime();
    const judged = now - Math.max(s.last_heartbeat_at.getTime(), ctx.startedAt.getTime());
    out.observations.push({
      key: `site:${s.id}`,
      siteId: s.id,
      meterId: null,
      active: judged > limit,
      since: s.last_heartbeat_at,
      value: minutesOf(age),
      threshold,
      unit: 'min',
      title: `Site "${s.name}" offline — no heartbeat for ${fmtMinutes(age)}`,
      detail: `The site agent of "${s.name}" last sent a heartbeat at ${s.last_heartbeat_at.toISOString()}. The agent, its machine or its uplink is down; readings are kept on the site and arrive when it is back.`,
    });
  }
  return out;
};

/** `uplink_down` and `backlog_size`: the latest heartbeat, or the worst one since the previous evaluation. */
export const uplinkOrBacklog: Evaluator = async (rule, threshold, ctx) => {
  const out = emptyResult();
  const sites = await ctx.inputs.sitesWithHeartbeat();
  const recent = await ctx.inputs.heartbeatsBetween(ctx.previous, ctx.now);
  const measure = (hb: HeartbeatRequest | null, at: Date) => {
    if (rule.kind === 'uplink_down') {
      const a = ageOf(hb, at);
      return { value: minutesOf(a.outageMs), since: a.since, breach: a.outageMs > threshold * 60_000 };
    }
    const depth = hb?.queue_depth ?? 0;
    return {
      value: depth,
      since: hb?.oldest_unsent_at ? new Date(hb.oldest_unsent_at) : at,
      breach: depth > threshold,
    };
  };
  for (const s of sites) {
    if (!s.last_heartbeat_at) continue;
    const latest = measure(s.last_heartbeat, s.last_heartbeat_at);
    let worst: { value: number; since: Date | null; at: Date } | undefined;
    for (const h of recent) {
      if (h.site_id !== s.id) continue;
      const m = measure(h.payload, h.received_at);
      if (m.breach && (!worst || m.value > worst.value)) worst = { value: m.value, since: m.since, at: h.received_at };
    }
    const key = `site:${s.id}`;
    const shown = latest.breach ? latest : worst ? { ...worst, breach: true } : latest;
    const title =
      rule.kind === 'uplink_down'
        ? `Site "${s.name}" could not reach the client system for ${fmtMinutes(shown.value * 60_000)}`
        : `Site "${s.name}" backlog of ${Math.round(shown.value)} readings`;
    const detail =
      rule.kind === 'uplink_down'
        ? `The agent of "${s.name}" reported (heartbeat of ${(worst?.at ?? s.last_heartbeat_at).toISOString()}) that its uplink was down or its oldest unsent reading was ${fmtMinutes(shown.value * 60_000)} old. Its data in the client system is that far behind until the backlog is sent.`
        : `The agent of "${s.name}" holds ${Math.round(shown.value)} unsent readings (threshold ${threshold}). It sends them oldest first once the client system is reachable.`;
    out.observations.push({
      key,
      siteId: s.id,
      meterId: null,
      active: latest.breach,
      transient: !latest.breach && worst !== undefined,
      since: shown.since ?? s.last_heartbeat_at,
      value: shown.value,
      threshold,
      unit: rule.kind === 'uplink_down' ? 'min' : 'readings',
      title,
      detail,
    });
  }
  return out;
};

export const queueFull: Evaluator = async (_rule, threshold, ctx) => {
  const out = emptyResult();
  // The agent reports totals since it was installed; what counts is what was lost in this episode, or since the
  // previous evaluation when the queue filled and recovered in between (then it fires and resolves at once).
  // The heartbeat's validation lets each field of queue_limit be missing: count a missing one as 0.
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const lostOf = (q: QueueLimit) => num(q.dropped) + num(q.refused);
  const sites = await ctx.inputs.sitesWithHeartbeat();
  const baseline = await ctx.inputs.heartbeatsAtOrBefore(ctx.previous);
  const recent = await ctx.inputs.heartbeatsBetween(ctx.previous, ctx.now);
  for (const s of sites) {
    const key = `site:${s.id}`;
    const q = s.last_heartbeat?.queue_limit;
    if (!s.last_heartbeat_at || !q) {
      out.hold.add(key); // an agent that does not report its queue limit says nothing either way
      continue;
    }
    const base = baseline.get(s.id)?.payload.queue_limit;
    const sinceCheck = base ? Math.max(0, lostOf(q) - lostOf(base)) : 0;
    let since: Date;
    let lost: number;
    if (typeof q.full_since === 'string') {
      since = new Date(q.full_since);
      const before = (await ctx.inputs.heartbeatsAtOrBefore(new Date(since.getTime() - 1), s.id)).get(s.id)?.payload
        .queue_limit;
      lost = Math.max(0, lostOf(q) - (before ? lostOf(before) : 0));
    } else {
      const first = recent.find(
        (h) => h.site_id === s.id && h.payload.queue_limit && base && lostOf(h.payload.queue_limit) > lostOf(base),
      );
      since = first?.payload.queue_limit?.full_since
        ? new Date(first.payload.queue_limit.full_since)
        : (first?.received_at ?? s.last_heartbeat_at);
      lost = sinceCheck;
    }
    const full = typeof q.full_since === 'string';
    const what = q.policy === 'drop-oldest' ? 'oldest unsent readings dropped' : 'new readings not stored';
    out.observations.push({
      key,
      siteId: s.id,
      meterId: null,
      active: full && lost > threshold,
      transient: !full && sinceCheck > threshold,
      since,
      value: lost,
      threshold,
      unit: 'readings',
      title: full
        ? `Site "${s.name}" upload queue full — ${lost} ${what}`
        : `Site "${s.name}" lost ${lost} readings to its full upload queue`,
      detail: `The agent of "${s.name}" holds at most ${q.max} unsent readings (QUEUE_MAX_READINGS). ${full ? `Its queue has been full since ${since.toISOString()}` : 'Its queue was full since the previous check and is below its limit again'}; its policy ${q.policy} ${q.policy === 'drop-oldest' ? 'deletes the oldest unsent readings to make room' : 'does not store new readings'} (${num(q.dropped)} dropped and ${num(q.refused)} refused since the agent was installed). Those readings are lost: restore the uplink (${s.last_heartbeat?.queue_depth ?? 0} readings wait) or give the site more storage.`,
    });
  }
  return out;
};

export const siteDatabaseDown: Evaluator = async (_rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  const limit = threshold * 60_000;
  for (const s of await ctx.inputs.sitesWithHeartbeat()) {
    const key = `site:${s.id}`;
    const db = s.last_heartbeat?.local_database;
    // No fresh heartbeat, or an agent that does not report its database: nothing new either way.
    if (!heartbeatFresh(s.last_heartbeat_at, ctx) || !db) {
      out.hold.add(key);
      continue;
    }
    const down = db.state !== 'up';
    const parsed = Date.parse(db.since);
    const since = down && Number.isFinite(parsed) ? new Date(parsed) : s.last_heartbeat_at;
    const lasted = Math.max(0, now - since.getTime());
    out.observations.push({
      key,
      siteId: s.id,
      meterId: null,
      active: down && lasted >= limit,
      since,
      value: minutesOf(lasted),
      threshold,
      unit: 'min',
      title: `Site "${s.name}": the agent's own database is ${db.state === 'down' ? 'down' : 'restarting'} for ${fmtMinutes(lasted)}`,
      detail: `The agent of "${s.name}" reports (heartbeat of ${s.last_heartbeat_at.toISOString()}) that its own PostgreSQL is ${db.state} since ${since.toISOString()} (${db.restarts} restarts${db.last_error ? `; last error: ${db.last_error}` : ''}). It keeps collecting: ${db.spilled_readings} readings wait in its spill file on disk and go into its queue when the database is back. Check the site machine's disk space and the agent log (module "db").`,
    });
  }
  return out;
};
