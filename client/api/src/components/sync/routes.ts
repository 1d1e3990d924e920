import { Router, type RequestHandler } from 'express';
import { SYNC_PATHS, type BatchRequest, type HeartbeatRequest, type MeterConfig } from '@meterit/shared';
import { validateOrThrow } from '../../middleware/validate.js';
import { siteAuth } from '../../middleware/site-auth.js';
import { siteRateLimit } from '../../middleware/rate-limit.js';
import { checkBatchRequest } from '../readings/batch-validation.js';
import type { IngestService } from '../readings/ingest.js';
import { registerMetersChains, registerMetersEnvelope } from '../meters/meter-validation.js';
import type { MetersService } from '../meters/meters-service.js';
import { heartbeatChains } from '../sites/heartbeat-validation.js';
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

  router.post(SYNC_PATHS.batch, async (req, res) => {
    const problems = await checkBatchRequest(req);
    const result = await deps.ingest.ingestBatch(siteOf(req), req.body as BatchRequest, problems, {
      requestId: req.requestId,
      log: req.log,
    });
    res.json(result);
  });

  router.get(SYNC_PATHS.config, async (req, res) => {
    res.json(await deps.meters.siteConfig(siteOf(req)));
  });

  router.post(SYNC_PATHS.meters, async (req, res) => {
    await validateOrThrow(req, registerMetersEnvelope());
    await validateOrThrow(req, registerMetersChains());
    const { meters } = req.body as { meters: MeterConfig[] };
    res.json(await deps.meters.registerMeters(siteOf(req), meters));
  });

  router.post(SYNC_PATHS.heartbeat, async (req, res) => {
    await validateOrThrow(req, heartbeatChains());
    res.json(await deps.sites.recordHeartbeat(siteOf(req), req.body as HeartbeatRequest));
  });

  return router;
}
