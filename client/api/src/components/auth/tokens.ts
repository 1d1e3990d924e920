import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ErrorCode, OperatorErrorCode } from '@meterit/shared';
import { ApiError } from '../../errors.js';

const ISSUER = 'meterit-client-api';
const AUDIENCE = 'meterit-operators';

export interface AccessClaims {
  sub: string;
  role: string;
}

export function signAccessToken(userId: number, role: string, secret: string, ttlSeconds: number): string {
  return jwt.sign({ role }, secret, {
    algorithm: 'HS256',
    subject: String(userId),
    expiresIn: ttlSeconds,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
}

/** The user id of a valid access token; 401 TOKEN_EXPIRED or AUTH_INVALID otherwise. */
export function verifyAccessToken(token: string, secret: string): number {
  let payload: string | jwt.JwtPayload;
  try {
    // Pinning the algorithm refuses 'none' and key-confusion tricks.
    payload = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) {
      throw new ApiError(
        401,
        OperatorErrorCode.TOKEN_EXPIRED,
        'the access token has expired; refresh it (POST /api/auth/refresh) or log in again',
      );
    }
    throw new ApiError(401, ErrorCode.AUTH_INVALID, 'the access token is not valid; log in again');
  }
  const id = typeof payload === 'object' ? Number(payload.sub) : NaN;
  if (!Number.isInteger(id) || id <= 0)
    throw new ApiError(401, ErrorCode.AUTH_INVALID, 'the access token is not valid; log in again');
  return id;
}

export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
