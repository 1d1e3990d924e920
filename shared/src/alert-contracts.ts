// Wire types of the operator endpoints for alerts and notifications (web app, MCP server). Browser-safe: no Node imports.
// Times are ISO-8601 UTC strings with Z; energies in kWh, power in kW.

import { z } from 'zod';
import { enumQuery, idQuery, intQuery, isoQuery, textQuery } from './query-kit.js';
import {
  bool,
  describeType,
  fieldName,
  finite,
  idField,
  isUrl,
  oneOf,
  strictBody,
  text,
  typeError,
  utcTime,
  utcTimeOrNull,
  wholeNumber,
} from './schema-kit.js';

// --- Alerts and notifications (/api/alerts, /api/alert-rules, /api/notifications) ---

/**
 * Built-in kinds (one rule each, seeded by the engine): heartbeat_missing (minutes), uplink_down (minutes the
 * site could not reach the client system, from its heartbeat and backlog age), meter_unreachable (minutes),
 * backlog_size (readings), queue_full (readings dropped or refused by the site's queue limit), database_down (minutes), api_error_rate (percent of 5xx). Operator kinds:
 * threshold (a data point's value), no_data (minutes without a reading), daily_energy (kWh since local midnight).
 */
export const ALERT_RULE_KINDS = [
  'heartbeat_missing',
  'uplink_down',
  'meter_unreachable',
  'backlog_size',
  'queue_full',
  'database_down',
  'api_error_rate',
  'threshold',
  'no_data',
  'daily_energy',
  'meter_wrong_device',
  'site_database_down',
] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];
export const OPERATOR_ALERT_KINDS = ['threshold', 'no_data', 'daily_energy'] as const;
export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_SCOPES = ['all', 'site', 'meter'] as const;
export const ALERT_CONDITIONS = ['above', 'below', 'outside'] as const;

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;
const recipients = () =>
  z.custom<string[]>(
    (v) => Array.isArray(v) && v.length <= 20 && v.every((a) => typeof a === 'string' && EMAIL.test(a.trim())),
    {
      error: (iss) =>
        `${fieldName(iss.path)} must be a list of 0 to 20 e-mail addresses, got ${describeType(iss.input)}`,
    },
  );
const webhookUrl = () =>
  z
    .string({ error: typeError('an http(s) URL') })
    .refine((v) => v.length <= 2000, { error: typeError('an http(s) URL'), abort: true })
    .refine((v) => isUrl(v), {
      error: (iss) => `webhook_url is not a valid URL: ${String(iss.input).slice(0, 80)}`,
      abort: true,
    })
    .refine((v) => ['http:', 'https:'].includes(new URL(v).protocol), {
      error: 'webhook_url must start with http:// or https://',
      abort: true,
    });
const threshold = () => finite('a number', { min: -1e15, max: 1e15 }).nullable().optional();

const ruleFields = {
  id: idField().optional(),
  kind: oneOf(ALERT_RULE_KINDS).optional(),
  name: text(1, 255).optional(),
  enabled: bool().optional(),
  severity: oneOf(ALERT_SEVERITIES).optional(),
  scope: oneOf(ALERT_SCOPES).optional(),
  site_id: idField().nullable().optional(),
  meter_id: idField().nullable().optional(),
  data_point: text(1, 100).nullable().optional(),
  condition: oneOf(ALERT_CONDITIONS).nullable().optional(),
  threshold: threshold(),
  threshold_high: threshold(),
  for_seconds: wholeNumber(0, 7 * 86_400).optional(),
  cooldown_seconds: wholeNumber(0, 30 * 86_400)
    .nullable()
    .optional(),
  recipients: recipients().optional(),
  webhook_url: webhookUrl().nullable().optional(),
};

/**
 * Every field of a rule, each optional (the service checks what a kind needs): the preview and the edit
 * (PATCH /api/alert-rules/:id, where the path names the rule).
 */
export const AlertRuleBodySchema = strictBody(ruleFields, () => 'the body must be a JSON object describing the rule');

/** POST /api/alert-rules: a new rule names its kind, and has no id yet. */
export const AlertRuleCreateSchema = AlertRuleBodySchema.superRefine((rule, ctx) => {
  if (rule.kind === undefined)
    ctx.addIssue({ code: 'custom', path: ['kind'], message: 'kind is required: threshold, no_data or daily_energy' });
  if (rule.id !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['id'],
      message: 'id is not allowed when creating; PATCH /api/alert-rules/:id edits',
    });
});

/** Create (kind + name + what the kind needs) or edit (any field) a rule. Built-in rules take threshold/enabled/severity/for/cooldown/recipients/webhook only. */
export type AlertRuleWrite = Omit<z.infer<typeof AlertRuleBodySchema>, 'id'>;

/** POST /api/alerts/:id/acknowledge: an optional note; no body at all is fine. */
export const AcknowledgeRequestSchema = strictBody(
  { note: text(0, 1000).nullable().optional() },
  (input) => `the body must be a JSON object {"note"?} or left out, got ${describeType(input)}`,
).optional();

const STATES: readonly string[] = ALERT_STATES;
export const AlertsQuerySchema = z.object({
  state: textQuery(100).refine(
    (v) => v === undefined || v.split(',').every((s) => STATES.includes(s) || s === 'active'),
    { error: `state must be active or a comma-separated list of ${ALERT_STATES.join(', ')}`, abort: true },
  ),
  site_id: idQuery(),
  rule_id: idQuery(),
  from: isoQuery(),
  to: isoQuery(),
  limit: intQuery(1, 1000),
  include_pending: enumQuery(['true', 'false']),
});
export type AlertsQuery = z.infer<typeof AlertsQuerySchema>;

export const NOTIFICATION_STATUSES = ['pending', 'retrying', 'sent', 'recorded', 'failed', 'suppressed'] as const;
export const NotificationsQuerySchema = z.object({
  status: enumQuery(NOTIFICATION_STATUSES),
  limit: intQuery(1, 1000),
});

export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

// --- answers ---

export const AlertScopeSchema = z.enum(ALERT_SCOPES);
export type AlertScope = z.infer<typeof AlertScopeSchema>;

export const AlertConditionSchema = z.enum(ALERT_CONDITIONS);
export type AlertCondition = z.infer<typeof AlertConditionSchema>;

/** What a rule, an alert or an episode is about: a site and meter, either or both null. */
const subjectFields = {
  site_id: z.number().nullable(),
  site_name: z.string().nullable(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
};

export const AlertRuleInfoSchema = z.object({
  id: z.number(),
  kind: z.enum(ALERT_RULE_KINDS),
  builtin: z.boolean(),
  name: z.string(),
  enabled: z.boolean(),
  severity: z.enum(ALERT_SEVERITIES),
  scope: AlertScopeSchema,
  ...subjectFields,
  data_point: z.string().nullable(),
  condition: AlertConditionSchema.nullable(),
  threshold: z
    .number()
    .nullable()
    .describe('The override stored on the rule (null on a built-in rule: the environment default)'),
  threshold_high: z.number().nullable(),
  /** Its unit: min, readings, %, kWh or the data point's unit. */
  effective_threshold: z.number().nullable().describe('What the engine uses now'),
  unit: z.string().nullable(),
  for_seconds: z.number(),
  cooldown_seconds: z.number().nullable(),
  effective_cooldown_seconds: z.number(),
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  description: z.string(),
  created_at: utcTime,
  updated_at: utcTime,
});
export type AlertRuleInfo = z.infer<typeof AlertRuleInfoSchema>;

export const AlertInfoSchema = z.object({
  id: z.number(),
  rule_id: z.number(),
  rule_name: z.string(),
  kind: z.enum(ALERT_RULE_KINDS),
  subject_key: z.string().describe('What the alert is about, e.g. "meter:12:current_kw" or "site:3"'),
  ...subjectFields,
  site_id: subjectFields.site_id.describe('null: an alert about the client system itself'),
  state: z.enum(ALERT_STATES).describe("pending: condition met, not yet held for the rule's duration"),
  severity: z.enum(ALERT_SEVERITIES),
  title: z.string(),
  detail: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  unit: z.string().nullable(),
  /** E.g. the last heartbeat, which can be before the alert was raised. */
  since: utcTime.describe('When the condition began'),
  started_at: utcTime.describe('When the engine first saw the condition'),
  fired_at: utcTimeOrNull,
  resolved_at: utcTimeOrNull,
  last_evaluated_at: utcTime,
  acknowledged_at: utcTimeOrNull,
  acknowledged_by: z.string().nullable(),
  acknowledge_note: z.string().nullable(),
});
export type AlertInfo = z.infer<typeof AlertInfoSchema>;

export const AlertEventInfoSchema = z.object({
  at: z.string(),
  type: z.string(),
  message: z.string(),
  value: z.number().nullable(),
  actor: z.string().nullable(),
});
export type AlertEventInfo = z.infer<typeof AlertEventInfoSchema>;

export const NotificationInfoSchema = z.object({
  id: z.number(),
  alert_id: z.number().nullable(),
  rule_id: z.number().nullable(),
  channel: z.enum(['email', 'webhook']),
  event: z.enum(['firing', 'resolved', 'manual']),
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  /** recorded: no SMTP configured (demo), kept here instead of sent; suppressed: inside the rule's cooldown. */
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number(),
  last_error: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
  created_by: z.string().nullable(),
});
export type NotificationInfo = z.infer<typeof NotificationInfoSchema>;

export const AlertsResponseSchema = z.object({
  alerts: z.array(AlertInfoSchema),
});
export type AlertsResponse = z.infer<typeof AlertsResponseSchema>;

export const AlertDetailResponseSchema = z.object({
  alert: AlertInfoSchema,
  events: z.array(AlertEventInfoSchema),
  notifications: z.array(NotificationInfoSchema),
});
export type AlertDetailResponse = z.infer<typeof AlertDetailResponseSchema>;

export const AlertRulesResponseSchema = z.object({
  rules: z.array(AlertRuleInfoSchema),
  /** ALERT_EMAIL_TO: who gets the e-mails of a rule with no recipients of its own (empty: nobody). */
  default_recipients: z.array(z.string()),
});
export type AlertRulesResponse = z.infer<typeof AlertRulesResponseSchema>;

export const AlertPreviewEpisodeSchema = z.object({
  subject_key: z.string(),
  ...subjectFields,
  title: z.string(),
  started_at: z.string(),
  fired_at: z.string(),
  resolved_at: z.string().nullable(),
  peak_value: z.number().nullable(),
});
export type AlertPreviewEpisode = z.infer<typeof AlertPreviewEpisodeSchema>;

export const AlertPreviewResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  episodes: z.array(AlertPreviewEpisodeSchema),
  /** Why a preview is limited or unavailable for this kind. */
  note: z.string().nullable(),
});
export type AlertPreviewResponse = z.infer<typeof AlertPreviewResponseSchema>;

export const NotificationsResponseSchema = z.object({
  notifications: z.array(NotificationInfoSchema),
  /** false: no SMTP_URL, e-mails are recorded here instead of sent. */
  smtp_configured: z.boolean(),
});
export type NotificationsResponse = z.infer<typeof NotificationsResponseSchema>;
