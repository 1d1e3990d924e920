import { Router, type RequestHandler } from 'express';
import { IdParamsSchema, mcpTokenRequestSchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { userOf } from '../../middleware/user-auth.js';
import type { McpTokens } from './mcp-tokens.js';

export interface McpTokenRouteDeps {
  tokens: McpTokens;
  /** Web-app access tokens only: an MCP token cannot mint more MCP tokens. */
  userAuth: RequestHandler;
  jsonBody: RequestHandler;
}

const DEFAULT_DAYS = 90;

/** /api/auth/tokens: each user creates, lists and revokes their own personal MCP tokens. */
export function mcpTokensRouter(deps: McpTokenRouteDeps): Router {
  const router = Router();
  router.use('/api/auth/tokens', deps.userAuth, deps.jsonBody);

  const max = deps.tokens.maxLifetimeDays;
  const create = validate({ body: mcpTokenRequestSchema(max) });
  router.post('/api/auth/tokens', create, async (req, res) => {
    const { body } = create.parsed(req);
    const created = await deps.tokens.create(
      userOf(req),
      body.name,
      body.expires_in_days ?? Math.min(DEFAULT_DAYS, max),
    );
    req.log.info('MCP token created', { token_id: created.id, expires_at: created.expires_at });
    res.status(201).json(created);
  });

  router.get('/api/auth/tokens', async (req, res) => {
    res.json({ tokens: await deps.tokens.list(userOf(req)) });
  });

  const revoke = validate({ params: IdParamsSchema });
  router.delete('/api/auth/tokens/:id', revoke, async (req, res) => {
    const { id } = revoke.parsed(req).params;
    await deps.tokens.revoke(userOf(req), id);
    req.log.info('MCP token revoked', { token_id: id });
    res.status(204).end();
  });

  return router;
}
