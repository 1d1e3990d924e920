import { Router } from 'express';
import { body } from 'express-validator';
import {
  ALERT_RULE_KINDS,
  ALERT_SEVERITIES,
  ALERT_STATES,
  type AlertRuleWrite,
  type AlertState,
} from '@meterit/shared';
import {
  check,
  describeType,
  isPlainObject,
  onlyFields,
  optionalObjectBody,
  unstorableProblem,
  validateOrThrow,
} from '../../middleware/validate.js';
import { enumQuery, idQuery, intQuery, isoQuery, num, str, textQuery, time } from '../../middleware/query.js';
import { requireRole, userOf } from '../../middleware/user-auth.js';
import { idParam } from '../users/routes.js';
import { ApiError } from '../../errors.js';
import { ErrorCode } from '@meterit/shared';
import type { AlertsService } from './alerts-service.js';

const optional = (problem: (v: unknown) => string | undefined) => (v: unknown) =>
  v === undefined ? undefined : problem(v);
const nullable = (problem: (v: unknown) => string | undefined) => (v: unknown) => (v === null ? undefined : problem(v));
const finite = (name: string) => (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e15
    ? undefined
    : `${name} must be a number, got ${describeType(v)}`;
const id = (name: string) => (v: unknown) =>
  Number.isInteger(v) && (v as number) > 0 && (v as number) < 2 ** 31
    ? undefined
    : `${name} must be a positive integer id, got ${describeType(v)}`;
const oneOf = (name: string, values: readonly string[]) => (v: unknown) =>
  typeof v === 'string' && values.includes(v)
    ? undefined
    : `${name} must be one of ${values.join(', ')}, got ${describeType(v)}`;
const whole = (name: string, min: number, max: number) => (v: unknown) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max
    ? undefined
    : `${name} must be a whole number from ${min} to ${max}, got ${describeType(v)}`;
const text = (name: string, min: number, max: number) => (v: unknown) =>
  typeof v === 'string' && v.trim().length >= min && v.length <= max
    ? unstorableProblem(name, v)
    : `${name} must be a string of ${min} to ${max} characters, got ${describeType(v)}`;
const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;
const emails = (name: string, min: number) => (v: unknown) =>
  Array.isArray(v) && v.length >= min && v.length <= 20 && v.every((a) => typeof a === 'string' && EMAIL.test(a.trim()))
    ? undefined
    : `${name} must be a list of ${min} to 20 e-mail addresses, got ${describeType(v)}`;
const url = (v: unknown) => {
  if (typeof v !== 'string' || v.length > 2000) return `webhook_url must be an http(s) URL, got ${describeType(v)}`;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? undefined
      : 'webhook_url must start with http:// or https://';
  } catch {
    return `webhook_url is not a valid URL: ${v.slice(0, 80)}`;
  }
};

const RULE_FIELDS = [
  'id',
  'kind',
  'name',
  'enabled',
  'severity',
  'scope',
  'site_id',
  'meter_id',
  'data_point',
  'condition',
  'threshold',
  'threshold_high',
  'for_seconds',
  'cooldown_seconds',
  'recipients',
  'webhook_url',
];

/** Every field of a rule, each optional (the service checks what a kind needs). */
const ruleChains = () => [
  body()
    .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object describing the rule')))
    .bail(),
  onlyFields(...RULE_FIELDS),
  body('id').custom(check(optional(id('id')))),
  body('kind').custom(check(optional(oneOf('kind', ALERT_RULE_KINDS)))),
  body('name').custom(check(optional(text('name', 1, 255)))),
  body('enabled').custom(
    check(optional((v) => (typeof v === 'boolean' ? undefined : `enabled must be a boolean, got ${describeType(v)}`))),
  ),
  body('severity').custom(check(optional(oneOf('severity', ALERT_SEVERITIES)))),
  body('scope').custom(check(optional(oneOf('scope', ['all', 'site', 'meter'])))),
  body('site_id').custom(check(optional(nullable(id('site_id'))))),
  body('meter_id').custom(check(optional(nullable(id('meter_id'))))),
  body('data_point').custom(check(optional(nullable(text('data_point', 1, 100))))),
  body('condition').custom(check(optional(nullable(oneOf('condition', ['above', 'below', 'outside']))))),
  body('threshold').custom(check(optional(nullable(finite('threshold'))))),
  body('threshold_high').custom(check(optional(nullable(finite('threshold_high'))))),
  body('for_seconds').custom(check(optional(whole('for_seconds', 0, 7 * 86_400)))),
  body('cooldown_seconds').custom(check(optional(nullable(whole('cooldown_seconds', 0, 30 * 86_400))))),
  body('recipients').custom(check(optional(emails('recipients', 0)))),
  body('webhook_url').custom(check(optional(nullable(url)))),
];

const STATES = ALERT_STATES as readonly string[];
const statesQuery = () =>
  textQuery('state', 100).custom(
    check((v) =>
      v === undefined || (typeof v === 'string' && v.split(',').every((s) => STATES.includes(s) || s === 'active'))
        ? undefined
        : `state must be active or a comma-separated list of ${STATES.join(', ')}`,
    ),
  );

/** /api/alerts, /api/alert-rules, /api/notifications (behind user-auth). Viewers read; operators and admins act. */
export function alertsRouter(alerts: AlertsService): Router {
  const router = Router();
  const operator = requireRole('admin', 'operator');

  router.get('/api/alerts', async (req, res) => {
    await validateOrThrow(req, [
      statesQuery(),
      idQuery('site_id'),
      idQuery('rule_id'),
      isoQuery('from'),
      isoQuery('to'),
      intQuery('limit', 1, 1000),
      enumQuery('include_pending', ['true', 'false']),
    ]);
    const q = req.query as Record<string, unknown>;
    const raw = str(q.state);
    const states = raw
      ? ([...new Set(raw.split(',').flatMap((s) => (s === 'active' ? ['firing', 'pending'] : [s])))] as AlertState[])
      : undefined;
    const from = time(q.from);
    const to = time(q.to);
    if (from && to && from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    res.json({
      alerts: await alerts.list(userOf(req), {
        ...(states ? { states } : {}),
        ...(q.site_id !== undefined ? { siteId: num(q.site_id) as number } : {}),
        ...(q.rule_id !== undefined ? { ruleId: num(q.rule_id) as number } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        includePending: str(q.include_pending) === 'true' || (states?.includes('pending') ?? false),
        limit: num(q.limit) ?? 200,
      }),
    });
  });

  router.get('/api/alerts/:id', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    res.json(await alerts.get(userOf(req), Number(req.params.id)));
  });

  router.post('/api/alerts/:id/acknowledge', operator, async (req, res) => {
    await validateOrThrow(req, [
      idParam(),
      ...optionalObjectBody('note'),
      body('note').custom(check(optional(nullable(text('note', 0, 1000))))),
    ]);
    const note = (req.body as { note?: string | null } | undefined)?.note?.trim() || null;
    const alert = await alerts.acknowledge(userOf(req), Number(req.params.id), note);
    req.log.info('alert acknowledged', { alert_id: alert.id });
    res.json({ alert });
  });

  router.get('/api/alert-rules', async (req, res) => {
    res.json({ rules: await alerts.rules(userOf(req)) });
  });

  router.get('/api/alert-rules/:id', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    res.json({ rule: await alerts.rule(userOf(req), Number(req.params.id)) });
  });

  router.post('/api/alert-rules/preview', operator, async (req, res) => {
    await validateOrThrow(req, ruleChains());
    res.json(await alerts.preview(req.body as AlertRuleWrite & { id?: number }, userOf(req)));
  });

  router.post('/api/alert-rules', operator, async (req, res) => {
    await validateOrThrow(req, [
      ...ruleChains(),
      body('kind').custom(
        check((v) => (v === undefined ? 'kind is required: threshold, no_data or daily_energy' : undefined)),
      ),
      body('id').custom(
        check((v) =>
          v === undefined ? undefined : 'id is not allowed when creating; PATCH /api/alert-rules/:id edits',
        ),
      ),
    ]);
    const rule = await alerts.configureRule(req.body as AlertRuleWrite, userOf(req));
    req.log.info('alert rule created', { rule_id: rule.id, kind: rule.kind });
    res.status(201).json({ rule });
  });

  router.patch('/api/alert-rules/:id', operator, async (req, res) => {
    await validateOrThrow(req, [idParam(), ...ruleChains()]);
    const rule = await alerts.configureRule(
      { ...(req.body as AlertRuleWrite), id: Number(req.params.id) },
      userOf(req),
    );
    req.log.info('alert rule updated', { rule_id: rule.id, fields: Object.keys(req.body as object) });
    res.json({ rule });
  });

  router.delete('/api/alert-rules/:id', operator, async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    await alerts.deleteRule(userOf(req), Number(req.params.id));
    req.log.info('alert rule deleted', { rule_id: Number(req.params.id) });
    res.status(204).end();
  });

  router.get('/api/notifications', async (req, res) => {
    await validateOrThrow(req, [
      enumQuery('status', ['pending', 'retrying', 'sent', 'recorded', 'failed', 'suppressed']),
      intQuery('limit', 1, 1000),
    ]);
    const status = str(req.query.status);
    res.json({
      notifications: await alerts.notifications(userOf(req), {
        ...(status ? { status } : {}),
        limit: num(req.query.limit) ?? 200,
      }),
      smtp_configured: alerts.smtpConfigured,
    });
  });

  return router;
}
