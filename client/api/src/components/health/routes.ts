import { Router } from 'express';
import type { Knex } from 'knex';
import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../../errors.js';

const READY_TIMEOUT_MS = 2000;

/** /health: the process answers. /ready: the database answers too (load balancers route on this). */
export function healthRouter(knex: Knex): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime_s: Math.round(process.uptime()) });
  });
  router.get('/ready', async (_req, res) => {
    const started = Date.now();
    try {
      await knex.raw('SELECT 1').timeout(READY_TIMEOUT_MS, { cancel: true });
    } catch (err) {
      throw new ApiError(503, ErrorCode.UNAVAILABLE, 'not ready: the database does not answer', {
        checks: { database: 'down' },
        reason: err instanceof Error ? err.message : String(err),
      });
    }
    res.json({ status: 'ready', checks: { database: 'ok' }, database_ms: Date.now() - started });
  });
  return router;
}
