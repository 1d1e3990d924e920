import { Router } from 'express';
import {
  CostsQuerySchema,
  HolidayCalendarUpdateSchema,
  HolidayCalendarWriteSchema,
  IdParamsSchema,
  TariffAssignmentParamsSchema,
  TariffAssignmentWriteSchema,
  TariffCreateSchema,
  TariffUpdateSchema,
  TariffVersionParamsSchema,
  TariffVersionWriteSchema,
} from '@meterit/shared';
import { requireRole, userOf } from '../../middleware/user-auth.js';
import { validate } from '../../middleware/validate.js';
import type { TariffsComponent } from './index.js';

/**
 * /api/holiday-calendars, /api/tariffs (with /versions), /api/sites/:id/tariffs and /api/costs (behind user-auth).
 * Every user reads what their sites allow; only admins write.
 */
export function tariffsRouter(c: TariffsComponent): Router {
  const router = Router();
  const admin = requireRole('admin');
  const byId = validate({ params: IdParamsSchema });

  router.get('/api/holiday-calendars', async (req, res) => {
    res.json({ calendars: await c.tariffs.calendarsList(userOf(req)) });
  });
  const createCalendar = validate({ body: HolidayCalendarWriteSchema });
  router.post('/api/holiday-calendars', admin, createCalendar, async (req, res) => {
    const calendar = await c.tariffs.createCalendar(createCalendar.parsed(req).body);
    req.log.info('holiday calendar created', { calendar_id: calendar.id });
    res.status(201).json({ calendar });
  });
  const editCalendar = validate({ params: IdParamsSchema, body: HolidayCalendarUpdateSchema });
  router.patch('/api/holiday-calendars/:id', admin, editCalendar, async (req, res) => {
    const { params, body } = editCalendar.parsed(req);
    res.json({ calendar: await c.tariffs.updateCalendar(params.id, body) });
  });
  router.delete('/api/holiday-calendars/:id', admin, byId, async (req, res) => {
    await c.tariffs.deleteCalendar(byId.parsed(req).params.id);
    res.status(204).end();
  });

  router.get('/api/tariffs', async (req, res) => {
    res.json({ tariffs: await c.tariffs.list(userOf(req)) });
  });
  router.get('/api/tariffs/:id', byId, async (req, res) => {
    res.json({ tariff: await c.tariffs.get(userOf(req), byId.parsed(req).params.id) });
  });
  const create = validate({ body: TariffCreateSchema });
  router.post('/api/tariffs', admin, create, async (req, res) => {
    const tariff = await c.tariffs.create(userOf(req), create.parsed(req).body);
    req.log.info('tariff created', { tariff_id: tariff.id });
    res.status(201).json({ tariff });
  });
  const rename = validate({ params: IdParamsSchema, body: TariffUpdateSchema });
  router.patch('/api/tariffs/:id', admin, rename, async (req, res) => {
    const { params, body } = rename.parsed(req);
    res.json({ tariff: await c.tariffs.rename(userOf(req), params.id, body.name) });
  });
  router.delete('/api/tariffs/:id', admin, byId, async (req, res) => {
    await c.tariffs.delete(byId.parsed(req).params.id);
    res.status(204).end();
  });

  const addVersion = validate({ params: IdParamsSchema, body: TariffVersionWriteSchema });
  router.post('/api/tariffs/:id/versions', admin, addVersion, async (req, res) => {
    const { params, body } = addVersion.parsed(req);
    const tariff = await c.tariffs.addVersion(userOf(req), params.id, body);
    req.log.info('tariff version added', { tariff_id: params.id, valid_from: body.valid_from });
    res.status(201).json({ tariff });
  });
  const replaceVersion = validate({ params: TariffVersionParamsSchema, body: TariffVersionWriteSchema });
  router.put('/api/tariffs/:id/versions/:versionId', admin, replaceVersion, async (req, res) => {
    const { params, body } = replaceVersion.parsed(req);
    res.json({ tariff: await c.tariffs.replaceVersion(userOf(req), params.id, params.versionId, body) });
  });
  const version = validate({ params: TariffVersionParamsSchema });
  router.delete('/api/tariffs/:id/versions/:versionId', admin, version, async (req, res) => {
    const { id, versionId } = version.parsed(req).params;
    await c.tariffs.deleteVersion(id, versionId);
    res.status(204).end();
  });

  router.get('/api/sites/:id/tariffs', byId, async (req, res) => {
    res.json(await c.assignments.list(userOf(req), byId.parsed(req).params.id));
  });
  const assign = validate({ params: IdParamsSchema, body: TariffAssignmentWriteSchema });
  router.post('/api/sites/:id/tariffs', admin, assign, async (req, res) => {
    const { params, body } = assign.parsed(req);
    const assignment = await c.assignments.add(userOf(req), params.id, body);
    req.log.info('tariff assigned', { site_id: params.id, assignment_id: assignment.id });
    res.status(201).json({ assignment });
  });
  const assignment = validate({ params: TariffAssignmentParamsSchema });
  router.delete('/api/sites/:id/tariffs/:assignmentId', admin, assignment, async (req, res) => {
    const { id, assignmentId } = assignment.parsed(req).params;
    await c.assignments.delete(userOf(req), id, assignmentId);
    res.status(204).end();
  });

  const costs = validate({ query: CostsQuerySchema });
  router.get('/api/costs', costs, async (req, res) => {
    const q = costs.parsed(req).query;
    res.json(
      await c.costs.breakdown(userOf(req), {
        siteId: q.site_id as number,
        meterId: q.meter_id,
        from: q.from,
        to: q.to,
        period: q.period ?? 'month',
        intervals: q.intervals ?? false,
      }),
    );
  });

  return router;
}
