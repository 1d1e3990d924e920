import { body } from 'express-validator';
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
    (BBMD_ADDRESS.test(v.bbmd as string) ? undefined : "foreign_device.bbmd must be the BBMD's IPv4 address and UDP port, e.g. 192.168.10.1:47808") ??
    (typeof v.registered === 'boolean' ? undefined : `foreign_device.registered must be a boolean, got ${describeType(v.registered)}`) ??
    isoProblem('foreign_device.last_registered_at', true)(v.last_registered_at) ??
    nullableText('foreign_device.last_error', 2000)(v.last_error)
  );
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
  // Optional: the agent's own database (agents since the hardening issue); when sent, every field is checked.
  body('local_database').custom(check((v) => (v === undefined || isPlainObject(v) ? undefined : `local_database must be an object, got ${describeType(v)}`))).bail(),
  body('local_database.state')
    .if(body('local_database').exists())
    .custom(check((v) => (v === 'up' || v === 'restarting' || v === 'down' ? undefined : 'local_database.state must be up, restarting or down'))),
  body('local_database.since').if(body('local_database').exists()).custom(check(isoProblem('local_database.since', false))),
  body('local_database.restarts').if(body('local_database').exists()).custom(check(count('local_database.restarts'))),
  body('local_database.last_error')
    .if(body('local_database').exists())
    .custom(check((v) => (v === null ? undefined : stringProblem('local_database.last_error', 1, 1000)(v)))),
  body('local_database.spilled_readings').if(body('local_database').exists()).custom(check(count('local_database.spilled_readings'))),
  body('foreign_device').custom(check(foreignDeviceProblem)),
];
