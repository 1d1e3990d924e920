import { Router } from 'express';
import {
  AcknowledgeRequestSchema,
  AlertRuleBodySchema,
  AlertRuleCreateSchema,
  AlertsQuerySchema,
  ErrorCode,
  IdParamsSchema,
  NotificationsQuerySchema,
  type AlertState,
} from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { requireRole, userOf } from '../../middleware/user-auth.js';
import { ApiError } from '../../errors.js';
import type { AlertsService } from './alerts-service.js';

/** /api/alerts, /api/alert-rules, /api/notifications (behind user-auth). Viewers read; operators and admins act. */
export function alertsRouter(alerts: AlertsService): Router {
  const router = Router();
  const operator = requireRole('admin', 'operator');

  const list = validate({ query: AlertsQuerySchema });
  router.get('/api/alerts', list, async (req, res) => {
    const q = list.parsed(req).query;
    const states = q.state
      ? ([
          ...new Set(q.state.split(',').flatMap((s) => (s === 'active' ? ['firing', 'pending'] : [s]))),
        ] as AlertState[])
      : undefined;
    const { from, to } = q;
    if (from && to && from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    res.json({
      alerts: await alerts.list(userOf(req), {
        ...(states ? { states } : {}),
        ...(q.site_id !== undefined ? { siteId: q.site_id } : {}),
        ...(q.rule_id !== undefined ? { ruleId: q.rule_id } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        includePending: q.include_pending === 'true' || (states?.includes('pending') ?? false),
        limit: q.limit ?? 200,
      }),
    });
  });

  const byId = validate({ params: IdParamsSchema });
  router.get('/api/alerts/:id', byId, async (req, res) => {
    res.json(await alerts.get(userOf(req), byId.parsed(req).params.id));
  });

  const acknowledge = validate({ params: IdParamsSchema, body: AcknowledgeRequestSchema });
  router.post('/api/alerts/:id/acknowledge', operator, acknowledge, async (req, res) => {
    const { params, body } = acknowledge.parsed(req);
    const alert = await alerts.acknowledge(userOf(req), params.id, body?.note?.trim() || null);
    req.log.info('alert acknowledged', { alert_id: alert.id });
    res.json({ alert });
  });

  router.get('/api/alert-rules', async (req, res) => {
    res.json({ rules: await alerts.rules(userOf(req)), default_recipients: alerts.defaultRecipients() });
  });

  router.get('/api/alert-rules/:id', byId, async (req, res) => {
    res.json({ rule: await alerts.rule(userOf(req), byId.parsed(req).params.id) });
  });

  const preview = validate({ body: AlertRuleBodySchema });
  router.post('/api/alert-rules/preview', operator, preview, async (req, res) => {
    res.json(await alerts.preview(preview.parsed(req).body, userOf(req)));
  });

  const create = validate({ body: AlertRuleCreateSchema });
  router.post('/api/alert-rules', operator, create, async (req, res) => {
    const rule = await alerts.configureRule(create.parsed(req).body, userOf(req));
    req.log.info('alert rule created', { rule_id: rule.id, kind: rule.kind });
    res.status(201).json({ rule });
  });

  const edit = validate({ params: IdParamsSchema, body: AlertRuleBodySchema });
  router.patch('/api/alert-rules/:id', operator, edit, async (req, res) => {
    const { params, body } = edit.parsed(req);
    const rule = await alerts.configureRule({ ...body, id: params.id }, userOf(req));
    req.log.info('alert rule updated', { rule_id: rule.id, fields: Object.keys(body) });
    res.json({ rule });
  });

  router.delete('/api/alert-rules/:id', operator, byId, async (req, res) => {
    const { id } = byId.parsed(req).params;
    await alerts.deleteRule(userOf(req), id);
    req.log.info('alert rule deleted', { rule_id: id });
    res.status(204).end();
  });

  const notifications = validate({ query: NotificationsQuerySchema });
  router.get('/api/notifications', notifications, async (req, res) => {
    const q = notifications.parsed(req).query;
    res.json({
      notifications: await alerts.notifications(userOf(req), {
        ...(q.status ? { status: q.status } : {}),
        limit: q.limit ?? 200,
      }),
      smtp_configured: alerts.smtpConfigured,
    });
  });

  return router;
}
