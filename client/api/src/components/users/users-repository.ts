import type { Knex } from 'knex';
import type { ThemeMode, UserRole } from '@meterit/shared';

export interface UserRow {
  id: number;
  email: string;
  name: string | null;
  password_hash: string;
  role: UserRole;
  site_ids: number[] | null;
  is_active: boolean;
  created_at: Date;
  last_login_at: Date | null;
  /** An admin generated or reset the password: the user must set an own one before anything else. */
  must_change_password: boolean;
  time_zone: string | null;
  theme: ThemeMode;
}

const SELECT_USER = `
  SELECT u.id, u.email, u.name, u.password_hash, u.role, u.is_active, u.created_at, u.last_login_at,
         u.must_change_password, u.time_zone, u.theme,
         CASE WHEN u.site_restricted
              THEN COALESCE((SELECT array_agg(us.site_id ORDER BY us.site_id) FROM user_sites us WHERE us.user_id = u.id), '{}')
         END AS site_ids
    FROM users u`;

export interface NewUser {
  email: string;
  name: string | null;
  passwordHash: string;
  role: UserRole;
  siteIds: number[] | null;
  /** true: the password was generated for the user, who must change it at first login. */
  mustChangePassword?: boolean;
}

/** All SQL about users and their refresh tokens. */
export class UsersRepository {
  constructor(private readonly knex: Knex) {}

  async count(): Promise<number> {
    const { rows } = await this.knex.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  }

  async findById(id: number): Promise<UserRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: UserRow[] }>(`${SELECT_USER} WHERE u.id = ?`, [id]);
    return rows[0];
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const { rows } = await this.knex.raw<{ rows: UserRow[] }>(`${SELECT_USER} WHERE lower(u.email) = lower(?)`, [
      email,
    ]);
    return rows[0];
  }

  async list(): Promise<UserRow[]> {
    const { rows } = await this.knex.raw<{ rows: UserRow[] }>(`${SELECT_USER} ORDER BY lower(u.email)`);
    return rows;
  }

  async countActiveAdmins(trx: Knex = this.knex): Promise<number> {
    const { rows } = await trx.raw<{ rows: { n: number }[] }>(
      "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND is_active",
    );
    return rows[0]?.n ?? 0;
  }

  async unknownSiteIds(siteIds: number[]): Promise<number[]> {
    if (siteIds.length === 0) return [];
    const { rows } = await this.knex.raw<{ rows: { id: number }[] }>(
      'SELECT x.id FROM unnest(?::int[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM sites s WHERE s.id = x.id)',
      [siteIds] as unknown as Knex.RawBinding[],
    );
    return rows.map((r) => r.id);
  }

  /** Insert; undefined when the e-mail is taken. */
  async insert(u: NewUser): Promise<number | undefined> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { id: number }[] }>(
        `INSERT INTO users (email, name, password_hash, role, site_restricted, must_change_password)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (lower(email)) DO NOTHING RETURNING id`,
        [u.email, u.name, u.passwordHash, u.role, u.siteIds !== null, u.mustChangePassword ?? false],
      );
      const id = rows[0]?.id;
      if (id !== undefined && u.siteIds !== null) await this.replaceSites(trx, id, u.siteIds);
      return id;
    });
  }

  async update(
    id: number,
    patch: {
      name?: string | null;
      role?: UserRole;
      siteIds?: number[] | null;
      isActive?: boolean;
      passwordHash?: string;
      /** With passwordHash: true when an admin set it for the user, false when the user chose it. */
      mustChangePassword?: boolean;
    },
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx.raw(
        `UPDATE users SET
            name = CASE WHEN ? THEN ? ELSE name END,
            role = COALESCE(?, role),
            is_active = COALESCE(?, is_active),
            password_hash = COALESCE(?, password_hash),
            must_change_password = COALESCE(?, must_change_password),
            site_restricted = CASE WHEN ? THEN ? ELSE site_restricted END,
            updated_at = now()
          WHERE id = ?`,
        [
          patch.name !== undefined,
          patch.name ?? null,
          patch.role ?? null,
          patch.isActive ?? null,
          patch.passwordHash ?? null,
          patch.mustChangePassword ?? null,
          patch.siteIds !== undefined,
          patch.siteIds !== null && patch.siteIds !== undefined,
          id,
        ],
      );
      if (patch.siteIds !== undefined) await this.replaceSites(trx, id, patch.siteIds ?? []);
      // Anything that lowers what the user may do ends their sessions' refresh tokens.
      if (
        patch.isActive === false ||
        patch.passwordHash !== undefined ||
        patch.role !== undefined ||
        patch.siteIds !== undefined
      ) {
        await trx.raw('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = ? AND revoked_at IS NULL', [id]);
      }
    });
  }

  private async replaceSites(trx: Knex, userId: number, siteIds: number[]): Promise<void> {
    await trx.raw('DELETE FROM user_sites WHERE user_id = ?', [userId]);
    if (siteIds.length > 0) {
      await trx.raw('INSERT INTO user_sites (user_id, site_id) SELECT ?, unnest(?::int[]) ON CONFLICT DO NOTHING', [
        userId,
        siteIds,
      ] as unknown as Knex.RawBinding[]);
    }
  }

  /** The profile's preferences; a field left undefined stays as it is. */
  async updatePreferences(id: number, p: { timeZone?: string | null; theme?: ThemeMode }): Promise<void> {
    await this.knex.raw(
      `UPDATE users SET
          time_zone = CASE WHEN ? THEN ? ELSE time_zone END,
          theme = COALESCE(?, theme),
          updated_at = now()
        WHERE id = ?`,
      [p.timeZone !== undefined, p.timeZone ?? null, p.theme ?? null, id],
    );
  }

  async touchLogin(id: number): Promise<void> {
    await this.knex.raw('UPDATE users SET last_login_at = now() WHERE id = ?', [id]);
  }

  // --- refresh tokens ---

  async insertRefreshToken(
    userId: number,
    family: string,
    hash: Buffer,
    expiresAt: Date,
    trx: Knex = this.knex,
  ): Promise<void> {
    await trx.raw('INSERT INTO refresh_tokens (user_id, family, token_hash, expires_at) VALUES (?, ?, ?, ?)', [
      userId,
      family,
      hash,
      expiresAt,
    ]);
  }

  /** Mark the token used (single use) and return it as it was, locking it so two refreshes cannot both win. */
  async takeRefreshToken(
    trx: Knex.Transaction,
    hash: Buffer,
  ): Promise<
    | { id: number; user_id: number; family: string; expires_at: Date; used_at: Date | null; revoked_at: Date | null }
    | undefined
  > {
    const { rows } = await trx.raw<{
      rows: {
        id: number;
        user_id: number;
        family: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
      }[];
    }>(
      'SELECT id, user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ? FOR UPDATE',
      [hash],
    );
    const row = rows[0];
    if (row && row.used_at === null) await trx.raw('UPDATE refresh_tokens SET used_at = now() WHERE id = ?', [row.id]);
    return row;
  }

  async revokeFamily(family: string, trx: Knex = this.knex): Promise<void> {
    await trx.raw('UPDATE refresh_tokens SET revoked_at = now() WHERE family = ? AND revoked_at IS NULL', [family]);
  }

  async revokeByHash(hash: Buffer): Promise<void> {
    await this.knex.raw(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = ?) AND revoked_at IS NULL',
      [hash],
    );
  }
}
