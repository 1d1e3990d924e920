import type { CookieOptions, Request, Response } from 'express';
import { ErrorCode, type TokenResponse, type WebSessionResponse } from '@meterit/shared';
import { ApiError } from '../../errors.js';

/**
 * The web app's refresh token lives in an httpOnly cookie, so script in the page (an XSS) can never read it.
 * The app asks for that with this header on login, refresh and logout. Being a custom header it is also the
 * CSRF guard of the cookie: another site's page cannot send it without a CORS preflight, which this API never
 * grants, and SameSite=Strict keeps the browser from sending the cookie from another site in the first place.
 */
export const SESSION_HEADER = 'x-meterit-session';
export const SESSION_HEADER_VALUE = 'cookie';
export const REFRESH_COOKIE = 'meterit_refresh';
/**
 * One cookie per route that reads it (same name and value, two paths), so the browser sends the token to these
 * two routes and nowhere else: not to the data endpoints, not to /mcp, not to the static files.
 */
export const REFRESH_COOKIE_PATHS = ['/api/auth/refresh', '/api/auth/logout'] as const;

const HEADER_NAME = 'X-MeterIT-Session';

export function wantsCookieSession(req: Request): boolean {
  return req.get(SESSION_HEADER)?.trim().toLowerCase() === SESSION_HEADER_VALUE;
}

/** The refresh cookie's value as the browser sent it, or undefined. Only its first occurrence counts. */
export function readRefreshCookie(req: Request): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== REFRESH_COOKIE) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/**
 * 403 unless a cookie-authenticated call is one the web app made: the session header is there and, when the
 * browser names the page's origin (it does on every POST), that origin is this server's own host.
 */
export function assertWebAppRequest(req: Request): void {
  if (!wantsCookieSession(req)) {
    throw new ApiError(
      403,
      ErrorCode.FORBIDDEN,
      `the refresh cookie is only accepted with the "${HEADER_NAME}: ${SESSION_HEADER_VALUE}" header (the web app sends it); other clients send {"refresh_token"} in the body`,
    );
  }
  const origin = req.get('origin');
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (!host || host !== req.host) {
    throw new ApiError(
      403,
      ErrorCode.FORBIDDEN,
      `requests from the origin ${JSON.stringify(origin.slice(0, 100))} may not use this server's session cookie; open the web app at this server's own address`,
    );
  }
}

function cookieOptions(req: Request, path: string): CookieOptions {
  // Secure whenever the request came over HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto): on plain
  // HTTP (a laptop, loopback) a Secure cookie would never be sent back.
  return { httpOnly: true, secure: req.secure, sameSite: 'strict', path };
}

export function setRefreshCookie(req: Request, res: Response, token: string, expiresAt: Date): void {
  const maxAge = Math.max(0, expiresAt.getTime() - Date.now());
  for (const path of REFRESH_COOKIE_PATHS) res.cookie(REFRESH_COOKIE, token, { ...cookieOptions(req, path), maxAge });
}

export function clearRefreshCookie(req: Request, res: Response): void {
  for (const path of REFRESH_COOKIE_PATHS) res.clearCookie(REFRESH_COOKIE, cookieOptions(req, path));
}

/** Answer a login or refresh: to the web app with the refresh token in the cookie only, to others in the body. */
export function sendSession(req: Request, res: Response, session: TokenResponse): void {
  if (!wantsCookieSession(req)) {
    res.json(session);
    return;
  }
  const { refresh_token, ...rest } = session;
  setRefreshCookie(req, res, refresh_token, new Date(session.refresh_expires_at));
  const answer: WebSessionResponse = rest;
  res.json(answer);
}
