import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode, type ApiErrorBody, type ErrorCodeValue } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';

/** An error the error middleware answers as-is: status, code, a message for people, optional details. */
export class LocalApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCodeValue,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LocalApiError';
  }
}

/** body-parser errors carry a `type`, zlib errors a `Z_` code, PostgreSQL text errors an SQLSTATE; map them to 4xx answers. */
function fromBodyParser(err: {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  status?: unknown;
}): LocalApiError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new LocalApiError(413, ErrorCode.BODY_TOO_LARGE, 'request body is too large for the local API');
    case 'entity.parse.failed':
      return new LocalApiError(400, ErrorCode.MALFORMED_BODY, `request body is not valid JSON: ${String(err.message)}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.aborted':
    case 'request.size.invalid':
      return new LocalApiError(400, ErrorCode.MALFORMED_BODY, `request body could not be read: ${String(err.message)}`);
  }
  // zlib names gzip/deflate failures Z_*, the Brotli decoder ERR__ERROR_* / ERR_BROTLI_* (a broken Brotli body was a 500).
  if (
    (typeof err.code === 'string' &&
      (err.code.startsWith('Z_') || err.code.startsWith('ERR__ERROR') || err.code.startsWith('ERR_BROTLI'))) ||
    (typeof err.errno === 'number' && err.status === 400)
  ) {
    return new LocalApiError(
      400,
      ErrorCode.MALFORMED_BODY,
      `request body could not be decoded (Content-Encoding): ${String(err.message)}`,
    );
  }
  // Backstop for text no column can hold (NUL, lone surrogates): the caller's input, not our fault.
  if (err.code === '22021' || err.code === '22P05') {
    return new LocalApiError(
      400,
      ErrorCode.VALIDATION_FAILED,
      'a text value contains a character that cannot be stored (NUL \\u0000 or a lone UTF-16 surrogate)',
    );
  }
  return undefined;
}

/** The one place errors become responses: JSON ApiErrorBody; 5xx only for our own faults. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let e: LocalApiError;
    if (err instanceof LocalApiError) e = err;
    else if (err && typeof err === 'object' && fromBodyParser(err)) e = fromBodyParser(err) as LocalApiError;
    else {
      logger.error('local API request failed', {
        method: req.method,
        path: req.path,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      e = new LocalApiError(500, ErrorCode.INTERNAL, 'the agent could not answer this request; its log says why');
    }
    if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="meterit-site"');
    const body: ApiErrorBody = {
      error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) },
    };
    res.status(e.status).json(body);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new LocalApiError(404, ErrorCode.NOT_FOUND, `no route ${req.method} ${req.path}`));
};
