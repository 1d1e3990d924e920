// The rules about single meters: the built-in wrong-device and unreachable rules, and the operators' no-data rule.
import type { HeartbeatRequest } from '@meterit/shared';
import { fmtMinutes, minutesOf } from './alert-format.js';
import { emptyResult, heartbeatFresh, ruleScope, type Evaluator } from './evaluation.js';
import type { MeterActivityRow } from './rule-inputs-repository.js';

export const meterWrongDevice: Evaluator = async (_rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  const limit = threshold * 60_000;
  for (const m of await ctx.inputs.meterAgentStates()) {
    const key = `meter:${m.id}`;
    // A site whose heartbeats stopped says nothing new about its meters (the heartbeat rule covers it).
    if (!heartbeatFresh(m.last_heartbeat_at, ctx)) {
      out.hold.add(key);
      continue;
    }
    const st = m.state;
    const wrong = st.state === 'wrong_device';
    const since = wrong && st.since && Number.isFinite(Date.parse(st.since)) ? new Date(st.since) : m.last_heartbeat_at;
    const expected = typeof st.expected_device_id === 'number' ? String(st.expected_device_id) : 'the configured one';
    const found = typeof st.found_device_id === 'number' ? `device ${st.found_device_id}` : 'another device';
    out.observations.push({
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
  return out;
};

/** `meter_unreachable` (built in, only while the site delivers) and `no_data` (an operator's rule, of one data point). */
export const meterSilent: Evaluator = async (rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  const limit = threshold * 60_000;
  const activity = await ctx.inputs.meterActivity({
    ...ruleScope(rule),
    dataPoint: rule.kind === 'no_data' ? rule.data_point : null,
  });
  const answering = rule.kind === 'meter_unreachable' ? answeringMeters(activity) : new Set<number>();
  for (const m of activity) {
    const key = `meter:${m.id}`;
    const last = m.last_reading_at ?? m.created_at;
    const age = now - last.getTime();
    let silentMs = age;
    if (rule.kind === 'meter_unreachable') {
      // Only blame the meter when the site is online and its deliveries are current.
      const hb = m.last_heartbeat;
      const backlogOld =
        hb && hb.queue_depth > 0 && hb.oldest_unsent_at && now - Date.parse(hb.oldest_unsent_at) > limit;
      if (!heartbeatFresh(m.last_heartbeat_at, ctx) || backlogOld) {
        out.hold.add(key);
        continue;
      }
      // Silent for as long as the site's uploads show: readings collected after its last upload are not here yet.
      const syncedAt = hb?.last_sync_at ? Date.parse(hb.last_sync_at) : Number.NaN;
      if (Number.isFinite(syncedAt)) silentMs = Math.min(age, Math.max(0, syncedAt - last.getTime()));
    }
    out.observations.push({
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
  return out;
};

/**
 * Meters their site's agent says answer. Readings reach the client system only with the next upload, so a meter's
 * newest reading here can be older than the threshold while the meter answers every poll (after an agent restart, or
 * whenever the upload interval is longer than the threshold). The heartbeat counts the meters that do not answer
 * (failing + never answered); those are the ones silent longest, so every other meter of the site answers.
 * (The silence itself is measured up to the site's last upload, `last_sync_at`, so a count that is a moment stale,
 * as right after an agent restart, cannot blame a meter either.)
 */
function answeringMeters(
  activity: Pick<MeterActivityRow, 'id' | 'site_id' | 'created_at' | 'last_reading_at' | 'last_heartbeat'>[],
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
