import { Router, type RequestHandler } from 'express';
import {
  BatchEnvelopeSchema,
  HeartbeatRequestSchema,
  RegisterMetersRequestSchema,
  SYNC_PATHS,
  type BatchRequest,
} from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { siteAuth } from '../../middleware/site-auth.js';
import { siteRateLimit } from '../../middleware/rate-limit.js';
import { checkReadings } from '../readings/batch-validation.js';
import type { IngestService } from '../readings/ingest.js';
import type { MetersService } from '../meters/meters-service.js';
import type { SitesService } from '../sites/sites-service.js';
import type { AuthenticatedSite } from '../../types.js';

export interface SyncRouteDeps {
  sites: SitesService;
  meters: MetersService;
  ingest: IngestService;
  rateLimitPerMinute: number;
  /** The JSON body parser, run after authentication and the rate limit. */
  jsonBody: RequestHandler;
}

/** The agent-facing endpoints. Every route is authenticated by the site's API key and rate limited per site. */
export function syncRouter(deps: SyncRouteDeps): Router {
  const router = Router();
  router.use('/api/sync', siteAuth(deps.sites), siteRateLimit(deps.rateLimitPerMinute), deps.jsonBody);
  // site-auth guarantees req.site on every route below.
  const siteOf = (req: { site?: AuthenticatedSite }) => req.site as AuthenticatedSite;

  router.post(SYNC_PATHS.auth, (req, res) => {
    res.json(deps.sites.authResponse(siteOf(req)));
  });

  // The envelope is a 400; its readings are checked one by one, so a bad one is rejected by index (422).
  const batch = validate({ body: BatchEnvelopeSchema });
  router.post(SYNC_PATHS.batch, batch, async (req, res) => {
    const { body } = batch.parsed(req);
    const problems = checkReadings(body.readings);
    // Only the readings without problems are read as SyncReadings (ingestBatch skips the others by index).
    const result = await deps.ingest.ingestBatch(siteOf(req), body as BatchRequest, problems, {
      requestId: req.requestId,
      log: req.log,
    });
    res.json(result);
  });

  router.get(SYNC_PATHS.config, async (req, res) => {
    res.json(await deps.meters.siteConfig(siteOf(req)));
  });

  const register = validate({ body: RegisterMetersRequestSchema });
  router.post(SYNC_PATHS.meters, register, async (req, res) => {
    res.json(await deps.meters.registerMeters(siteOf(req), register.parsed(req).body.meters));
  });

  const heartbeat = validate({ body: HeartbeatRequestSchema });
  router.post(SYNC_PATHS.heartbeat, heartbeat, async (req, res) => {
    res.json(await deps.sites.recordHeartbeat(siteOf(req), heartbeat.parsed(req).body));
  });

  return router;
}
