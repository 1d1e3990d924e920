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

const nullableText = (name: string, max: number) => (v: unknown) => {
  if (v === null) return undefined;
  return stringProblem(name, 0, max)(v)?.replace('is required', 'is required (null when none)');
};

const BBMD_ADDRESS = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}:\d{1,5}$/;

/** Optional (agents since the hardening issue): the registration with a BBMD, null when none is configured. */
const foreignDeviceProblem = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) return `foreign_device must be an object or null, got ${describeType(v)}`;
  return (
    stringProblem('foreign_device.bbmd', 1, 64)(v.bbmd) ??
    (BBMD_ADDRESS.test(v.bbmd as string)
      ? undefined
      : "foreign_device.bbmd must be the BBMD's IPv4 address and UDP port, e.g. 192.168.10.1:47808") ??
    (typeof v.registered === 'boolean'
      ? undefined
      : `foreign_device.registered must be a boolean, got ${describeType(v.registered)}`) ??
    isoProblem('foreign_device.last_registered_at', true)(v.last_registered_at) ??
    nullableText('foreign_device.last_error', 2000)(v.last_error)
  );
};

/** More meters than any site has; a bigger list is a broken agent, not a site. */
export const MAX_METER_STATES = 10_000;
const METER_AGENT_STATES: readonly MeterAgentState[] = [
  'ok',
  'degraded',
  'not_answering',
  'never_answered',
  'wrong_device',
];
const optionalDeviceId = (name: string) => (v: unknown) =>
  v === undefined || v === null ? undefined : integerProblem(name, 0, 4_194_303)(v);
const optionalText = (name: string, max: number) => (v: unknown) =>
  v === null ? undefined : v === undefined ? `${name} is required (null when none)` : stringProblem(name, 0, max)(v);

function meterStateProblems(v: unknown, i: number): string[] {
  const at = `meter_states[${i}]`;
  if (!isPlainObject(v)) return [`${at} must be an object, got ${describeType(v)}`];
  return [
    stringProblem(`${at}.external_id`, 1, 255)(v.external_id),
    METER_AGENT_STATES.includes(v.state as MeterAgentState)
      ? undefined
      : `${at}.state must be one of ${METER_AGENT_STATES.join(', ')}, got ${describeType(v.state)}`,
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
    if (typeof id === 'string' && seen.has(id))
      problems.push(`meter_states[${i}] lists the meter ${JSON.stringify(id.slice(0, 40))} a second time`);
    seen.add(id);
  }
  return problems.length === 0
    ? undefined
    : problems.slice(0, 5).join('; ') + (problems.length > 5 ? '; and more' : '');
};

export const heartbeatChains = () => [
  body()
    .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object')))
    .bail(),
  body('agent_version').custom(check(stringProblem('agent_version', 1, 64))),
  body('agent_time').custom(check(isoProblem('agent_time', false))),
  body('collecting').custom(
    check((v) => (typeof v === 'boolean' ? undefined : `collecting must be a boolean, got ${describeType(v)}`)),
  ),
  body('queue_depth').custom(check(count('queue_depth'))),
  body('oldest_unsent_at').custom(check(isoProblem('oldest_unsent_at', true))),
  body('dead_letters').custom(check(count('dead_letters'))),
  body('uplink_down_since').custom(check(isoProblem('uplink_down_since', true))),
  body('last_sync_at').custom(check(isoProblem('last_sync_at', true))),
  body('meters').custom(
    check((v) => (isPlainObject(v) ? undefined : `meters must be an object, got ${describeType(v)}`)),
  ),
  body('meters.configured').custom(check(count('meters.configured'))),
  body('meters.ok').custom(check(count('meters.ok'))),
  body('meters.failing').custom(check(count('meters.failing'))),
  body('meters.never_answered').custom(check(count('meters.never_answered'))),
  // Optional: the queue's storage limit and what its policy did (agents since the storage-limit policy).
  body('queue_limit').custom(
    check((v) =>
      v === undefined || isPlainObject(v) ? undefined : `queue_limit must be an object, got ${describeType(v)}`,
    ),
  ),
  body('queue_limit.max')
    .optional()
    .custom(check(count('queue_limit.max'))),
  body('queue_limit.policy')
    .optional()
    .custom(
      check((v) =>
        v === 'drop-oldest' || v === 'stop-collecting'
          ? undefined
          : 'queue_limit.policy must be drop-oldest or stop-collecting',
      ),
    ),
  body('queue_limit.dropped')
    .optional()
    .custom(check(count('queue_limit.dropped'))),
  body('queue_limit.refused')
    .optional()
    .custom(check(count('queue_limit.refused'))),
  body('queue_limit.full_since')
    .optional()
    .custom(check(isoProblem('queue_limit.full_since', true))),
  // Optional: the agent's own database (agents since the hardening issue); when sent, every field is checked.
  body('local_database')
    .custom(
      check((v) =>
        v === undefined || isPlainObject(v) ? undefined : `local_database must be an object, got ${describeType(v)}`,
      ),
    )
    .bail(),
  body('local_database.state')
    .if(body('local_database').exists())
    .custom(
      check((v) =>
        v === 'up' || v === 'restarting' || v === 'down'
          ? undefined
          : 'local_database.state must be up, restarting or down',
      ),
    ),
  body('local_database.since')
    .if(body('local_database').exists())
    .custom(check(isoProblem('local_database.since', false))),
  body('local_database.restarts')
    .if(body('local_database').exists())
    .custom(check(count('local_database.restarts'))),
  body('local_database.last_error')
    .if(body('local_database').exists())
    .custom(check((v) => (v === null ? undefined : stringProblem('local_database.last_error', 1, 1000)(v)))),
  body('local_database.spilled_readings')
    .if(body('local_database').exists())
    .custom(check(count('local_database.spilled_readings'))),
  body('foreign_device').custom(check(foreignDeviceProblem)),
  // Optional: each meter's state as the agent sees it (agents since the hardening issue).
  body('meter_states').custom(check(meterStatesProblem)),
];
