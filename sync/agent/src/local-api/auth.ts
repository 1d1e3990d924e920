import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '@meterit/shared';
import { LocalApiError } from './errors.js';

const MAX_SESSIONS = 200;

export type ControlPrincipal = 'token' | 'session';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** How the caller proved the right to use control actions (set by requireControl). */
      controlBy?: ControlPrincipal;
    }
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Equal-length digests, so the comparison's time says nothing about the secret or its length. */
function sameSecret(candidate: string, secretDigest: Buffer): boolean {
  return timingSafeEqual(digest(candidate), secretDigest);
}

/** One configured secret (e.g. LOCAL_API_VIEWER_TOKEN), kept as a digest and compared in constant time. */
export class BearerSecret {
  private readonly secretDigest: Buffer | null;

  constructor(secret: string | undefined) {
    this.secretDigest = secret ? digest(secret) : null;
  }

  get configured(): boolean {
    return this.secretDigest !== null;
  }

  matches(candidate: string): boolean {
    return this.secretDigest !== null && sameSecret(candidate, this.secretDigest);
  }
}

export interface LocalAuthOptions {
  /** LOCAL_API_TOKEN; without it control actions are off (there is no default secret). */
  token: string | undefined;
  sessionMinutes: number;
  now: () => number;
}

/**
 * The local credential: the installer's token itself as a bearer token, or a short-lived session
 * the dashboard gets by a login with that token. Sessions live in memory only (a restart ends them)
 * and are kept as digests.
 */
export class LocalAuth {
  private readonly tokenDigest: Buffer | null;
  private readonly sessions = new Map<string, number>();

  constructor(private readonly o: LocalAuthOptions) {
    this.tokenDigest = o.token ? digest(o.token) : null;
  }

  get enabled(): boolean {
    return this.tokenDigest !== null;
  }

  checkToken(candidate: string): boolean {
    return this.tokenDigest !== null && sameSecret(candidate, this.tokenDigest);
  }

  /** Exchange the token for a session; the caller has checked the token. */
  createSession(): { token: string; expiresAt: Date } {
    this.prune();
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.o.now() + this.o.sessionMinutes * 60_000;
    this.sessions.set(digest(token).toString('hex'), expiresAt);
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** Who this bearer value is, or null. A session lookup by digest leaks nothing about other sessions. */
  verify(bearer: string): { by: ControlPrincipal; expiresAt: Date | null } | null {
    if (!this.tokenDigest) return null;
    if (sameSecret(bearer, this.tokenDigest)) return { by: 'token', expiresAt: null };
    const key = digest(bearer).toString('hex');
    const expires = this.sessions.get(key);
    if (expires === undefined) return null;
    if (expires <= this.o.now()) {
      this.sessions.delete(key);
      return null;
    }
    return { by: 'session', expiresAt: new Date(expires) };
  }

  endSession(bearer: string): void {
    this.sessions.delete(digest(bearer).toString('hex'));
  }

  private prune(): void {
    const now = this.o.now();
    for (const [k, exp] of this.sessions) if (exp <= now) this.sessions.delete(k);
  }
}

/** The bearer value of the Authorization header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export const CONTROL_DISABLED_MESSAGE =
  'control actions are switched off on this agent because LOCAL_API_TOKEN is not set; the installer sets it in the agent environment (then restart the agent)';

export interface BearerGuard<C> {
  /** Why the endpoint is off (no token is configured), or null while it is on: 403. */
  off(): string | null;
  /** The 401 answer without a bearer token: what to send. */
  missing: string;
  /** The 401 answer when `verify` knows no caller for the token. */
  invalid: string;
  verify(bearer: string): C | null;
  onInvalid?(req: Request): void;
  /** Keeps the proven caller on the request before it goes on. */
  accept(req: Request, res: Response, caller: C): void;
}

/** A request goes on only with a bearer token that proves who calls; otherwise 403 (off) or 401. */
export function bearerGuard<C>(g: BearerGuard<C>): RequestHandler {
  return (req, res, next) => {
    const off = g.off();
    if (off !== null) {
      next(new LocalApiError(403, ErrorCode.FORBIDDEN, off));
      return;
    }
    const bearer = bearerOf(req.get('authorization'));
    if (!bearer) {
      next(new LocalApiError(401, ErrorCode.AUTH_MISSING, g.missing));
      return;
    }
    const caller = g.verify(bearer);
    if (caller === null) {
      g.onInvalid?.(req);
      next(new LocalApiError(401, ErrorCode.AUTH_INVALID, g.invalid));
      return;
    }
    g.accept(req, res, caller);
    next();
  };
}

/** Control actions need the local credential; read-only views do not use this. */
export function requireControl(auth: LocalAuth): RequestHandler {
  return bearerGuard({
    off: () => (auth.enabled ? null : CONTROL_DISABLED_MESSAGE),
    missing:
      'this action needs the site control token: log in on the dashboard, or send Authorization: Bearer <LOCAL_API_TOKEN>',
    invalid: 'the control token or session is wrong or has expired; log in again',
    verify: (bearer) => auth.verify(bearer),
    accept: (req, _res, who) => {
      req.controlBy = who.by;
    },
  });
}
