import express, { Router } from 'express';
import { SYNC_PATHS } from '@meterit/shared';
import { validateOrThrow } from '../../middleware/validate.js';
import { siteAuth } from '../../middleware/site-auth.js';
import { siteRateLimit } from '../../middleware/rate-limit.js';
import { assertSiteVisible, userOf } from '../../middleware/user-auth.js';
import { intQuery, num } from '../../middleware/query.js';
import { idParam } from '../users/routes.js';
import type { SitesService } from '../sites/sites-service.js';
import type { AuthenticatedSite } from '../../types.js';
import { COMMISSIONING_LIMITS, commissioningReportChains } from './commissioning-validation.js';
import type { CommissioningService } from './commissioning-service.js';
import type { CommissioningReportBody } from './types.js';

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
  router.post(
    SYNC_PATHS.commissioning,
    siteAuth(deps.sites),
    siteRateLimit(deps.uploadsPerMinute),
    express.json({ limit: COMMISSIONING_LIMITS.bodyBytes, inflate: true, strict: true }),
    async (req, res) => {
      await validateOrThrow(req, commissioningReportChains());
      const site = req.site as AuthenticatedSite;
      const answer = await deps.commissioning.store(site, req.body as CommissioningReportBody, req.requestId);
      const b = req.body as CommissioningReportBody;
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
  router.get('/api/sites/:id/commissioning', async (req, res) => {
    await validateOrThrow(req, [idParam(), intQuery('limit', 1, 100)]);
    const siteId = Number(req.params.id);
    assertSiteVisible(userOf(req), siteId);
    res.json(await commissioning.forSite(siteId, num(req.query.limit) ?? 20));
  });
  router.get('/api/sites/:id/commissioning/:reportId', async (req, res) => {
    await validateOrThrow(req, [idParam(), idParam('reportId')]);
    const siteId = Number(req.params.id);
    assertSiteVisible(userOf(req), siteId);
    res.json({ report: await commissioning.one(siteId, Number(req.params.reportId)) });
  });
  return router;
}
