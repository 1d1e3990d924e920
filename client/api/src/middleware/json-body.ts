import express, { type RequestHandler } from 'express';
import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../errors.js';

/**
 * The JSON body parser of the operator routes, refusing a body sent in another Content-Type. The JSON
 * parser leaves such a body alone, and a route whose fields are all optional (a key rotation with its
 * grace_hours) would go on as if nothing had been sent: `grace_hours: 0` as text/plain would rotate
 * with the default grace period instead.
 */
export function jsonOnlyBody(limit: string): RequestHandler {
  const parse = express.json({ limit, strict: true });
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      const sent =
        req.headers['transfer-encoding'] !== undefined ||
        (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
      if (req.body === undefined && sent && req.method !== 'GET' && req.method !== 'HEAD') {
        next(
          new ApiError(
            415,
            ErrorCode.MALFORMED_BODY,
            `send the body as JSON (Content-Type: application/json); got ${req.get('content-type') ?? 'no Content-Type'}`,
          ),
        );
        return;
      }
      next();
    });
  };
}
