import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../errors.js';

/**
 * Per-site limit on /api/sync/*, keyed by the authenticated site (so it must run after site-auth).
 * The counter lives in this process; behind a load balancer each instance counts on its own.
 */
export function siteRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `site:${req.site?.id ?? 'none'}`,
    // Our key is the site id, not the client address, so the IP-related checks do not apply.
    validate: false,
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('Retry-After');
      next(
        new ApiError(
          429,
          ErrorCode.RATE_LIMITED,
          `this site sent more than ${perMinute} requests in a minute; retry after ${String(retryAfter ?? 60)} s`,
          { limit_per_minute: perMinute, retry_after_s: Number(retryAfter ?? 60) },
        ),
      );
    },
  });
}
