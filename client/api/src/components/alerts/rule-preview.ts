import type { AlertPreviewEpisode, AlertPreviewResponse } from '@meterit/shared';
import type { ReadingsService } from '../readings/readings-service.js';
import { seesSite, type AlertsActor } from './alert-access.js';
import type { AlertsConfig } from './alerts-config.js';
import { iso } from './alert-views.js';
import { effectiveThreshold } from './effective-rule.js';
import { ruleScope } from './evaluation.js';
import { evaluateRule } from './evaluators.js';
import { bounds } from './reading-evaluators.js';
import type { ResponseCounter } from './response-counter.js';
import type { RuleInputsRepository } from './rule-inputs-repository.js';
import type { RuleRow } from './rules-repository.js';

const DAY_MS = 86_400_000;

/**
 * What a rule (saved or not) would have fired on over the day before `now`, replayed from the stored readings and
 * heartbeats; only episodes of sites the actor sees.
 */
export async function previewRule(
  rule: RuleRow,
  actor: AlertsActor,
  deps: {
    inputs: RuleInputsRepository;
    readings: ReadingsService;
    counter: ResponseCounter;
    config: AlertsConfig;
    now: Date;
  },
): Promise<AlertPreviewResponse> {
  const { inputs } = deps;
  const threshold = effectiveThreshold(rule, deps.config);
  const to = deps.now;
  const from = new Date(to.getTime() - DAY_MS);
  const out: AlertPreviewResponse = { from: from.toISOString(), to: to.toISOString(), episodes: [], note: null };
  if (threshold === null) return { ...out, note: 'the rule has no threshold' };
  const scope = ruleScope(rule);
  const ep = (e: AlertPreviewEpisode) => {
    if (seesSite(actor, e.site_id)) out.episodes.push(e);
  };
  switch (rule.kind) {
    case 'threshold': {
      const { low, high } = bounds(rule, threshold);
      const runs = await inputs.breachRuns(
        { ...scope, dataPoint: rule.data_point as string },
        { condition: rule.condition as string, low, high },
        from,
        to,
      );
      for (const r of runs) {
        const end = r.run_end ?? to;
        if (
          end.getTime() - r.run_start.getTime() < rule.for_seconds * 1000 ||
          (rule.for_seconds > 0 && end.getTime() - r.run_start.getTime() === 0)
        )
          continue;
        ep({
          subject_key: `meter:${r.meter_id}:${rule.data_point}`,
          site_id: r.site_id,
          site_name: r.site_name,
          meter_id: r.meter_id,
          meter_name: r.meter_name,
          title: `${rule.data_point} of "${r.meter_name}" ${rule.condition} the threshold (peak ${Math.round(r.peak * 1000) / 1000})`,
          started_at: r.run_start.toISOString(),
          fired_at: new Date(r.run_start.getTime() + rule.for_seconds * 1000).toISOString(),
          resolved_at: iso(r.run_end),
          peak_value: r.peak,
        });
      }
      break;
    }
    case 'no_data':
    case 'meter_unreachable': {
      const gapMs = threshold * 60_000;
      const meters = { ...scope, dataPoint: rule.kind === 'no_data' ? rule.data_point : null };
      for (const g of await inputs.readingGaps(meters, new Date(from.getTime() - gapMs), to, gapMs)) {
        ep({
          subject_key: `meter:${g.meter_id}`,
          site_id: g.site_id,
          site_name: g.site_name,
          meter_id: g.meter_id,
          meter_name: g.meter_name,
          title: `no reading from "${g.meter_name}" for ${Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 60_000)} min`,
          started_at: g.gap_from.toISOString(),
          fired_at: new Date(g.gap_from.getTime() + gapMs).toISOString(),
          resolved_at: g.gap_to.toISOString(),
          peak_value: Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 600) / 100,
        });
      }
      for (const m of await inputs.meterActivity(meters)) {
        const last = m.last_reading_at ?? m.created_at;
        if (to.getTime() - last.getTime() > gapMs) {
          ep({
            subject_key: `meter:${m.id}`,
            site_id: m.site_id,
            site_name: m.site_name,
            meter_id: m.id,
            meter_name: m.name,
            title: `no reading from "${m.name}" since ${last.toISOString()} (still)`,
            started_at: last.toISOString(),
            fired_at: new Date(Math.max(last.getTime() + gapMs, from.getTime())).toISOString(),
            resolved_at: null,
            peak_value: Math.round((to.getTime() - last.getTime()) / 600) / 100,
          });
        }
      }
      break;
    }
    case 'heartbeat_missing': {
      const gapMs = threshold * 60_000;
      for (const g of await inputs.heartbeatGaps(new Date(from.getTime() - gapMs), to, gapMs)) {
        ep({
          subject_key: `site:${g.site_id}`,
          site_id: g.site_id,
          site_name: g.site_name,
          meter_id: null,
          meter_name: null,
          title: `no heartbeat from "${g.site_name}" for ${Math.round((g.gap_to.getTime() - g.gap_from.getTime()) / 60_000)} min`,
          started_at: g.gap_from.toISOString(),
          fired_at: new Date(g.gap_from.getTime() + gapMs).toISOString(),
          resolved_at: g.gap_to.toISOString(),
          peak_value: null,
        });
      }
      for (const s of await inputs.sitesWithHeartbeat()) {
        if (s.last_heartbeat_at && to.getTime() - s.last_heartbeat_at.getTime() > gapMs) {
          ep({
            subject_key: `site:${s.id}`,
            site_id: s.id,
            site_name: s.name,
            meter_id: null,
            meter_name: null,
            title: `no heartbeat from "${s.name}" since ${s.last_heartbeat_at.toISOString()} (still)`,
            started_at: s.last_heartbeat_at.toISOString(),
            fired_at: new Date(s.last_heartbeat_at.getTime() + gapMs).toISOString(),
            resolved_at: null,
            peak_value: null,
          });
        }
      }
      break;
    }
    case 'daily_energy': {
      const r = await evaluateRule(rule, threshold, {
        inputs,
        readings: deps.readings,
        counter: deps.counter,
        config: deps.config,
        now: to,
        previous: to,
        startedAt: to,
      });
      for (const o of r.observations.filter((x) => x.active)) {
        ep({
          subject_key: o.key,
          site_id: o.siteId,
          site_name: null,
          meter_id: o.meterId,
          meter_name: null,
          title: o.title,
          started_at: o.since.toISOString(),
          fired_at: to.toISOString(),
          resolved_at: null,
          peak_value: o.value,
        });
      }
      out.note = 'daily energy is checked for today so far';
      break;
    }
    default:
      out.note = `${rule.kind} is evaluated from live state (the latest heartbeat, this process's responses or its database connection); there is no day of history to replay`;
  }
  out.episodes.sort((a, b) => a.started_at.localeCompare(b.started_at));
  return out;
}
