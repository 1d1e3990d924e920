import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode, type ApiErrorBody, type ErrorCodeValue } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import { ApiError, type AnyErrorCode } from '../errors.js';
import { isDatabaseUnavailable } from '../db/index.js';

interface Answer {
  status: number;
  code: AnyErrorCode;
  message: string;
  details?: unknown;
  extraBody?: Record<string, unknown> | undefined;
}

/**
 * A body its Content-Encoding cannot decode: zlib names gzip/deflate failures Z_*, the Brotli decoder ERR__ERROR_* or
 * ERR_BROTLI_* (a broken Brotli body was a 500, so 40 of them fired the API error-rate alert); body-parser has made each
 * a 400 (a zlib error with an errno).
 */
function isUndecodableBody(err: { code?: unknown; errno?: unknown; status?: unknown }): boolean {
  if (
    typeof err.code === 'string' &&
    (err.code.startsWith('Z_') || err.code.startsWith('ERR__ERROR') || err.code.startsWith('ERR_BROTLI'))
  )
    return true;
  return typeof err.errno === 'number' && err.status === 400;
}

/** body-parser / raw-body / zlib errors carry a `type` or a zlib `code`; map them to our codes. */
function fromBodyParser(
  err: { type?: unknown; code?: unknown; message?: unknown; limit?: unknown; errno?: unknown; status?: unknown },
  bodyLimit: string,
  encoding?: string,
): Answer | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return {
        status: 413,
        code: ErrorCode.BODY_TOO_LARGE,
        message: `request body is larger than the limit of ${bodyLimit} (measured after gzip decoding); send fewer readings per batch`,
        details: { limit_bytes: typeof err.limit === 'number' ? err.limit : undefined },
      };
    case 'entity.parse.failed':
      return {
        status: 400,
        code: ErrorCode.MALFORMED_BODY,
        message: `request body is not valid JSON: ${String(err.message)}`,
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        code: ErrorCode.MALFORMED_BODY,
        message: `${String(err.message)}; send JSON, optionally with Content-Encoding: gzip, deflate or br`,
      };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return {
        status: 400,
        code: ErrorCode.MALFORMED_BODY,
        message: `request body could not be read: ${String(err.message)}`,
      };
  }
  if (isUndecodableBody(err)) {
    return {
      status: 400,
      code: ErrorCode.MALFORMED_BODY,
      message: `request body could not be decoded as ${encoding ?? 'its Content-Encoding'} (${String(err.message)}); send it compressed as Content-Encoding says (gzip, deflate or br), or uncompressed without that header`,
    };
  }
  // A path with broken percent-encoding (/api/sites/%ff) fails in the router's decodeURIComponent: bad input, not a fault.
  if (err instanceof URIError)
    return {
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      message: `the URL is not valid percent-encoding: ${String(err.message)}`,
    };
  // PostgreSQL cannot store NUL (\u0000) or a lone UTF-16 surrogate in text (22021, 22P05): bad input that validation let through.
  if (err.code === '22021' || err.code === '22P05')
    return {
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      message:
        'a text field contains a character that cannot be stored (NUL \\u0000 or a lone UTF-16 surrogate); remove it and send again',
    };
  return undefined;
}

/** The one place errors become responses: always JSON ApiErrorBody, never a 500 for bad input. */
export function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const log = req.log ?? logger;
    let answer: Answer;
    if (err instanceof ApiError) {
      answer = {
        status: err.status,
        code: err.code,
        message: err.message,
        details: err.details,
        extraBody: err.extraBody,
      };
    } else if (err && typeof err === 'object' && fromBodyParser(err, bodyLimit, req.get('content-encoding'))) {
      answer = fromBodyParser(err, bodyLimit, req.get('content-encoding')) as Answer;
    } else if (isDatabaseUnavailable(err)) {
      log.warn('database unavailable', { err: err instanceof Error ? err.message : String(err) });
      answer = { status: 503, code: ErrorCode.UNAVAILABLE, message: 'the database is not available; retry later' };
      res.setHeader('Retry-After', '5');
    } else {
      log.error('unhandled error', {
        err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
      });
      answer = {
        status: 500,
        code: ErrorCode.INTERNAL,
        message: `unexpected server error; it was logged with request id ${req.requestId}`,
      };
    }
    if (answer.status < 500)
      log.info('request rejected', { status: answer.status, code: answer.code, reason: answer.message });
    const body: ApiErrorBody = {
      error: {
        code: answer.code as ErrorCodeValue,
        message: answer.message,
        ...(answer.details === undefined ? {} : { details: answer.details }),
        request_id: req.requestId,
      },
    };
    res.status(answer.status).json({ ...answer.extraBody, ...body });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, ErrorCode.NOT_FOUND, `no route ${req.method} ${req.path}`));
};
