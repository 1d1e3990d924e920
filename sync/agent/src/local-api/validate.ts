import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { ErrorCode, UNSTORABLE_TEXT } from '@meterit/shared';
import { UNSTORABLE_TEXT_PROBLEM } from '@meterit/shared/site-contracts';
import { LocalApiError } from './errors.js';

interface Problem {
  field: string;
  message: string;
}

function refuse(problems: Problem[]): LocalApiError {
  return new LocalApiError(
    400,
    ErrorCode.VALIDATION_FAILED,
    `invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    problems,
  );
}

/** Problems a schema cannot see: a query parameter given twice (or as a[]=, a[x]=), and characters no text column takes. */
function inputProblems(req: Request): Problem[] {
  const out: Problem[] = [];
  for (const [field, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string') out.push({ field, message: 'must be given once, as a single value' });
    else if (UNSTORABLE_TEXT.test(v)) out.push({ field, message: UNSTORABLE_TEXT_PROBLEM });
  }
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [field, v] of Object.entries(body)) {
      if (typeof v === 'string' && UNSTORABLE_TEXT.test(v)) out.push({ field, message: UNSTORABLE_TEXT_PROBLEM });
    }
  }
  return out;
}

/** A zod issue's path as the answer names the field: ids[0], a.b; the body itself is "(body)". */
function fieldOf(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(body)';
}

function parsed<S extends z.ZodType>(req: Request, schema: S, input: unknown): z.output<S> {
  const early = inputProblems(req);
  if (early.length > 0) throw refuse(early);
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const issue of r.error.issues) {
    const p = { field: fieldOf(issue.path), message: issue.message };
    const key = `${p.field}\n${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  throw refuse(problems);
}

/** The query string read by its schema from @meterit/shared/site-contracts; any problem is a 400 naming every bad field. */
export function validQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parsed(req, schema, req.query ?? {});
}

/** The JSON body (none: an empty object) read by its schema; any problem is a 400 naming every bad field. */
export function validBody<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parsed(req, schema, req.body ?? {});
}

/**
 * A control action's body, when it has one, is a JSON object with only the fields its schema names:
 * a stray array, form or text body is refused rather than acted on.
 */
export function jsonObjectBody(schema: z.ZodObject): RequestHandler {
  const fields = Object.keys(schema.shape);
  return (req, _res, next) => {
    const sent = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!sent) {
      next();
      return;
    }
    if (!req.is('application/json')) {
      next(
        new LocalApiError(
          415,
          ErrorCode.MALFORMED_BODY,
          'send the body as JSON (Content-Type: application/json), or send no body',
        ),
      );
      return;
    }
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      next(
        new LocalApiError(
          400,
          ErrorCode.VALIDATION_FAILED,
          `invalid request: the body must be a JSON object${fields.length ? ` with ${fields.join(', ')}` : ''}`,
        ),
      );
      return;
    }
    const unknown = Object.keys(body).filter((k) => !fields.includes(k));
    if (unknown.length > 0) {
      next(
        new LocalApiError(
          400,
          ErrorCode.VALIDATION_FAILED,
          `invalid request: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}; this action takes ${fields.length ? fields.join(', ') : 'no fields'}`,
        ),
      );
      return;
    }
    next();
  };
}
