import type { HeartbeatRequest } from '@meterit/shared';
import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsRepository, RuleRow } from './alerts-repository.js';
import type { ResponseCounter } from './response-counter.js';
import type { AlertsConfig } from './alerts-config.js';

/** What one rule sees about one subject at one evaluation. */
export interface Observation {
  key: string;
  siteId: number | null;
  meterId: number | null;
  /** The condition holds now. */
  active: boolean;
  /** The condition held at a heartbeat between two evaluations but no longer does: fire and resolve at once. */
  transient?: boolean;
  /** When the condition began (for "since" and for rules held for a duration). */
  since: Date;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  title: string;
  detail: string;
}

export interface EvalContext {
  repo: AlertsRepository;
  readings: ReadingsService;
  counter: ResponseCounter;
  config: AlertsConfig;
  now: Date;
  /** When the previous evaluation ran (heartbeats after it are looked at one by one). */
  previous: Date;
  /** When this engine started: a site cannot be blamed for heartbeats missed while the API itself was down. */
  startedAt: Date;
}

export interface EvalResult {
  observations: Observation[];
  /** Keys whose open alerts stay as they are (not enough information now). */
  hold: Set<string>;
}

export const fmtMinutes = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 6) / 10;
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} days`;
};
type QueueLimit = NonNullable<HeartbeatRequest['queue_limit']>;
const minutesOf = (ms: number) => Math.round((ms / 60_000) * 100) / 100;
const fmtNum = (v: number) =>
  Math.abs(v) >= 100 ? String(Math.round(v * 10) / 10) : String(Math.round(v * 1000) / 1000);
const ageOf = (hb: HeartbeatRequest | null | undefined, at: Date) => {
  if (!hb) return { outageMs: 0, since: null as Date | null };
  const down = hb.uplink_down_since ? Date.parse(hb.uplink_down_since) : null;
  const oldest = hb.oldest_unsent_at && hb.queue_depth > 0 ? Date.parse(hb.oldest_unsent_at) : null;
  const starts = [down, oldest].filter((x): x is number => x !== null && Number.isFinite(x));
  if (starts.length === 0) return { outageMs: 0, since: null };
  const start = Math.min(...starts);
  return { outageMs: Math.max(0, at.getTime() - start), since: new Date(start) };
};

/** Midnight today in `tz`, as an instant. */
export function startOfDay(tz: string, now: Date): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const localAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = localAsUtc - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')) - offset);
}

/** Evaluate one rule now. `threshold` is the effective one (the rule's override or the environment default). */
export async function evaluateRule(rule: RuleRow, threshold: number, ctx: EvalContext): Promise<EvalResult> {
  const now = ctx.now.getTime();
  const hold = new Set<string>();
  const obs: Observation[] = [];
  const hbMissingMs = ctx.config.heartbeatMissingMinutes * 60_000;
  switch (rule.kind) {
    case 'heartbeat_missing': {
      const limit = threshold * 60_000;
      for (const s of await ctx.repo.sitesWithHeartbeat()) {
        if (!s.last_heartbeat_at) continue;
        const age = now - s.last_heartbeat_at.getTime();
        const judged = now - Math.max(s.last_heartbeat_at.getTime(), ctx.startedAt.getTime());
        obs.push({
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
      break;
    }
    case 'uplink_down':
    case 'backlog_size': {
      const sites = await ctx.repo.sitesWithHeartbeat();
      const recent = await ctx.repo.heartbeatsBetween(ctx.previous, ctx.now);
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
          if (m.breach && (!worst || m.value > worst.value))
            worst = { value: m.value, since: m.since, at: h.received_at };
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
        obs.push({
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
      break;
    }
    case 'queue_full': {
      // The agent reports totals since it was installed; what counts is what was lost in this episode, or since the
      // previous evaluation when the queue filled and recovered in between (then it fires and resolves at once).
      // The heartbeat's validation lets each field of queue_limit be missing: count a missing one as 0.
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
      const lostOf = (q: QueueLimit) => num(q.dropped) + num(q.refused);
      const sites = await ctx.repo.sitesWithHeartbeat();
      const baseline = await ctx.repo.heartbeatsAtOrBefore(ctx.previous);
      const recent = await ctx.repo.heartbeatsBetween(ctx.previous, ctx.now);
      for (const s of sites) {
        const key = `site:${s.id}`;
        const q = s.last_heartbeat?.queue_limit;
        if (!s.last_heartbeat_at || !q) {
          hold.add(key); // an agent that does not report its queue limit says nothing either way
          continue;
        }
        const base = baseline.get(s.id)?.payload.queue_limit;
        const sinceCheck = base ? Math.max(0, lostOf(q) - lostOf(base)) : 0;
        let since: Date;
        let lost: number;
        if (typeof q.full_since === 'string') {
          since = new Date(q.full_since);
          const before = (await ctx.repo.heartbeatsAtOrBefore(new Date(since.getTime() - 1), s.id)).get(s.id)?.payload
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
        obs.push({
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
      break;
    }
    case 'site_database_down': {
      const limit = threshold * 60_000;
      for (const s of await ctx.repo.sitesWithHeartbeat()) {
        const key = `site:${s.id}`;
        const db = s.last_heartbeat?.local_database;
        // No fresh heartbeat, or an agent that does not report its database: nothing new either way.
        if (!s.last_heartbeat_at || now - s.last_heartbeat_at.getTime() > hbMissingMs || !db) {
          hold.add(key);
          continue;
        }
        const down = db.state !== 'up';
        const parsed = Date.parse(db.since);
        const since = down && Number.isFinite(parsed) ? new Date(parsed) : s.last_heartbeat_at;
        const lasted = Math.max(0, now - since.getTime());
        obs.push({
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
      break;
    }
    case 'meter_wrong_device': {
      const limit = threshold * 60_000;
      for (const m of await ctx.repo.meterAgentStates()) {
        const key = `meter:${m.id}`;
        // A site whose heartbeats stopped says nothing new about its meters (the heartbeat rule covers it).
        if (!m.last_heartbeat_at || now - m.last_heartbeat_at.getTime() > hbMissingMs) {
          hold.add(key);
          continue;
        }
        const st = m.state;
        const wrong = st.state === 'wrong_device';
        const since =
          wrong && st.since && Number.isFinite(Date.parse(st.since)) ? new Date(st.since) : m.last_heartbeat_at;
        const expected =
          typeof st.expected_device_id === 'number' ? String(st.expected_device_id) : 'the configured one';
        const found = typeof st.found_device_id === 'number' ? `device ${st.found_device_id}` : 'another device';
        obs.push({
          key,
          siteId: m.site_id,
          meterId: m.id,
          active: wrong && now - since.getTime() >= limit,
          since,
          value: minutesOf(Math.max(0, now - since.getTime())),
          threshold,
          unit: 'min',
          title: `Meter "${m.name}" at "${m.site_name}": ${found} answers at its address, configured ${expected}`,
          detail: `The agent of "${m.site_name}" reports (heartbeat of ${m.last_heartbeat_at.toISOString()}) that ${found} answers at the address of meter "${m.name}", configured as device ${expected}. It stores nothing for this meter until the configured device answers: check the meter's IP address (a DHCP change?) and BACnet device id, or whether the meter was swapped.`,
        });
      }
      break;
    }
    case 'meter_unreachable':
    case 'no_data': {
      const limit = threshold * 60_000;
      const scope = {
        siteId: rule.scope === 'all' ? null : rule.site_id,
        meterId: rule.scope === 'meter' ? rule.meter_id : null,
        dataPoint: rule.kind === 'no_data' ? rule.data_point : null,
      };
      const activity = await ctx.repo.meterActivity(scope);
      const answering = rule.kind === 'meter_unreachable' ? answeringMeters(activity) : new Set<number>();
      for (const m of activity) {
        const key = `meter:${m.id}`;
        const last = m.last_reading_at ?? m.created_at;
        const age = now - last.getTime();
        let silentMs = age;
        if (rule.kind === 'meter_unreachable') {
          // Only blame the meter when the site is online and its deliveries are current.
          const hbFresh = m.last_heartbeat_at !== null && now - m.last_heartbeat_at.getTime() <= hbMissingMs;
          const hb = m.last_heartbeat;
          const backlogOld =
            hb && hb.queue_depth > 0 && hb.oldest_unsent_at && now - Date.parse(hb.oldest_unsent_at) > limit;
          if (!hbFresh || backlogOld) {
            hold.add(key);
            continue;
          }
          // Silent for as long as the site's uploads show: readings collected after its last upload are not here yet.
          const syncedAt = hb?.last_sync_at ? Date.parse(hb.last_sync_at) : Number.NaN;
          if (Number.isFinite(syncedAt)) silentMs = Math.min(age, Math.max(0, syncedAt - last.getTime()));
        }
        obs.push({
          key,
          siteId: m.site_id,
          meterId: m.id,
          active: silentMs > limit && !answering.has(m.id),
          since: last,
          value: minutesOf(age),
          threshold,
          unit: 'min',
          title:
            rule.kind === 'meter_unreachable'
              ? `Meter "${m.name}" at "${m.site_name}" unreachable — no reading for ${fmtMinutes(age)}`
              : `No new readings from meter "${m.name}" at "${m.site_name}" for ${fmtMinutes(age)}`,
          detail: m.last_reading_at
            ? `The last reading${rule.data_point ? ` of ${rule.data_point}` : ''} of "${m.name}" is from ${m.last_reading_at.toISOString()}, while the site is online.${rule.kind === 'meter_unreachable' ? ` The site agent reports ${hbMeters(m.last_heartbeat)}.` : ''}`
            : `"${m.name}" has never delivered a reading since it was configured at ${m.created_at.toISOString()}.`,
        });
      }
      break;
    }
    case 'threshold': {
      if (!rule.data_point || !rule.condition) break;
      const { low, high } = bounds(rule, threshold);
      const lookback = new Date(now - rule.for_seconds * 1000 - 3_600_000);
      const rows = await ctx.repo.breachState(
        {
          siteId: rule.scope === 'all' ? null : rule.site_id,
          meterId: rule.scope === 'meter' ? rule.meter_id : null,
          dataPoint: rule.data_point,
        },
        { condition: rule.condition, low, high },
        lookback,
        ctx.now,
      );
      // Data older than this says nothing about now: the no-data and meter rules cover silence.
      const freshMs = Math.max(15 * 60_000, rule.for_seconds * 1000);
      for (const r of rows) {
        const key = `meter:${r.meter_id}:${r.data_point}`;
        const fresh = now - r.latest_ts.getTime() <= freshMs;
        const unit = r.unit ?? '';
        obs.push({
          key,
          siteId: r.site_id,
          meterId: r.meter_id,
          active: fresh && r.latest_breach,
          since: r.breach_since ?? r.latest_ts,
          value: r.latest_value,
          threshold,
          unit: r.unit,
          title:
            `"${r.meter_name}" at "${r.site_name}": ${r.data_point} ${fmtNum(r.latest_value)} ${unit} ${describeCondition(rule.condition, low, high, unit)}`.replace(
              /\s+/g,
              ' ',
            ),
          detail: `${r.data_point} of "${r.meter_name}" is ${fmtNum(r.latest_value)} ${unit} (reading of ${r.latest_ts.toISOString()}), ${describeCondition(rule.condition, low, high, unit)}${rule.for_seconds > 0 ? ` for at least ${fmtMinutes(rule.for_seconds * 1000)}` : ''}.`,
        });
      }
      break;
    }
    case 'daily_energy': {
      const from = startOfDay(ctx.config.timeZone, ctx.now);
      if (ctx.now.getTime() - from.getTime() < 1000) break;
      const res = await ctx.readings.consumption({
        siteIds: rule.scope === 'all' ? null : rule.site_id === null ? [] : [rule.site_id],
        meterId: rule.scope === 'meter' ? (rule.meter_id ?? undefined) : undefined,
        from,
        to: ctx.now,
        interval: '1d',
        tz: ctx.config.timeZone,
        gapSeconds: 900,
      });
      const subjects =
        rule.scope === 'meter'
          ? res.series.map((s) => ({
              key: `meter:${s.meter_id}`,
              siteId: s.site_id,
              meterId: s.meter_id,
              name: `meter "${s.meter_name}" at "${s.site_name}"`,
              kwh: s.total_kwh,
            }))
          : res.sites.map((s) => ({
              key: `site:${s.site_id}`,
              siteId: s.site_id,
              meterId: null,
              name: `site "${s.site_name}"`,
              kwh: s.total_kwh,
            }));
      const merged = new Map<string, (typeof subjects)[number]>();
      for (const s of subjects) {
        const prev = merged.get(s.key);
        merged.set(s.key, prev ? { ...prev, kwh: prev.kwh + s.kwh } : s);
      }
      for (const s of merged.values()) {
        obs.push({
          key: s.key,
          siteId: s.siteId,
          meterId: s.meterId,
          active: s.kwh > threshold,
          since: from,
          value: Math.round(s.kwh * 1000) / 1000,
          threshold,
          unit: 'kWh',
          title: `Energy today of ${s.name}: ${fmtNum(s.kwh)} kWh (above ${threshold} kWh)`,
          detail: `Since midnight (${ctx.config.timeZone}, ${from.toISOString()}) ${s.name} used ${fmtNum(s.kwh)} kWh, more than the ${threshold} kWh of the rule.`,
        });
      }
      break;
    }
    case 'api_error_rate': {
      const windowMs = ctx.config.errorRateWindowMinutes * 60_000;
      const { total, errors } = ctx.counter.snapshot(now, windowMs);
      const rate = total === 0 ? 0 : (errors / total) * 100;
      obs.push({
        key: 'global',
        siteId: null,
        meterId: null,
        active: total >= ctx.config.errorRateMinRequests && rate > threshold,
        since: new Date(now - windowMs),
        value: Math.round(rate * 10) / 10,
        threshold,
        unit: '%',
        title: `API error rate ${Math.round(rate * 10) / 10} % (${errors} of ${total} responses were server errors)`,
        detail: `Over the last ${fmtMinutes(windowMs)}, ${errors} of ${total} responses of this API process were 5xx. Check the API logs (level error) and /ready.`,
      });
      break;
    }
    case 'database_down':
      break; // the engine handles it itself, in memory
  }
  return { observations: obs, hold };
}

/**
 * Meters their site's agent says answer. Readings reach the client system only with the next upload, so a meter's
 * newest reading here can be older than the threshold while the meter answers every poll (after an agent restart, or
 * whenever the upload interval is longer than the threshold). The heartbeat counts the meters that do not answer
 * (failing + never answered); those are the ones silent longest, so every other meter of the site answers.
 * (The silence itself is measured up to the site's last upload, `last_sync_at`, so a count that is a moment stale,
 * as right after an agent restart, cannot blame a meter either.)
 */
function answeringMeters(
  activity: {
    id: number;
    site_id: number;
    created_at: Date;
    last_reading_at: Date | null;
    last_heartbeat: HeartbeatRequest | null;
  }[],
): Set<number> {
  const bySite = new Map<number, typeof activity>();
  for (const m of activity) {
    const list = bySite.get(m.site_id);
    if (list) list.push(m);
    else bySite.set(m.site_id, [m]);
  }
  const answering = new Set<number>();
  for (const meters of bySite.values()) {
    const hb = meters[0]?.last_heartbeat;
    if (!hb) continue;
    const silent = Math.max(0, hb.meters.failing + hb.meters.never_answered);
    // Never delivered first, then by newest reading.
    const rank = (m: (typeof meters)[number]) =>
      [m.last_reading_at === null ? 0 : 1, (m.last_reading_at ?? m.created_at).getTime()] as const;
    const oldestFirst = [...meters].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
    for (const m of oldestFirst.slice(silent)) answering.add(m.id);
  }
  return answering;
}

function hbMeters(hb: HeartbeatRequest | null): string {
  if (!hb) return 'no meter summary';
  return `${hb.meters.ok} of ${hb.meters.configured} meters answering, ${hb.meters.failing} failing, ${hb.meters.never_answered} never answered`;
}

export function bounds(
  rule: Pick<RuleRow, 'condition' | 'threshold_high'>,
  threshold: number,
): { low: number | null; high: number | null } {
  if (rule.condition === 'above') return { low: null, high: threshold };
  if (rule.condition === 'below') return { low: threshold, high: null };
  return { low: threshold, high: rule.threshold_high };
}

export function describeCondition(
  condition: string | null,
  low: number | null,
  high: number | null,
  unit: string,
): string {
  if (condition === 'above') return `above ${high} ${unit}`.trim();
  if (condition === 'below') return `below ${low} ${unit}`.trim();
  return `outside ${low}–${high} ${unit}`.trim();
}
