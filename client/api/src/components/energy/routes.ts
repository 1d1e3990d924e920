import { Router } from 'express';
import { EnergyQuerySchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { userOf, visibleSites } from '../../middleware/user-auth.js';
import type { EnergyService } from './energy-service.js';

/** GET /api/energy: energy per day, week or month, against the previous period, with peak demand and base load. */
export function energyRouter(energy: EnergyService): Router {
  const router = Router();
  const query = validate({ query: EnergyQuerySchema });
  router.get('/api/energy', query, async (req, res) => {
    const q = query.parsed(req).query;
    res.json(
      await energy.energy({
        siteIds: visibleSites(userOf(req), q.site_id),
        meterIds: q.meter_id,
        from: q.from,
        to: q.to,
        interval: q.interval ?? 'day',
        tz: q.tz ?? 'UTC',
        compare: q.compare ?? 'none',
        group: q.group ?? (q.meter_id ? 'meter' : 'site'),
        gapSeconds: (q.gap_minutes ?? 15) * 60,
      }),
    );
  });
  return router;
}
