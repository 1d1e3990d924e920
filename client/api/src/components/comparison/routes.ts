import { Router } from 'express';
import { ComparePeriodsQuerySchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { userOf } from '../../middleware/user-auth.js';
import type { CompareService } from './compare-service.js';

/**
 * GET /api/energy/compare: a route of its own beside /api/energy because its question differs: one site's period
 * in the site's own zone and currency, against two others, with costs and CO₂, instead of a series of intervals.
 */
export function compareRouter(compare: CompareService): Router {
  const router = Router();
  const query = validate({ query: ComparePeriodsQuerySchema });
  router.get('/api/energy/compare', query, async (req, res) => {
    const q = query.parsed(req).query;
    res.json(
      await compare.compare(userOf(req), {
        siteId: q.site_id as number,
        meterId: q.meter_id,
        period: q.period ?? 'month',
        at: q.at,
        from: q.from,
        to: q.to,
      }),
    );
  });
  return router;
}
