import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ErrorCode, OperatorErrorCode, type TokenResponse } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import { hashPassword, verifyPassword } from '../users/passwords.js';
import { UsersRepository, type UserRow } from '../users/users-repository.js';
import { toUserInfo } from '../users/users-service.js';
import { hashRefreshToken, newRefreshToken, signAccessToken, verifyAccessToken } from './tokens.js';

/** 403 PASSWORD_CHANGE_REQUIRED while the user still has a password an admin generated or reset. */
export function assertPasswordChosen(user: Pick<UserRow, 'must_change_password'>): void {
  if (user.must_change_password) {
    throw new ApiError(
      403,
      OperatorErrorCode.PASSWORD_CHANGE_REQUIRED,
      'your password was set by an admin: choose your own first (POST /api/auth/password with current_password and new_password)',
    );
  }
}

// One message for an unknown e-mail, a wrong password and a deactivated account.
const BAD_LOGIN = 'e-mail or password is wrong';
const BAD_REFRESH = 'the refresh token is not valid (unknown, used, expired or revoked); log in again';

export interface AuthSettings {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export class AuthService {
  private readonly users: UsersRepository;
  /** Compared against when the e-mail is unknown, so the answer takes as long either way. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly settings: AuthSettings,
  ) {
    this.users = new UsersRepository(knex);
  }

  async login(email: string, password: string): Promise<TokenResponse> {
    const user = await this.users.findByEmail(email.trim());
    this.dummyHash ??= hashPassword('not-a-real-password');
    const ok = await verifyPassword(password, user?.password_hash ?? (await this.dummyHash));
    if (!user || !ok || !user.is_active) throw new ApiError(401, ErrorCode.AUTH_INVALID, BAD_LOGIN);
    await this.users.touchLogin(user.id);
    return this.issue(user, randomUUID());
  }

  /** Exchange a refresh token for a new pair. A token is single use; presenting a used one revokes its whole login. */
  async refresh(token: string): Promise<TokenResponse> {
    const hash = hashRefreshToken(token);
    const outcome = await this.knex.transaction(async (trx) => {
      const row = await this.users.takeRefreshToken(trx, hash);
      if (!row) return { error: true as const };
      if (row.used_at !== null) {
        // Someone replays a rotated token: assume it was stolen and end that login everywhere.
        await this.users.revokeFamily(row.family, trx);
        return { error: true as const };
      }
      if (row.revoked_at !== null || row.expires_at.getTime() <= Date.now()) return { error: true as const };
      return { userId: row.user_id, family: row.family };
    });
    if ('error' in outcome) throw new ApiError(401, ErrorCode.AUTH_INVALID, BAD_REFRESH);
    const user = await this.users.findById(outcome.userId);
    if (!user || !user.is_active) throw new ApiError(401, ErrorCode.AUTH_INVALID, BAD_REFRESH);
    return this.issue(user, outcome.family);
  }

  async logout(token: string): Promise<void> {
    await this.users.revokeByHash(hashRefreshToken(token));
  }

  /**
   * The user behind an access token, as the database says now (role and sites changes apply at once). A user whose
   * password an admin generated or reset is refused (403 PASSWORD_CHANGE_REQUIRED) unless `passwordChangePending`
   * says the caller is one of the few routes such a user may use (their account, the password change).
   */
  async authenticate(accessToken: string, opts: { passwordChangePending?: boolean } = {}): Promise<AuthUser> {
    const id = verifyAccessToken(accessToken, this.settings.jwtSecret);
    const user = await this.users.findById(id);
    if (!user || !user.is_active)
      throw new ApiError(401, ErrorCode.AUTH_INVALID, 'the account no longer exists or is deactivated');
    if (!opts.passwordChangePending) assertPasswordChosen(user);
    return { id: user.id, email: user.email, role: user.role, siteIds: user.site_ids };
  }

  private async issue(user: UserRow, family: string): Promise<TokenResponse> {
    const refresh = newRefreshToken();
    const refreshExpires = new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000);
    await this.users.insertRefreshToken(user.id, family, refresh.hash, refreshExpires);
    return {
      token_type: 'Bearer',
      access_token: signAccessToken(user.id, user.role, this.settings.jwtSecret, this.settings.accessTokenTtlSeconds),
      expires_in: this.settings.accessTokenTtlSeconds,
      refresh_token: refresh.token,
      refresh_expires_at: refreshExpires.toISOString(),
      user: toUserInfo(user),
    };
  }
}
