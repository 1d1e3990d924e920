import type { AlertsConfig } from './alerts-config.js';
import type { RuleRow } from './rules-repository.js';
import { builtinSpec } from './rule-catalog.js';

/** The rule's own threshold, or for a built-in rule without one the environment default (`ALERT_*`). */
export function effectiveThreshold(
  rule: Pick<RuleRow, 'kind' | 'builtin' | 'threshold'>,
  config: AlertsConfig,
): number | null {
  if (rule.threshold !== null) return rule.threshold;
  return rule.builtin ? (builtinSpec(rule.kind)?.fromConfig(config) ?? null) : null;
}

/** The rule's own cooldown, or ALERT_COOLDOWN_MINUTES. */
export function effectiveCooldownSeconds(rule: Pick<RuleRow, 'cooldown_seconds'>, config: AlertsConfig): number {
  return rule.cooldown_seconds ?? Math.round(config.cooldownMinutes * 60);
}
