import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { REQUEST_ID_HEADER } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import '../types.js';

// Ids from agents end up in logs and headers: accept only short, boring tokens.
const REQUEST_ID_FORMAT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Request id (carried from the agent, or new), a per-request child logger, and one access log line. */
export function requestContext(logger: Logger): RequestHandler {
  const accessLog = logger.child({ module: 'http' });
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming && REQUEST_ID_FORMAT.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    req.log = logger.child({ request_id: requestId });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      accessLog.log(res.statusCode >= 500 ? 'error' : 'http', 'request', {
        request_id: requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        duration_ms: Math.round(ms * 10) / 10,
        site_id: req.site?.id,
        // The client's address: from X-Forwarded-For only when TRUST_PROXY is on (app 'trust proxy').
        ip: req.ip,
        bytes_in: req.get('content-length') ? Number(req.get('content-length')) : undefined,
      });
    });
    next();
  };
}
