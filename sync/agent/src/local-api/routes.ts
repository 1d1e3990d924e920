import { Router } from 'express';
import { ErrorCode } from '@meterit/shared';
import type { SiteControl, SiteReadModel } from '../site/ports.js';
import { LocalApiError } from './errors.js';
import { jsonObjectBody, validBody, validQuery } from './validate.js';
import type { SiteView } from './site-view.js';
import {
  collectionRequestSchema,
  deadLettersRequestSchema,
  loginRequestSchema,
  readingsRequestSchema,
  retryDeadLettersRequestSchema,
  seriesRequestSchema,
  syncLogRequestSchema,
  syncNowRequestSchema,
  type CollectionResponse,
  type LoginResponse,
  type RetryDeadLettersResponse,
  type SessionResponse,
  type SyncNowResponse,
} from '@meterit/shared/site-contracts';
import { bearerOf, CONTROL_DISABLED_MESSAGE, requireControl, type LocalAuth } from './auth.js';
import type { RequestHandler } from 'express';
import type { Logger } from '@meterit/shared/node';

const HOUR = 3600_000;
const MAX_RANGE_MS = 31 * 24 * HOUR;

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
    const q = validQuery(req, readingsRequestSchema);
    const r = range(q, now());
    res.json(await view.readings({ meter: q.meter, point: q.point, ...r, limit: q.limit ?? 1000 }));
  });

  router.get('/api/readings/series', async (req, res) => {
    const q = validQuery(req, seriesRequestSchema);
    const r = range(q, now());
    res.json(await view.series({ meter: q.meter, point: q.point, ...r, buckets: q.buckets ?? 288 }));
  });

  router.get('/api/sync-log', async (req, res) => {
    const q = validQuery(req, syncLogRequestSchema);
    res.json(await view.syncLog(q.limit ?? 50, q.failures_only ?? false));
  });

  router.get('/api/dead-letters', async (req, res) => {
    const q = validQuery(req, deadLettersRequestSchema);
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
    const b = validBody(req, loginRequestSchema);
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

  router.post('/api/control/collection/start', jsonObjectBody(collectionRequestSchema), async (req, res) => {
    const b = validBody(req, collectionRequestSchema);
    audit(req, 'start collection', { reason: b.reason });
    await control.startCollection(b.reason || undefined);
    const answer: CollectionResponse = { collection: await view.collectionState() };
    res.json(answer);
  });

  router.post('/api/control/collection/stop', jsonObjectBody(collectionRequestSchema), async (req, res) => {
    const b = validBody(req, collectionRequestSchema);
    audit(req, 'stop collection', { reason: b.reason });
    await control.stopCollection(b.reason || undefined);
    const answer: CollectionResponse = { collection: await view.collectionState() };
    res.json(answer);
  });

  router.post('/api/control/sync', jsonObjectBody(syncNowRequestSchema), async (req, res) => {
    audit(req, 'sync now');
    const answer: SyncNowResponse = await view.afterSync(await control.syncNow());
    res.json(answer);
  });

  router.post('/api/control/dead-letters/retry', jsonObjectBody(retryDeadLettersRequestSchema), async (req, res) => {
    const b = validBody(req, retryDeadLettersRequestSchema);
    audit(req, 'retry dead letters', { ids: b.ids?.length ?? 'all' });
    const r = await control.retryDeadLetters(b.ids);
    const answer: RetryDeadLettersResponse = { ...r, backlog: await view.backlogNow() };
    res.json(answer);
  });

  return router;
}
