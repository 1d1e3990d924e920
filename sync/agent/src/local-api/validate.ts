import type { Request, RequestHandler } from 'express';
import { matchedData, validationResult, type ValidationChain } from 'express-validator';
import { ErrorCode, UNSTORABLE_TEXT } from '@meterit/shared';
import { LocalApiError } from './errors.js';

const UNSTORABLE_MESSAGE = 'contains a character that cannot be used (NUL \\u0000 or a lone UTF-16 surrogate)';

/** Problems the chains cannot see: a query parameter given twice (or as a[]=, a[x]=), and characters no text column takes. */
function inputProblems(req: Request): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const [field, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string') out.push({ field, message: 'must be given once, as a single value' });
    else if (UNSTORABLE_TEXT.test(v)) out.push({ field, message: UNSTORABLE_MESSAGE });
  }
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [field, v] of Object.entries(body)) {
      if (typeof v === 'string' && UNSTORABLE_TEXT.test(v)) out.push({ field, message: UNSTORABLE_MESSAGE });
    }
  }
  return out;
}

/** Run the chains; on any problem answer 400 naming every bad field. Returns the sanitized values. */
export async function validated<T extends Record<string, unknown>>(
  req: Request,
  chains: ValidationChain[],
): Promise<T> {
  const early = inputProblems(req);
  if (early.length > 0) {
    throw new LocalApiError(
      400,
      ErrorCode.VALIDATION_FAILED,
      `invalid request: ${early.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      early,
    );
  }
  for (const chain of chains) await chain.run(req);
  const problems = validationResult(req)
    .array()
    .map((e) => ({ field: e.type === 'field' ? e.path || '(body)' : e.type, message: String(e.msg) }));
  if (problems.length > 0) {
    throw new LocalApiError(
      400,
      ErrorCode.VALIDATION_FAILED,
      `invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return matchedData(req, { includeOptionals: false }) as T;
}

/**
 * A control action's body, when it has one, is a JSON object with only the fields the action
 * takes: a stray array, form or text body is refused rather than acted on.
 */
export function jsonObjectBody(fields: string[]): RequestHandler {
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
