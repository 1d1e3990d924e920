import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import {
  ErrorCode,
  LoginRequestSchema,
  PasswordChangeRequestSchema,
  RefreshRequestSchema,
  isRefreshToken,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { parseOrThrow, validate } from '../../middleware/validate.js';
import { userAuth, userOf } from '../../middleware/user-auth.js';
import type { AuthService } from './auth-service.js';
import type { UsersService } from '../users/users-service.js';
import {
  assertWebAppRequest,
  clearRefreshCookie,
  readRefreshCookie,
  sendSession,
  wantsCookieSession,
} from './session-cookie.js';

export interface AuthRouteDeps {
  auth: AuthService;
  users: UsersService;
  loginRateLimitPerMinute: number;
  /** Failed logins a minute from one client address, whatever the e-mail. */
  loginAddressRateLimitPerMinute: number;
  jsonBody: RequestHandler;
}

/**
 * Failed password checks a minute per key; once over the limit even a right password waits (429). `failed` says
 * which answers count (by default every 4xx/5xx).
 */
function failedPasswordLimit(o: {
  perMinute: number;
  key: (req: Request) => string;
  what: string;
  failed?: (res: Response) => boolean;
}): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: o.perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    ...(o.failed ? { requestWasSuccessful: (_req: Request, res: Response) => !o.failed!(res) } : {}),
    keyGenerator: o.key,
    validate: false,
    handler: (_req, res, next) => {
      const retryAfter = Number(res.getHeader('Retry-After') ?? 60);
      next(
        new ApiError(429, ErrorCode.RATE_LIMITED, `too many ${o.what}; wait ${retryAfter} s and try again`, {
          retry_after_s: retryAfter,
        }),
      );
    },
  });
}

/** Failed logins per client address and e-mail; successful ones are not counted. */
const loginRateLimit = (perMinute: number) =>
  failedPasswordLimit({
    perMinute,
    what: 'failed logins',
    key: (req) => {
      const email =
        typeof (req.body as { email?: unknown } | undefined)?.email === 'string'
          ? (req.body as { email: string }).email.trim().toLowerCase()
          : '';
      return `login:${req.ip ?? 'unknown'}:${email}`;
    },
  });

/**
 * Failed logins per client address alone: the per-e-mail limit never stops one address trying one password on many
 * e-mails (password spraying).
 */
const loginAddressRateLimit = (perMinute: number) =>
  failedPasswordLimit({
    perMinute,
    what: 'failed logins from your address',
    key: (req) => `login-address:${req.ip ?? 'unknown'}`,
  });

/**
 * Wrong current passwords per user: whoever holds a user's access token (15 minutes) must not be able to guess the
 * password behind it and keep the account. Only a wrong current_password counts.
 */
const passwordChangeRateLimit = (perMinute: number) =>
  failedPasswordLimit({
    perMinute,
    what: 'wrong current passwords',
    key: (req) => `password:${userOf(req).id}`,
    failed: (res) => res.locals.wrongCurrentPassword === true,
  });

/**
 * The refresh token of a refresh or logout: `refresh_token` in the body (other clients; the web app once, to move a
 * token it kept before into the cookie), else the web app's cookie. undefined: the web app has no (usable) cookie.
 */
async function presentedRefreshToken(req: Request): Promise<string | undefined> {
  const web = wantsCookieSession(req);
  if (web) assertWebAppRequest(req);
  const inBody = (req.body as { refresh_token?: unknown } | undefined)?.refresh_token !== undefined;
  if (inBody || (!web && readRefreshCookie(req) === undefined)) {
    return parseOrThrow(RefreshRequestSchema, req.body).refresh_token;
  }
  assertWebAppRequest(req);
  const cookie = readRefreshCookie(req);
  return cookie !== undefined && isRefreshToken(cookie) ? cookie : undefined;
}

/**
 * Access-token auth for the routes a user whose password an admin set may still use: who am I, and the password
 * change itself. Every other operator route refuses such a user (403 PASSWORD_CHANGE_REQUIRED).
 */
export const userAuthWhilePasswordChangePending = (auth: AuthService): RequestHandler =>
  userAuth({ authenticate: (token) => auth.authenticate(token, { passwordChangePending: true }) });

export function authRouter(deps: AuthRouteDeps): Router {
  const router = Router();
  router.use('/api/auth', deps.jsonBody);
  const pendingOk = userAuthWhilePasswordChangePending(deps.auth);

  const login = validate({ body: LoginRequestSchema });
  router.post(
    '/api/auth/login',
    loginAddressRateLimit(deps.loginAddressRateLimitPerMinute),
    loginRateLimit(deps.loginRateLimitPerMinute),
    login,
    async (req, res) => {
      const { email, password } = login.parsed(req).body;
      if (wantsCookieSession(req)) assertWebAppRequest(req);
      sendSession(req, res, await deps.auth.login(email, password));
    },
  );

  router.post('/api/auth/refresh', async (req, res) => {
    const token = await presentedRefreshToken(req);
    try {
      if (token === undefined) {
        const sent = readRefreshCookie(req) !== undefined;
        throw new ApiError(
          401,
          sent ? ErrorCode.AUTH_INVALID : ErrorCode.AUTH_MISSING,
          sent
            ? 'the session cookie is not valid; log in again'
            : 'no session cookie (logged out, or it expired); log in again',
        );
      }
      sendSession(req, res, await deps.auth.refresh(token));
    } catch (err) {
      // A dead token's cookie goes; a passing outage (503) must not log the user out.
      if (wantsCookieSession(req) && err instanceof ApiError && err.status === 401) clearRefreshCookie(req, res);
      throw err;
    }
  });

  router.post('/api/auth/logout', async (req, res) => {
    const token = await presentedRefreshToken(req);
    if (token !== undefined) await deps.auth.logout(token);
    if (wantsCookieSession(req)) clearRefreshCookie(req, res);
    res.status(204).end();
  });

  router.get('/api/auth/me', pendingOk, async (req, res) => {
    res.json({ user: await deps.users.get(userOf(req).id) });
  });

  const passwordChange = validate({ body: PasswordChangeRequestSchema });
  router.post(
    '/api/auth/password',
    pendingOk,
    passwordChangeRateLimit(deps.loginRateLimitPerMinute),
    passwordChange,
    async (req, res) => {
      const { current_password, new_password } = passwordChange.parsed(req).body;
      if ((await deps.users.changeOwnPassword(userOf(req).id, current_password, new_password)) === 'wrong-current') {
        res.locals.wrongCurrentPassword = true;
        throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'current_password is wrong');
      }
      req.log.info('password changed by its user');
      res.status(204).end();
    },
  );

  return router;
}
