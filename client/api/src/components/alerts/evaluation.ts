import type { ReadingsService } from '../readings/readings-service.js';
import type { AlertsConfig } from './alerts-config.js';
import type { ResponseCounter } from './response-counter.js';
import type { RuleInputsRepository } from './rule-inputs-repository.js';
import type { RuleRow } from './rules-repository.js';

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
  inputs: RuleInputsRepository;
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

export const emptyResult = (): EvalResult => ({ observations: [], hold: new Set() });

/** One rule kind's evaluation. `threshold` is the effective one (the rule's override or the environment default). */
export type Evaluator = (rule: RuleRow, threshold: number, ctx: EvalContext) => Promise<EvalResult>;

/** The site and meter a rule covers (null: every one). */
export function ruleScope(rule: Pick<RuleRow, 'scope' | 'site_id' | 'meter_id'>): {
  siteId: number | null;
  meterId: number | null;
} {
  return {
    siteId: rule.scope === 'all' ? null : rule.site_id,
    meterId: rule.scope === 'meter' ? rule.meter_id : null,
  };
}

/**
 * A heartbeat recent enough (ALERT_HEARTBEAT_MISSING_MINUTES) to say anything about its site now. As a type guard it
 * narrows `at` to a Date when true; false may also mean a stale one.
 */
export function heartbeatFresh(at: Date | null, ctx: Pick<EvalContext, 'now' | 'config'>): at is Date {
  return at !== null && ctx.now.getTime() - at.getTime() <= ctx.config.heartbeatMissingMinutes * 60_000;
}
