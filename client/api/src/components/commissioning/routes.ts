import express, { Router } from 'express';
import {
  COMMISSIONING_LIMITS,
  CommissioningQuerySchema,
  CommissioningReportSchema,
  IdParamsSchema,
  ReportParamsSchema,
  SYNC_PATHS,
} from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { siteAuth } from '../../middleware/site-auth.js';
import { siteRateLimit } from '../../middleware/rate-limit.js';
import { assertSiteVisible, userOf } from '../../middleware/user-auth.js';
import type { SitesService } from '../sites/sites-service.js';
import type { AuthenticatedSite } from '../../types.js';
import type { CommissioningService } from './commissioning-service.js';

/**
 * POST /api/sync/commissioning: the installer's report, with the site's API key. Mounted before the
 * other /api/sync routes so it has its own body limit and rate limit and answers on its own.
 */
export function commissioningSyncRouter(deps: {
  sites: SitesService;
  commissioning: CommissioningService;
  uploadsPerMinute: number;
}): Router {
  const router = Router();
  const upload = validate({ body: CommissioningReportSchema });
  router.post(
    SYNC_PATHS.commissioning,
    siteAuth(deps.sites),
    siteRateLimit(deps.uploadsPerMinute),
    express.json({ limit: COMMISSIONING_LIMITS.bodyBytes, inflate: true, strict: true }),
    upload,
    async (req, res) => {
      const site = req.site as AuthenticatedSite;
      const b = upload.parsed(req).body;
      const answer = await deps.commissioning.store(site, b, req.requestId);
      req.log.info('commissioning report stored', {
        report_id: answer.report_id,
        lines: b.lines.length,
        meters: b.meters.length,
        failed: b.lines.filter((l) => l.status === 'fail').length,
      });
      res.status(201).json(answer);
    },
  );
  return router;
}

/** GET /api/sites/:id/commissioning[/:reportId] for operators (any role; site-limited users see only their sites). */
export function commissioningRouter(commissioning: CommissioningService): Router {
  const router = Router();
  const list = validate({ params: IdParamsSchema, query: CommissioningQuerySchema });
  router.get('/api/sites/:id/commissioning', list, async (req, res) => {
    const { params, query } = list.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    res.json(await commissioning.forSite(params.id, query.limit ?? 20));
  });
  const one = validate({ params: ReportParamsSchema });
  router.get('/api/sites/:id/commissioning/:reportId', one, async (req, res) => {
    const { params } = one.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    res.json({ report: await commissioning.one(params.id, params.reportId) });
  });
  return router;
}
