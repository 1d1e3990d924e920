import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ErrorCode, OperatorErrorCode, type CreatedMcpToken, type McpTokenInfo } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import { UsersRepository } from '../users/users-repository.js';
import { McpTokensRepository, type McpTokenRow } from './mcp-tokens-repository.js';
import { assertPasswordChosen } from './auth-service.js';

/** Every personal MCP token starts with this, so the /mcp endpoint tells it from a web-app JWT at a glance. */
export const MCP_TOKEN_PREFIX = 'mcp_';
const MAX_USABLE_TOKENS_PER_USER = 20;
const INVALID =
  'the MCP token is not valid (unknown, revoked or expired), or its user is deactivated; create a new one in the web app';

const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

function toInfo(r: McpTokenRow, now = Date.now()): McpTokenInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.token_prefix,
    created_at: r.created_at.toISOString(),
    expires_at: r.expires_at.toISOString(),
    last_used_at: r.last_used_at?.toISOString() ?? null,
    revoked_at: r.revoked_at?.toISOString() ?? null,
    state: r.revoked_at ? 'revoked' : r.expires_at.getTime() <= now ? 'expired' : 'active',
  };
}

/**
 * Personal MCP tokens: long-lived bearer tokens an AI assistant uses instead of the web app's
 * 15-minute access token. A token acts as its user, with the user's role and sites as they are at
 * each call (a role change or deactivation applies at once).
 */
export class McpTokens {
  private readonly repo: McpTokensRepository;
  private readonly users: UsersRepository;

  constructor(
    knex: Knex,
    private readonly maxDays: number,
  ) {
    this.repo = new McpTokensRepository(knex);
    this.users = new UsersRepository(knex);
  }

  get maxLifetimeDays(): number {
    return this.maxDays;
  }

  async create(user: AuthUser, name: string, days: number): Promise<CreatedMcpToken> {
    if (days > this.maxDays)
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        `expires_in_days may be at most ${this.maxDays} (MCP_TOKEN_MAX_DAYS)`,
      );
    if ((await this.repo.countUsable(user.id)) >= MAX_USABLE_TOKENS_PER_USER) {
      throw new ApiError(
        409,
        OperatorErrorCode.CONFLICT,
        `you already have ${MAX_USABLE_TOKENS_PER_USER} active MCP tokens; revoke one first`,
      );
    }
    const token = `${MCP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.repo.insert({
      userId: user.id,
      name,
      prefix: token.slice(0, 12),
      hash: hashToken(token),
      expiresAt: new Date(Date.now() + days * 86_400_000),
    });
    return { ...toInfo(row), token };
  }

  async list(user: AuthUser): Promise<McpTokenInfo[]> {
    const now = Date.now();
    return (await this.repo.listForUser(user.id)).map((r) => toInfo(r, now));
  }

  async revoke(user: AuthUser, id: number): Promise<void> {
    if (await this.repo.revoke(user.id, id)) return;
    if (await this.repo.exists(user.id, id)) return; // revoked already: the same end state
    throw new ApiError(404, ErrorCode.NOT_FOUND, `you have no MCP token with id ${id}`);
  }

  /** The user behind a token, as the database says now; 401 for any kind of bad token. */
  async authenticate(token: string): Promise<{ user: AuthUser; tokenId: number }> {
    const row =
      token.startsWith(MCP_TOKEN_PREFIX) && token.length < 200
        ? await this.repo.findByHash(hashToken(token))
        : undefined;
    if (!row || row.revoked_at !== null) throw new ApiError(401, ErrorCode.AUTH_INVALID, INVALID);
    if (row.expires_at.getTime() <= Date.now())
      throw new ApiError(
        401,
        OperatorErrorCode.TOKEN_EXPIRED,
        `the MCP token "${row.name}" expired at ${row.expires_at.toISOString()}; create a new one in the web app`,
      );
    const user = await this.users.findById(row.user_id);
    if (!user || !user.is_active) throw new ApiError(401, ErrorCode.AUTH_INVALID, INVALID);
    assertPasswordChosen(user);
    await this.repo.touch(row.id);
    return { user: { id: user.id, email: user.email, role: user.role, siteIds: user.site_ids }, tokenId: row.id };
  }
}
