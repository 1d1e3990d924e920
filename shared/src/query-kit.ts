// Query parameters: each optional, each given once as text, parsed into the value the route uses
// (a Date, a number, a list of ids, a boolean). Browser-safe: no Node imports.
import { z } from 'zod';
import { UNSTORABLE_TEXT } from './constants.js';
import { describeType, fieldName, type IssueAt } from './schema-kit.js';
import { isTimeZone, parseStrictIso } from './timestamps.js';

const at = (iss: IssueAt) => fieldName(iss.path);
/** A query text that passes `ok`, else "<name> <problem>"; absent is fine (undefined). */
const param = (ok: (v: string) => boolean, problem: (iss: IssueAt) => string) =>
  z.string({ error: problem }).refine(ok, { error: problem, abort: true }).optional();

/** An ISO-8601 instant, as a Date. */
export const isoQuery = () =>
  z
    .string({ error: (iss) => `${at(iss)} must be given once, as an ISO-8601 time` })
    .refine((v) => 'ms' in parseStrictIso(v), {
      error: (iss) => {
        const p = parseStrictIso(String(iss.input));
        return `${at(iss)} ${'problem' in p ? p.problem : 'is not an ISO-8601 time'}`;
      },
      abort: true,
    })
    .transform((v) => new Date((parseStrictIso(v) as { ms: number }).ms))
    .optional();

const ID = /^[1-9]\d{0,9}$/;

/** One positive integer id, as a number. */
export const idQuery = () =>
  param(
    (v) => ID.test(v) && Number(v) < 2 ** 31,
    (iss) => `${at(iss)} must be a positive integer id, got ${describeType(iss.input)}`,
  ).transform((v) => (v === undefined ? undefined : Number(v)));

/** One id or a comma-separated list, as numbers. */
export const idListQuery = () =>
  param(
    (v) => /^[1-9]\d{0,9}(,[1-9]\d{0,9}){0,999}$/.test(v),
    (iss) => `${at(iss)} must be a site id or a comma-separated list of them, got ${describeType(iss.input)}`,
  ).transform((v) => (v === undefined ? undefined : v.split(',').map(Number)));

/** One of `values`. */
export const enumQuery = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .enum(values, {
      error: (iss) => `${at(iss)} must be one of ${values.join(', ')}, got ${describeType(iss.input)}`,
    })
    .optional();

/** Text of 1 to `max` characters PostgreSQL can store. */
export const textQuery = (max: number) =>
  z
    .string({ error: (iss) => `${at(iss)} must be given once, 1 to ${max} characters` })
    .refine((v) => v.length >= 1 && v.length <= max, {
      error: (iss) => `${at(iss)} must be given once, 1 to ${max} characters`,
      abort: true,
    })
    .refine((v) => !UNSTORABLE_TEXT.test(v), {
      error: (iss) => `${at(iss)} contains a character that cannot be stored (NUL \\u0000 or a lone UTF-16 surrogate)`,
      abort: true,
    })
    .optional();

/** A whole number from `min` to `max`, as a number. */
export const intQuery = (min: number, max: number) =>
  param(
    (v) => /^\d{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max,
    (iss) => `${at(iss)} must be a whole number from ${min} to ${max}, got ${describeType(iss.input)}`,
  ).transform((v) => (v === undefined ? undefined : Number(v)));

/** true/false/1/0, as a boolean. */
export const boolQuery = () =>
  enumQuery(['true', 'false', '1', '0']).transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** An IANA time zone (Europe/Berlin, UTC). */
export const tzQuery = () =>
  param(
    isTimeZone,
    (iss) => `tz must be an IANA time zone such as Europe/Berlin or UTC, got ${describeType(iss.input)}`,
  );
