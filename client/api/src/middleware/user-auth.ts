import type { Request, RequestHandler } from 'express';
import { ErrorCode, type UserRole } from '@meterit/shared';
import { ApiError } from '../errors.js';
import type { AuthUser } from '../types.js';

/** What user-auth needs of the auth component (AuthService is one). */
export interface AccessTokenAuthenticator {
  authenticate(accessToken: string): Promise<AuthUser>;
}

/** Authorization: Bearer <access token> → req.user. 401 AUTH_MISSING / AUTH_INVALID / TOKEN_EXPIRED. */
export function userAuth(auth: AccessTokenAuthenticator): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match)
      throw new ApiError(
        401,
        ErrorCode.AUTH_MISSING,
        'log in first: send the access token as "Authorization: Bearer <token>"',
      );
    req.user = await auth.authenticate(match[1] as string);
    req.log = req.log.child({ user_id: req.user.id });
    next();
  };
}

const ROLE_WORDS: Record<UserRole, string> = {
  admin: 'an admin',
  operator: 'an operator or admin',
  viewer: 'any user',
};

/** 403 FORBIDDEN unless the user has one of the roles. */
export function requireRole(...roles: UserRole[]): RequestHandler {
  return (req, _res, next) => {
    const user = req.user;
    if (!user || !roles.includes(user.role)) {
      const need = roles.includes('operator') ? ROLE_WORDS.operator : ROLE_WORDS.admin;
      throw new ApiError(
        403,
        ErrorCode.FORBIDDEN,
        `only ${need} may do this; you are ${user ? `a ${user.role}` : 'not logged in'}`,
      );
    }
    next();
  };
}

export function userOf(req: Request): AuthUser {
  if (!req.user) throw new ApiError(401, ErrorCode.AUTH_MISSING, 'log in first');
  return req.user;
}

/** The sites a user may see, narrowed to `requested` when given (null = all). */
export function visibleSites(user: AuthUser, requested?: number[]): number[] | null {
  if (user.siteIds === null) return requested ?? null;
  if (requested === undefined) return user.siteIds;
  return requested.filter((id) => user.siteIds?.includes(id));
}

/** 404 for a site the user may not see: a limited user cannot even learn that it exists. */
export function assertSiteVisible(user: AuthUser, siteId: number): void {
  if (user.siteIds !== null && !user.siteIds.includes(siteId)) {
    throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${siteId}`);
  }
}
