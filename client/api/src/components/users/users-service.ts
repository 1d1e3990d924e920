import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import {
  ErrorCode,
  OperatorErrorCode,
  type AccountResponse,
  type CreateUserRequest,
  type PreferencesUpdateRequest,
  type CreateUserResponse,
  type UpdateUserRequest,
  type UserInfo,
} from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { UsersRepository, type UserRow } from './users-repository.js';

export function toUserInfo(u: UserRow): UserInfo {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    site_ids: u.site_ids,
    is_active: u.is_active,
    created_at: u.created_at.toISOString(),
    last_login_at: u.last_login_at?.toISOString() ?? null,
  };
}

const notFound = (id: number) => new ApiError(404, ErrorCode.NOT_FOUND, `no user with id ${id}`);

export class UsersService {
  readonly repo: UsersRepository;

  constructor(knex: Knex) {
    this.repo = new UsersRepository(knex);
  }

  async list(): Promise<UserInfo[]> {
    return (await this.repo.list()).map(toUserInfo);
  }

  async get(id: number): Promise<UserInfo> {
    const u = await this.repo.findById(id);
    if (!u) throw notFound(id);
    return toUserInfo(u);
  }

  private async checkSites(role: string, siteIds: number[] | null | undefined): Promise<void> {
    if (siteIds === undefined || siteIds === null) return;
    if (role === 'admin') {
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        'an admin manages every site and cannot be limited to some; use site_ids: null or another role',
      );
    }
    const unknown = await this.repo.unknownSiteIds(siteIds);
    if (unknown.length > 0)
      throw new ApiError(400, ErrorCode.VALIDATION_FAILED, `site_ids: no site with id ${unknown.join(', ')}`);
  }

  async create(req: CreateUserRequest): Promise<CreateUserResponse> {
    const siteIds = req.site_ids ?? null;
    await this.checkSites(req.role, siteIds);
    const generated = req.password === undefined ? generatePassword() : undefined;
    const id = await this.repo.insert({
      email: req.email.trim(),
      name: req.name?.trim() || null,
      passwordHash: await hashPassword(req.password ?? (generated as string)),
      role: req.role,
      siteIds: siteIds === null ? null : [...new Set(siteIds)],
      // A generated password is known to whoever saw the answer: the user replaces it at first login.
      mustChangePassword: generated !== undefined,
    });
    if (id === undefined)
      throw new ApiError(409, OperatorErrorCode.CONFLICT, `a user with the e-mail ${req.email} already exists`);
    return { user: await this.get(id), ...(generated ? { initial_password: generated } : {}) };
  }

  async update(actor: AuthUser, id: number, req: UpdateUserRequest): Promise<UserInfo> {
    const current = await this.repo.findById(id);
    if (!current) throw notFound(id);
    const role = req.role ?? current.role;
    if (req.site_ids !== undefined) await this.checkSites(role, req.site_ids);
    else if (role === 'admin' && current.site_ids !== null) {
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        'an admin cannot be limited to some sites: send site_ids: null with role admin',
      );
    }
    if (actor.id === id && ((req.role !== undefined && req.role !== 'admin') || req.is_active === false)) {
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        'you cannot remove your own admin role or deactivate yourself; ask another admin',
      );
    }
    const losesAdmin = current.role === 'admin' && current.is_active && (role !== 'admin' || req.is_active === false);
    if (losesAdmin && (await this.repo.countActiveAdmins()) <= 1) {
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        'this is the last active admin; make another user admin first',
      );
    }
    await this.repo.update(id, {
      ...(req.name !== undefined ? { name: req.name?.trim() || null } : {}),
      ...(req.role !== undefined ? { role: req.role } : {}),
      ...(req.site_ids !== undefined ? { siteIds: req.site_ids === null ? null : [...new Set(req.site_ids)] } : {}),
      ...(req.is_active !== undefined ? { isActive: req.is_active } : {}),
      // An admin who sets another user's password knows it: that user must choose an own one at next login.
      ...(req.password !== undefined
        ? { passwordHash: await hashPassword(req.password), mustChangePassword: actor.id !== id }
        : {}),
    });
    return this.get(id);
  }

  async account(id: number): Promise<AccountResponse> {
    const u = await this.repo.findById(id);
    if (!u) throw notFound(id);
    return {
      user: toUserInfo(u),
      must_change_password: u.must_change_password,
      preferences: { time_zone: u.time_zone, theme: u.theme },
    };
  }

  async setPreferences(id: number, req: PreferencesUpdateRequest): Promise<AccountResponse> {
    await this.repo.updatePreferences(id, {
      ...(req.time_zone !== undefined ? { timeZone: req.time_zone } : {}),
      ...(req.theme !== undefined ? { theme: req.theme } : {}),
    });
    return this.account(id);
  }

  /**
   * The user's own change. 'wrong-current' when current_password is not theirs (the route counts those for the rate
   * limit). A password an admin set must be replaced by a different one.
   */
  async changeOwnPassword(id: number, current: string, next: string): Promise<'changed' | 'wrong-current'> {
    const row = await this.repo.findById(id);
    if (!row || !(await verifyPassword(current, row.password_hash))) return 'wrong-current';
    if (row.must_change_password && current === next) {
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        'new_password must differ from the password an admin set for you',
      );
    }
    await this.repo.update(id, { passwordHash: await hashPassword(next), mustChangePassword: false });
    return 'changed';
  }

  /**
   * On first start (no user at all) create an admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a generated
   * password that is logged once (and written 0600 to `file` in development, for the demo) and must be replaced at
   * the first login.
   */
  async ensureFirstAdmin(opts: {
    email: string | undefined;
    password: string | undefined;
    file: string | undefined;
    logger: Logger;
  }): Promise<void> {
    if ((await this.repo.count()) > 0) return;
    const email = opts.email ?? 'admin@meterit.local';
    const password = opts.password ?? generatePassword();
    const id = await this.repo.insert({
      email,
      name: 'Administrator',
      passwordHash: await hashPassword(password),
      role: 'admin',
      siteIds: null,
      // A generated password has been in a log line (and a file): its owner chooses their own at the first login.
      mustChangePassword: opts.password === undefined,
    });
    if (id === undefined) return; // another instance created it at the same moment
    if (opts.password !== undefined) {
      opts.logger.info('first admin created from ADMIN_EMAIL / ADMIN_PASSWORD', { email });
      return;
    }
    let file: string | undefined;
    if (opts.file) {
      try {
        mkdirSync(path.dirname(opts.file), { recursive: true });
        writeFileSync(opts.file, `${JSON.stringify({ email, password }, null, 2)}\n`, { mode: 0o600 });
        chmodSync(opts.file, 0o600);
        file = opts.file;
      } catch (err) {
        opts.logger.warn('could not write the first admin password file', {
          file: opts.file,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    // The one time this password is shown; the first login asks for a new one.
    opts.logger.warn(
      'first admin created with a generated password; it is shown only this once and must be changed at the first login',
      {
        email,
        password,
        file,
      },
    );
  }
}
