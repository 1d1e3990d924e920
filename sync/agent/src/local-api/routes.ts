import { Router } from 'express';
import { body, query } from 'express-validator';
import { ErrorCode } from '@meterit/shared';
import type { SiteControl, SiteReadModel } from '../site/ports.js';
import { LocalApiError } from './errors.js';
import { jsonObjectBody, validated } from './validate.js';
import type { SiteView } from './site-view.js';
import type {
  CollectionResponse,
  LoginResponse,
  RetryDeadLettersResponse,
  SessionResponse,
  SyncNowResponse,
} from '@meterit/shared/site-contracts';
import { bearerOf, CONTROL_DISABLED_MESSAGE, requireControl, type LocalAuth } from './auth.js';
import type { RequestHandler } from 'express';
import type { Logger } from '@meterit/shared/node';

const HOUR = 3600_000;
const MAX_RANGE_MS = 31 * 24 * HOUR;

const isoDate = (field: string) =>
  query(field)
    .optional()
    .isISO8601({ strict: true, strictSeparator: true })
    .withMessage('must be an ISO-8601 time such as 2026-11-21T10:00:00Z')
    .bail()
    .customSanitizer((v: string) => new Date(v));

/** A time range from ?from&to: by default the last 24 hours. */
function range(q: { from?: Date; to?: Date }, now: number): { from: Date; to: Date } {
  const to = q.to ?? new Date(now);
  const from = q.from ?? new Date(to.getTime() - 24 * HOUR);
  if (from.getTime() >= to.getTime())
    throw new LocalApiError(400, ErrorCode.VALIDATION_FAILED, 'invalid request: from must be before to');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw new LocalApiError(
      400,
      ErrorCode.VALIDATION_FAILED,
      'invalid request: the range from..to may span at most 31 days',
    );
  return { from, to };
}

const READY_TIMEOUT_MS = 2000;

/** /health: the process answers. /ready: the site database answers too. */
export function healthRouter(read: SiteReadModel): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime_s: Math.round(process.uptime()) });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await read.databaseAnswers(READY_TIMEOUT_MS);
    } catch (err) {
      throw new LocalApiError(503, ErrorCode.UNAVAILABLE, 'not ready: the site database does not answer', {
        checks: { database: 'down' },
        reason: err instanceof Error ? err.message : String(err),
      });
    }
    res.json({ status: 'ready', checks: { database: 'ok' } });
  });
  return router;
}

/** Read-only views: no credential needed (the API answers on the site network only). */
export function viewRouter(view: SiteView, now: () => number): Router {
  const router = Router();

  router.get('/api/status', async (_req, res) => {
    res.json(await view.status());
  });

  router.get('/api/meters', async (_req, res) => {
    res.json(await view.meters());
  });

  router.get('/api/readings', async (req, res) => {
    const q = await validated<{ meter?: string; point?: string; from?: Date; to?: Date; limit?: number }>(req, [
      query('meter')
        .optional()
        .isString()
        .trim()
        .isLength({ min: 1, max: 255 })
        .withMessage('must be a meter id of 1 to 255 characters'),
      query('point')
        .optional()
        .isString()
        .trim()
        .isLength({ min: 1, max: 100 })
        .withMessage('must be a data point name of 1 to 100 characters'),
      isoDate('from'),
      isoDate('to'),
      query('limit')
        .optional()
        .isInt({ min: 1, max: 10_000 })
        .withMessage('must be an integer from 1 to 10000')
        .toInt(),
    ]);
    const r = range(q, now());
    res.json(await view.readings({ meter: q.meter, point: q.point, ...r, limit: q.limit ?? 1000 }));
  });

  router.get('/api/readings/series', async (req, res) => {
    const q = await validated<{ meter: string; point?: string; from?: Date; to?: Date; buckets?: number }>(req, [
      query('meter')
        .exists()
        .withMessage('is required')
        .bail()
        .isString()
        .trim()
        .isLength({ min: 1, max: 255 })
        .withMessage('must be a meter id of 1 to 255 characters'),
      query('point')
        .optional()
        .isString()
        .trim()
        .isLength({ min: 1, max: 100 })
        .withMessage('must be a data point name of 1 to 100 characters'),
      isoDate('from'),
      isoDate('to'),
      query('buckets').optional().isInt({ min: 2, max: 2000 }).withMessage('must be an integer from 2 to 2000').toInt(),
    ]);
    const r = range(q, now());
    res.json(await view.series({ meter: q.meter, point: q.point, ...r, buckets: q.buckets ?? 288 }));
  });

  router.get('/api/sync-log', async (req, res) => {
    const q = await validated<{ limit?: number; failures_only?: boolean }>(req, [
      query('limit').optional().isInt({ min: 1, max: 500 }).withMessage('must be an integer from 1 to 500').toInt(),
      query('failures_only').optional().isIn(['true', 'false']).withMessage('must be true or false').toBoolean(true),
    ]);
    res.json(await view.syncLog(q.limit ?? 50, q.failures_only ?? false));
  });

  router.get('/api/dead-letters', async (req, res) => {
    const q = await validated<{ limit?: number }>(req, [
      query('limit').optional().isInt({ min: 1, max: 1000 }).withMessage('must be an integer from 1 to 1000').toInt(),
    ]);
    res.json(await view.deadLetters(q.limit ?? 100));
  });

  return router;
}

/** Login for the dashboard: the control token buys a short-lived session. */
export function sessionRouter(auth: LocalAuth, failures: RequestHandler, log: Logger): Router {
  const router = Router();

  router.get('/api/session', (req, res) => {
    const bearer = bearerOf(req.get('authorization'));
    const who = bearer ? auth.verify(bearer) : null;
    const body: SessionResponse = {
      control_enabled: auth.enabled,
      authenticated: who !== null,
      by: who?.by ?? null,
      expires_at: who?.expiresAt?.toISOString() ?? null,
    };
    res.json(body);
  });

  router.post('/api/session', failures, async (req, res) => {
    if (!auth.enabled) throw new LocalApiError(403, ErrorCode.FORBIDDEN, CONTROL_DISABLED_MESSAGE);
    const b = await validated<{ token: string }>(req, [
      body('token')
        .exists()
        .withMessage('is required')
        .bail()
        .isString()
        .withMessage('must be a string')
        .isLength({ min: 1, max: 512 })
        .withMessage('must be 1 to 512 characters'),
    ]);
    if (!auth.checkToken(b.token)) {
      log.warn('dashboard login refused: wrong control token', { ip: req.socket.remoteAddress });
      throw new LocalApiError(401, ErrorCode.AUTH_INVALID, 'wrong control token');
    }
    const s = auth.createSession();
    log.info('dashboard login', { ip: req.socket.remoteAddress, expires_at: s.expiresAt.toISOString() });
    const answer: LoginResponse = { session_token: s.token, expires_at: s.expiresAt.toISOString() };
    res.status(201).json(answer);
  });

  router.delete('/api/session', (req, res) => {
    const bearer = bearerOf(req.get('authorization'));
    if (bearer) auth.endSession(bearer);
    res.status(204).end();
  });

  return router;
}

/** Control actions: each needs the local credential and is logged with who asked. */
export function controlRouter(
  control: SiteControl,
  view: SiteView,
  auth: LocalAuth,
  failures: RequestHandler,
  log: Logger,
): Router {
  const router = Router();
  router.use('/api/control', failures, requireControl(auth));
  const audit = (
    req: { controlBy?: string; socket: { remoteAddress?: string | undefined } },
    action: string,
    extra: Record<string, unknown> = {},
  ) => log.info('control action', { action, by: req.controlBy, ip: req.socket.remoteAddress, ...extra });

  const reasonChain = body('reason')
    .optional()
    .isString()
    .withMessage('must be a string')
    .bail()
    .trim()
    .isLength({ max: 200 })
    .withMessage('must be at most 200 characters');

  router.post('/api/control/collection/start', jsonObjectBody(['reason']), async (req, res) => {
    const b = await validated<{ reason?: string }>(req, [reasonChain]);
    audit(req, 'start collection', { reason: b.reason });
    await control.startCollection(b.reason || undefined);
    const answer: CollectionResponse = { collection: await view.collectionState() };
    res.json(answer);
  });

  router.post('/api/control/collection/stop', jsonObjectBody(['reason']), async (req, res) => {
    const b = await validated<{ reason?: string }>(req, [reasonChain]);
    audit(req, 'stop collection', { reason: b.reason });
    await control.stopCollection(b.reason || undefined);
    const answer: CollectionResponse = { collection: await view.collectionState() };
    res.json(answer);
  });

  router.post('/api/control/sync', jsonObjectBody([]), async (req, res) => {
    audit(req, 'sync now');
    const answer: SyncNowResponse = await view.afterSync(await control.syncNow());
    res.json(answer);
  });

  router.post('/api/control/dead-letters/retry', jsonObjectBody(['ids']), async (req, res) => {
    const b = await validated<{ ids?: number[] }>(req, [
      body('ids')
        .optional()
        .isArray({ min: 1, max: 10_000 })
        .withMessage('must be a list of 1 to 10000 dead letter ids'),
      body('ids.*')
        .custom((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)
        .withMessage('must be a dead letter id (a positive integer)')
        .toInt(),
    ]);
    audit(req, 'retry dead letters', { ids: b.ids?.length ?? 'all' });
    const r = await control.retryDeadLetters(b.ids);
    const answer: RetryDeadLettersResponse = { ...r, backlog: await view.backlogNow() };
    res.json(answer);
  });

  return router;
}
