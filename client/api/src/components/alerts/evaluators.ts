import type { AlertRuleKind } from '@meterit/shared';
import { emptyResult, type EvalContext, type EvalResult, type Evaluator } from './evaluation.js';
import { meterSilent, meterWrongDevice } from './meter-evaluators.js';
import { apiErrorRate } from './process-evaluators.js';
import { dailyEnergy, thresholdBreach } from './reading-evaluators.js';
import type { RuleRow } from './rules-repository.js';
import { heartbeatMissing, queueFull, siteDatabaseDown, uplinkOrBacklog } from './site-evaluators.js';

/**
 * Every rule kind's evaluator, by family: the site's heartbeat (`site-evaluators.ts`), single meters
 * (`meter-evaluators.ts`), stored readings (`reading-evaluators.ts`) and this process (`process-evaluators.ts`).
 */
const EVALUATORS: Record<AlertRuleKind, Evaluator> = {
  heartbeat_missing: heartbeatMissing,
  uplink_down: uplinkOrBacklog,
  backlog_size: uplinkOrBacklog,
  queue_full: queueFull,
  site_database_down: siteDatabaseDown,
  meter_wrong_device: meterWrongDevice,
  meter_unreachable: meterSilent,
  no_data: meterSilent,
  threshold: thresholdBreach,
  daily_energy: dailyEnergy,
  api_error_rate: apiErrorRate,
  database_down: async () => emptyResult(), // the engine handles it itself, in memory
};

/** Evaluate one rule now. `threshold` is the effective one (the rule's override or the environment default). */
export async function evaluateRule(rule: RuleRow, threshold: number, ctx: EvalContext): Promise<EvalResult> {
  const evaluate = (EVALUATORS as Partial<Record<string, Evaluator>>)[rule.kind];
  return evaluate ? evaluate(rule, threshold, ctx) : emptyResult();
}
