import { query } from 'express-validator';
import { check, describeType, unstorableProblem } from './validate.js';
import { parseStrictIso } from '../components/readings/timestamps.js';
import { isTimeZone } from '../components/readings/buckets.js';

const optional = (problem: (v: unknown) => string | undefined) => (v: unknown) =>
  v === undefined ? undefined : problem(v);

export const isoQuery = (name: string) =>
  query(name).custom(
    check(
      optional((v) => {
        if (typeof v !== 'string') return `${name} must be given once, as an ISO-8601 time`;
        const p = parseStrictIso(v);
        return 'problem' in p ? `${name} ${p.problem}` : undefined;
      }),
    ),
  );

export const idQuery = (name: string) =>
  query(name).custom(
    check(
      optional((v) =>
        typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v) && Number(v) < 2 ** 31
          ? undefined
          : `${name} must be a positive integer id, got ${describeType(v)}`,
      ),
    ),
  );

/** One id or a comma-separated list. */
export const idListQuery = (name: string) =>
  query(name).custom(
    check(
      optional((v) =>
        typeof v === 'string' && /^[1-9]\d{0,9}(,[1-9]\d{0,9}){0,999}$/.test(v)
          ? undefined
          : `${name} must be a site id or a comma-separated list of them, got ${describeType(v)}`,
      ),
    ),
  );

export const enumQuery = (name: string, values: readonly string[]) =>
  query(name).custom(
    check(
      optional((v) =>
        typeof v === 'string' && values.includes(v)
          ? undefined
          : `${name} must be one of ${values.join(', ')}, got ${describeType(v)}`,
      ),
    ),
  );

export const textQuery = (name: string, max: number) =>
  query(name).custom(
    check(
      optional((v) =>
        typeof v === 'string' && v.length >= 1 && v.length <= max
          ? unstorableProblem(name, v)
          : `${name} must be given once, 1 to ${max} characters`,
      ),
    ),
  );

export const intQuery = (name: string, min: number, max: number) =>
  query(name).custom(
    check(
      optional((v) =>
        typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max
          ? undefined
          : `${name} must be a whole number from ${min} to ${max}, got ${describeType(v)}`,
      ),
    ),
  );

export const boolQuery = (name: string) => enumQuery(name, ['true', 'false', '1', '0']);

export const tzQuery = () =>
  query('tz').custom(
    check(
      optional((v) =>
        typeof v === 'string' && isTimeZone(v)
          ? undefined
          : `tz must be an IANA time zone such as Europe/Berlin or UTC, got ${describeType(v)}`,
      ),
    ),
  );

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'string' ? Number(v) : undefined);
export const ids = (v: unknown): number[] | undefined => (typeof v === 'string' ? v.split(',').map(Number) : undefined);
export const bool = (v: unknown): boolean | undefined =>
  typeof v === 'string' ? v === 'true' || v === '1' : undefined;
export const time = (v: unknown): Date | undefined => {
  if (typeof v !== 'string') return undefined;
  const p = parseStrictIso(v);
  return 'ms' in p ? new Date(p.ms) : undefined;
};
