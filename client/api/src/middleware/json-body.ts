import express, { type Request, type RequestHandler } from 'express';
import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../errors.js';

/** The request says it carries a body (a length other than 0, or chunked). */
function bodySent(req: Request): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
}

/**
 * The client closed the connection before we read its body: an agent whose request timed out while the API was
 * stalled (a long GC pause, a stopped process, an overloaded host) has given up on it and will send it again. Node
 * has already thrown the unread body away, and body-parser then skips the body (on-finished sees the connection
 * ended) without an error, leaving `req.body` undefined: the route went on and answered a 400 "the body must be a
 * JSON object" (before: "agent_version is required") to nobody, one per abandoned request after every stall.
 */
function abandoned(req: Request): boolean {
  const socket = req.socket as Request['socket'] | null;
  return bodySent(req) && (req.destroyed || !socket || socket.destroyed || !socket.readable);
}

/**
 * Run a body parser unless the client has gone: an abandoned request is not processed at all (no route, no
 * validation, no answer nobody reads), only logged. A body cut off by the client while it was being read
 * (raw-body's `request.aborted`) is the same case.
 */
function unlessAbandoned(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const drop = (why: string) => {
      req.log.info('request abandoned by the client; not processed', {
        method: req.method,
        path: req.baseUrl + req.path,
        why,
      });
      res.destroy();
    };
    if (abandoned(req)) {
      drop('the connection closed before the body was read');
      return;
    }
    parse(req, res, (err?: unknown) => {
      if (
        (err as { type?: unknown } | undefined)?.type === 'request.aborted' ||
        (!err && abandoned(req) && req.body === undefined)
      ) {
        drop('the connection closed while the body was read');
        return;
      }
      next(err);
    });
  };
}

/**
 * The JSON body parser of the sync routes: gzip/deflate/br bodies are inflated and the limit applies to the decoded
 * size, so a small gzip bomb cannot expand past it.
 */
export function jsonBody(limit: string): RequestHandler {
  return unlessAbandoned(express.json({ limit, inflate: true, strict: true }));
}

/**
 * The JSON body parser of the operator routes, refusing a body sent in another Content-Type. The JSON
 * parser leaves such a body alone, and a route whose fields are all optional (a key rotation with its
 * grace_hours) would go on as if nothing had been sent: `grace_hours: 0` as text/plain would rotate
 * with the default grace period instead.
 */
export function jsonOnlyBody(limit: string): RequestHandler {
  // Not `unlessAbandoned`: an operator's request is read even when its connection looks finished (a route's router
  // may run a parser after an earlier one consumed the stream); the stall case that check is for is the agents'.
  const parse = express.json({ limit, strict: true });
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      if (req.body === undefined && bodySent(req) && req.method !== 'GET' && req.method !== 'HEAD') {
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
