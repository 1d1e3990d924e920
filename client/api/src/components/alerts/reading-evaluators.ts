// The operators' rules on stored readings: a data point beyond a threshold, and a day's energy.
import { startOfDay } from '@meterit/shared';
import { fmtMinutes, fmtNum } from './alert-format.js';
import { emptyResult, ruleScope, type Evaluator } from './evaluation.js';
import type { RuleRow } from './rules-repository.js';

export const thresholdBreach: Evaluator = async (rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  if (!rule.data_point || !rule.condition) return out;
  const { low, high } = bounds(rule, threshold);
  const lookback = new Date(now - rule.for_seconds * 1000 - 3_600_000);
  const rows = await ctx.inputs.breachState(
    { ...ruleScope(rule), dataPoint: rule.data_point },
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
    out.observations.push({
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
  return out;
};

export const dailyEnergy: Evaluator = async (rule, threshold, ctx) => {
  const out = emptyResult();
  const from = startOfDay(ctx.config.timeZone, ctx.now);
  if (ctx.now.getTime() - from.getTime() < 1000) return out;
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
    out.observations.push({
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
  return out;
};

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
