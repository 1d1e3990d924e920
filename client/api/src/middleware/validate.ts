import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { fieldName } from '@meterit/shared';
import { validationFailed } from '../errors.js';

export interface FieldProblem {
  field: string;
  message: string;
}

/** The schemas of one route (from @meterit/shared): each part of the request that the route reads. */
export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** What a route's handler gets: each part parsed (coerced, trimmed, defaulted) and typed by its schema. */
export type Parsed<S extends RequestSchemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never;
};

/** Every problem of `value` under `schema`, each named by its field's path (`meters[0].data_points[1].name`). */
export function problemsOf(schema: z.ZodType, value: unknown): { data?: unknown; problems: FieldProblem[] } {
  const r = schema.safeParse(value);
  if (r.success) return { data: r.data, problems: [] };
  return { problems: r.error.issues.map((i) => ({ field: fieldName(i.path), message: i.message })) };
}

/** 400 VALIDATION_FAILED naming every bad field (the first five in the message, all in `details`). */
export function rejectProblems(problems: FieldProblem[]): never {
  const summary = problems
    .slice(0, 5)
    .map((p) => `${p.field}: ${p.message}`)
    .join('; ');
  throw validationFailed(
    `invalid request: ${summary}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    problems,
  );
}

/** Parse one value with its schema, or throw the 400 naming each bad field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const { data, problems } = problemsOf(schema, value);
  if (problems.length > 0) rejectProblems(problems);
  return data as z.output<T>;
}

/** validate(schemas) as a middleware, and the typed accessor of what it parsed. */
export interface Validator<S extends RequestSchemas> extends RequestHandler {
  /** The request's parsed parts; only in a handler after this middleware. */
  parsed(req: Request): Parsed<S>;
}

/**
 * Parse the request's params, query and body with the route's schemas. Every problem of every part is a 400
 * VALIDATION_FAILED naming each bad field; otherwise the parsed values are kept for the handler, which reads
 * them with `validator.parsed(req)` (never `req.body` / `req.query` as sent).
 */
export function validate<S extends RequestSchemas>(schemas: S): Validator<S> {
  const results = new WeakMap<Request, Parsed<S>>();
  const parts = (['params', 'query', 'body'] as const).filter((p) => schemas[p] !== undefined);
  const handler: RequestHandler = (req, _res, next) => {
    const parsed: Record<string, unknown> = {};
    const problems: FieldProblem[] = [];
    for (const part of parts) {
      const r = problemsOf(schemas[part] as z.ZodType, req[part]);
      problems.push(...r.problems);
      parsed[part] = r.data;
    }
    if (problems.length > 0) rejectProblems(problems);
    results.set(req, parsed as Parsed<S>);
    next();
  };
  return Object.assign(handler, {
    parsed(req: Request): Parsed<S> {
      const p = results.get(req);
      if (!p) throw new Error('validate(): parsed() called in a handler this validator did not run before');
      return p;
    },
  });
}
