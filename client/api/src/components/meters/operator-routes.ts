import { Router } from 'express';
import type { MeterWriteRequest } from '@meterit/shared';
import { validateOrThrow } from '../../middleware/validate.js';
import { bool, boolQuery, ids, idListQuery, str, textQuery } from '../../middleware/query.js';
import { requireRole, userOf, visibleSites } from '../../middleware/user-auth.js';
import { idParam } from '../users/routes.js';
import type { MeterDirectory } from './meter-directory.js';
import { validateMeterWrite } from './meter-validation.js';

/** /api/meters: every user reads the meters of its sites; operators and admins edit them. */
export function metersRouter(meters: MeterDirectory): Router {
  const router = Router();

  router.get('/api/meters', async (req, res) => {
    await validateOrThrow(req, [
      idListQuery('site_id'),
      textQuery('q', 100),
      boolQuery('include_inactive'),
      textQuery('status', 20),
    ]);
    const q = req.query as Record<string, unknown>;
    let list = await meters.list({
      siteIds: visibleSites(userOf(req), ids(q.site_id)),
      search: str(q.q),
      includeInactive: bool(q.include_inactive) ?? false,
    });
    const status = str(q.status);
    if (status) list = list.filter((m) => m.status === status);
    res.json({ meters: list });
  });

  router.get('/api/meters/:id', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    res.json({ meter: await meters.get(Number(req.params.id), visibleSites(userOf(req))) });
  });

  router.patch('/api/meters/:id', requireRole('admin', 'operator'), async (req, res) => {
    await validateMeterWrite(req, true, [idParam()]);
    const current = await meters.get(Number(req.params.id), visibleSites(userOf(req)));
    await meters.update(current.id, current.site_id, req.body as Partial<MeterWriteRequest>);
    req.log.info('meter updated', {
      meter_id: current.id,
      site_id: current.site_id,
      fields: Object.keys(req.body as object),
    });
    res.json({ meter: await meters.get(current.id, null) });
  });

  return router;
}
