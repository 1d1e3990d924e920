import { Router } from 'express';
import { IdParamsSchema, MeterUpdateRequestSchema, MetersQuerySchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { requireRole, userOf, visibleSites } from '../../middleware/user-auth.js';
import type { MeterDirectory } from './meter-directory.js';

/** /api/meters: every user reads the meters of its sites; operators and admins edit them. */
export function metersRouter(meters: MeterDirectory): Router {
  const router = Router();

  const list = validate({ query: MetersQuerySchema });
  router.get('/api/meters', list, async (req, res) => {
    const { query } = list.parsed(req);
    let found = await meters.list({
      siteIds: visibleSites(userOf(req), query.site_id),
      search: query.q,
      includeInactive: query.include_inactive ?? false,
    });
    if (query.status) found = found.filter((m) => m.status === query.status);
    res.json({ meters: found });
  });

  const one = validate({ params: IdParamsSchema });
  router.get('/api/meters/:id', one, async (req, res) => {
    res.json({ meter: await meters.get(one.parsed(req).params.id, visibleSites(userOf(req))) });
  });

  const update = validate({ params: IdParamsSchema, body: MeterUpdateRequestSchema });
  router.patch('/api/meters/:id', requireRole('admin', 'operator'), update, async (req, res) => {
    const { params, body } = update.parsed(req);
    const current = await meters.get(params.id, visibleSites(userOf(req)));
    await meters.update(current.id, current.site_id, body);
    req.log.info('meter updated', { meter_id: current.id, site_id: current.site_id, fields: Object.keys(body) });
    res.json({ meter: await meters.get(current.id, null) });
  });

  return router;
}
