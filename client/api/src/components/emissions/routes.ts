import { Router } from 'express';
import { IdParamsSchema, MonthFactorWriteSchema, MonthParamsSchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { assertSiteVisible, requireRole, userOf } from '../../middleware/user-auth.js';
import type { EmissionsService } from './emissions-service.js';

/** /api/sites/:id/emission-factors: every user of the site reads them; admins set and delete a month's own factor. */
export function emissionsRouter(emissions: EmissionsService): Router {
  const router = Router();

  const list = validate({ params: IdParamsSchema });
  router.get('/api/sites/:id/emission-factors', list, async (req, res) => {
    const { id } = list.parsed(req).params;
    assertSiteVisible(userOf(req), id);
    res.json(await emissions.list(id));
  });

  const set = validate({ params: MonthParamsSchema, body: MonthFactorWriteSchema });
  router.put('/api/sites/:id/emission-factors/:month', requireRole('admin'), set, async (req, res) => {
    const { params, body } = set.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    const factor = await emissions.set(params.id, params.month, body.kg_per_kwh);
    req.log.info('month emission factor set', { site_id: params.id, month: params.month, kg_per_kwh: body.kg_per_kwh });
    res.json({ factor });
  });

  const remove = validate({ params: MonthParamsSchema });
  router.delete('/api/sites/:id/emission-factors/:month', requireRole('admin'), remove, async (req, res) => {
    const { id, month } = remove.parsed(req).params;
    assertSiteVisible(userOf(req), id);
    await emissions.remove(id, month);
    req.log.info('month emission factor deleted', { site_id: id, month });
    res.status(204).end();
  });

  return router;
}
