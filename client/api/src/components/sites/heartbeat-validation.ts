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

const meterStatesProblem = (v: unknown) => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return `meter_states must be an array, got ${describeType(v)}`;
  if (v.length > MAX_METER_STATES) return `meter_states may list at most ${MAX_METER_STATES} meters, got ${v.length}`;
  const ids = v.map((e: unknown) => (isPlainObject(e) ? e.external_id : undefined)).filter((id): id is string => typeof id === 'string');
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  return dup === undefined ? undefined : `meter_states lists the meter ${JSON.stringify(dup.slice(0, 40))} twice`;
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
  body('meter_states').custom(check(meterStatesProblem)).bail(),
  body('meter_states.*').custom(check((v) => (isPlainObject(v) ? undefined : `each meter_states entry must be an object, got ${describeType(v)}`))).bail(),
  body('meter_states.*.external_id').custom(check(stringProblem('external_id', 1, 255))),
  body('meter_states.*.state').custom(check((v) => (METER_AGENT_STATES.includes(v as MeterAgentState) ? undefined : `state must be one of ${METER_AGENT_STATES.join(', ')}, got ${describeType(v)}`))),
  body('meter_states.*.since').custom(check(isoProblem('since', true))),
  body('meter_states.*.last_success_at').custom(check(isoProblem('last_success_at', true))),
  body('meter_states.*.error').custom(check(optionalText('error', 1000))),
  body('meter_states.*.points_failing').custom(check(integerProblem('points_failing', 0, 100_000))),
  body('meter_states.*.expected_device_id').custom(check(optionalDeviceId('expected_device_id'))),
  body('meter_states.*.found_device_id').custom(check(optionalDeviceId('found_device_id'))),
];
