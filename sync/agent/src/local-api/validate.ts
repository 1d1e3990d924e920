import type { Request } from 'express';
import { matchedData, validationResult, type ValidationChain } from 'express-validator';
import { ErrorCode } from '@meterit/shared';
import { LocalApiError } from './errors.js';

/** Run the chains; on any problem answer 400 naming every bad field. Returns the sanitized values. */
export async function validated<T extends Record<string, unknown>>(req: Request, chains: ValidationChain[]): Promise<T> {
  for (const chain of chains) await chain.run(req);
  const problems = validationResult(req)
    .array()
    .map((e) => ({ field: e.type === 'field' ? e.path || '(body)' : e.type, message: String(e.msg) }));
  if (problems.length > 0) {
    throw new LocalApiError(400, ErrorCode.VALIDATION_FAILED, `invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
  return matchedData(req, { includeOptionals: false }) as T;
}
