import type { Request } from 'express';
import { body, validationResult, type ValidationChain } from 'express-validator';
import { UNSTORABLE_TEXT } from '@meterit/shared';
import { validationFailed } from '../errors.js';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Run express-validator chains and return every problem (empty when the request is fine). */
export async function collectProblems(req: Request, chains: ValidationChain[]): Promise<FieldProblem[]> {
  for (const chain of chains) await chain.run(req);
  return validationResult(req)
    .array()
    .map((e) => ({ field: e.type === 'field' ? e.path || '(body)' : e.type, message: String(e.msg) }));
}

/** Run chains; on any problem throw 400 VALIDATION_FAILED naming every bad field. */
export async function validateOrThrow(req: Request, chains: ValidationChain[]): Promise<void> {
  const problems = await collectProblems(req, chains);
  if (problems.length > 0) {
    const summary = problems
      .slice(0, 5)
      .map((p) => `${p.field}: ${p.message}`)
      .join('; ');
    throw validationFailed(
      `invalid request: ${summary}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems,
    );
  }
}

/** A custom validator from a function that returns the problem as text, or undefined when the value is fine. */
export function check(problem: (value: unknown) => string | undefined): (value: unknown) => true {
  return (value) => {
    const p = problem(value);
    if (p !== undefined) throw new Error(p);
    return true;
  };
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a text cannot be stored (PostgreSQL refuses NUL, the driver would turn a lone UTF-16 surrogate into U+FFFD), or undefined. */
export const unstorableProblem = (name: string, v: string): string | undefined =>
  UNSTORABLE_TEXT.test(v)
    ? `${name} contains a character that cannot be stored (NUL \\u0000 or a lone UTF-16 surrogate)`
    : undefined;

/**
 * 400 for top-level fields the request does not take. Without it a misspelt field ({"is_actve": false}),
 * or a body of nothing but unknown keys, is ignored and the answer looks like success.
 */
export const onlyFields = (...fields: string[]) =>
  body().custom(
    check((v) => {
      if (!isPlainObject(v)) return undefined;
      const unknown = Object.keys(v).filter((k) => !fields.includes(k));
      if (unknown.length === 0) return undefined;
      return `unknown field${unknown.length > 1 ? 's' : ''} ${unknown
        .slice(0, 5)
        .map((k) => JSON.stringify(k.slice(0, 40)))
        .join(
          ', ',
        )}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}; this request takes ${fields.join(', ')}`;
    }),
  );

/** A body that may be left out, but when sent is a JSON object of only these fields (each then checked by the route). */
export const optionalObjectBody = (...fields: string[]): ValidationChain[] => [
  body()
    .custom(
      check((v) =>
        v === undefined || isPlainObject(v)
          ? undefined
          : `the body must be a JSON object {${fields.map((f) => `"${f}"?`).join(', ')}} or left out, got ${describeType(v)}`,
      ),
    )
    .bail(),
  onlyFields(...fields),
];

export const stringProblem = (name: string, min: number, max: number) => (v: unknown) => {
  if (v === undefined) return `${name} is required`;
  if (typeof v !== 'string') return `${name} must be a string, got ${describeType(v)}`;
  const unstorable = unstorableProblem(name, v);
  if (unstorable) return unstorable;
  if (v.length < min || v.length > max) return `${name} must be ${min} to ${max} characters long, got ${v.length}`;
  return undefined;
};

export const integerProblem =
  (name: string, min: number, max: number, opts: { optional?: boolean } = {}) =>
  (v: unknown) => {
    if (v === undefined) return opts.optional ? undefined : `${name} is required`;
    if (typeof v !== 'number' || !Number.isInteger(v)) return `${name} must be an integer, got ${describeType(v)}`;
    if (v < min || v > max) return `${name} must be between ${min} and ${max}, got ${v}`;
    return undefined;
  };

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : 'a non-finite number';
  return `a ${typeof v}`;
}
