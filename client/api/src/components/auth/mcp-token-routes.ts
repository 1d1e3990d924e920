import { Router, type RequestHandler } from 'express';
import { body } from 'express-validator';
import { check, describeType, isPlainObject, unstorableProblem, validateOrThrow } from '../../middleware/validate.js';
import { userOf } from '../../middleware/user-auth.js';
import { idParam } from '../users/routes.js';
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

  router.post('/api/auth/tokens', async (req, res) => {
    const max = deps.tokens.maxLifetimeDays;
    await validateOrThrow(req, [
      body()
        .custom(
          check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object {"name", "expires_in_days"?}')),
        )
        .bail(),
      body('name').custom(
        check((v) =>
          typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 100
            ? unstorableProblem('name', v)
            : `name must be 1 to 100 characters, e.g. "Claude Desktop on my laptop", got ${describeType(v)}`,
        ),
      ),
      body('expires_in_days').custom(
        check((v) =>
          v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max)
            ? undefined
            : `expires_in_days must be a whole number from 1 to ${max}, got ${describeType(v)}`,
        ),
      ),
    ]);
    const b = req.body as { name: string; expires_in_days?: number };
    const created = await deps.tokens.create(
      userOf(req),
      b.name.trim(),
      b.expires_in_days ?? Math.min(DEFAULT_DAYS, max),
    );
    req.log.info('MCP token created', { token_id: created.id, expires_at: created.expires_at });
    res.status(201).json(created);
  });

  router.get('/api/auth/tokens', async (req, res) => {
    res.json({ tokens: await deps.tokens.list(userOf(req)) });
  });

  router.delete('/api/auth/tokens/:id', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    await deps.tokens.revoke(userOf(req), Number(req.params.id));
    req.log.info('MCP token revoked', { token_id: Number(req.params.id) });
    res.status(204).end();
  });

  return router;
}
