import { body } from 'express-validator';
import type { MeterAgentState } from '@meterit/shared';
import { check, describeType, integerProblem, isPlainObject, stringProblem } from '../../middleware/validate.js';
import { parseStrictIso } from '../readings/timestamps.js';

const isoProblem = (name: string, nullable: boolean) => (v: unknown) => {
  if (v === undefined) return `${name} is required${nullable ? ' (null when not applicable)' : ''}`;
  if (v === null) return nullable ? undefined : `${name} must not be null`;
  if (typeof v !== 'string') return `${name} must be an ISO-8601 string, got ${describeType(v)}`;
  const parsed = parseStrictIso(v);
  return 'problem' in parsed ? `${name} ${parsed.problem}` : undefined;
};

const count = (name: string) => integerProblem(name, 0, Number.MAX_SAFE_INTEGER);

/** More meters than any site has; a bigger list is a broken agent, not a site. */
export const MAX_METER_STATES = 10_000;
const METER_AGENT_STATES: readonly MeterAgentState[] = ['ok', 'degraded', 'not_answering', 'never_answered', 'wrong_device'];
const optionalDeviceId = (name: string) => (v: unknown) => (v === undefined || v === null ? undefined : integerProblem(name, 0, 4_194_303)(v));
const optionalText = (name: string, max: number) => (v: unknown) => (v === null ? undefined : v === undefined ? `${name} is required (null when none)` : stringProblem(name, 0, max)(v));

function meterStateProblems(v: unknown, i: number): string[] {
  const at = `meter_states[${i}]`;
  if (!isPlainObject(v)) return [`${at} must be an object, got ${describeType(v)}`];
  return [
    stringProblem(`${at}.external_id`, 1, 255)(v.external_id),
    METER_AGENT_STATES.includes(v.state as MeterAgentState) ? undefined : `${at}.state must be one of ${METER_AGENT_STATES.join(', ')}, got ${describeType(v.state)}`,
    isoProblem(`${at}.since`, true)(v.since),
    isoProblem(`${at}.last_success_at`, true)(v.last_success_at),
    optionalText(`${at}.error`, 1000)(v.error),
    integerProblem(`${at}.points_failing`, 0, 100_000)(v.points_failing),
    optionalDeviceId(`${at}.expected_device_id`)(v.expected_device_id),
    optionalDeviceId(`${at}.found_device_id`)(v.found_device_id),
  ].filter((p): p is string => p !== undefined);
}

/**
 * The whole list in one plain loop (like the readings of a batch): express-validator's `meter_states.*`
 * wildcards took ~1.5 ms per entry, 30 s of blocked event loop for 20,000 entries. The first five problems
 * are named, each with its entry and field.
 */
const meterStatesProblem = (v: unknown) => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return `meter_states must be an array, got ${describeType(v)}`;
  if (v.length > MAX_METER_STATES) return `meter_states may list at most ${MAX_METER_STATES} meters, got ${v.length}`;
  const problems: string[] = [];
  const seen = new Set<unknown>();
  for (let i = 0; i < v.length && problems.length <= 5; i++) {
    const entry: unknown = v[i];
    problems.push(...meterStateProblems(entry, i));
    const id = isPlainObject(entry) ? entry.external_id : undefined;
    if (typeof id === 'string' && seen.has(id)) problems.push(`meter_states[${i}] lists the meter ${JSON.stringify(id.slice(0, 40))} a second time`);
    seen.add(id);
  }
  return problems.length === 0 ? undefined : problems.slice(0, 5).join('; ') + (problems.length > 5 ? '; and more' : '');
};

export const heartbeatChains = () => [
  body().custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object'))).bail(),
  body('agent_version').custom(check(stringProblem('agent_version', 1, 64))),
  body('agent_time').custom(check(isoProblem('agent_time', false))),
  body('collecting').custom(check((v) => (typeof v === 'boolean' ? undefined : `collecting must be a boolean, got ${describeType(v)}`))),
  body('queue_depth').custom(check(count('queue_depth'))),
  body('oldest_unsent_at').custom(check(isoProblem('oldest_unsent_at', true))),
  body('dead_letters').custom(check(count('dead_letters'))),
  body('uplink_down_since').custom(check(isoProblem('uplink_down_since', true))),
  body('last_sync_at').custom(check(isoProblem('last_sync_at', true))),
  body('meters').custom(check((v) => (isPlainObject(v) ? undefined : `meters must be an object, got ${describeType(v)}`))),
  body('meters.configured').custom(check(count('meters.configured'))),
  body('meters.ok').custom(check(count('meters.ok'))),
  body('meters.failing').custom(check(count('meters.failing'))),
  body('meters.never_answered').custom(check(count('meters.never_answered'))),
  // Optional: the queue's storage limit and what its policy did (agents since the storage-limit policy).
  body('queue_limit').custom(check((v) => (v === undefined || isPlainObject(v) ? undefined : `queue_limit must be an object, got ${describeType(v)}`))),
  body('queue_limit.max').optional().custom(check(count('queue_limit.max'))),
  body('queue_limit.policy').optional().custom(check((v) => (v === 'drop-oldest' || v === 'stop-collecting' ? undefined : 'queue_limit.policy must be drop-oldest or stop-collecting'))),
  body('queue_limit.dropped').optional().custom(check(count('queue_limit.dropped'))),
  body('queue_limit.refused').optional().custom(check(count('queue_limit.refused'))),
  body('queue_limit.full_since').optional().custom(check(isoProblem('queue_limit.full_since', true))),
  // Optional: each meter's state as the agent sees it (agents since the hardening issue).
  body('meter_states').custom(check(meterStatesProblem)),
];
