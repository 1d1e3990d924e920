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
export type AlertScope = 'all' | 'site' | 'meter';
export type AlertCondition = 'above' | 'below' | 'outside';

export interface AlertRuleInfo {
  id: number;
  kind: AlertRuleKind;
  builtin: boolean;
  name: string;
  enabled: boolean;
  severity: AlertSeverity;
  scope: AlertScope;
  site_id: number | null;
  site_name: string | null;
  meter_id: number | null;
  meter_name: string | null;
  data_point: string | null;
  condition: AlertCondition | null;
  /** The override stored on the rule (null on a built-in rule = the environment default). */
  threshold: number | null;
  threshold_high: number | null;
  /** What the engine uses now, and its unit (min, readings, %, kWh or the data point's unit). */
  effective_threshold: number | null;
  unit: string | null;
  for_seconds: number;
  cooldown_seconds: number | null;
  effective_cooldown_seconds: number;
  recipients: string[];
  webhook_url: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

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
  scope: oneOf(['all', 'site', 'meter']).optional(),
  site_id: idField().nullable().optional(),
  meter_id: idField().nullable().optional(),
  data_point: text(1, 100).nullable().optional(),
  condition: oneOf(['above', 'below', 'outside']).nullable().optional(),
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

export interface AlertInfo {
  id: number;
  rule_id: number;
  rule_name: string;
  kind: AlertRuleKind;
  subject_key: string;
  site_id: number | null;
  site_name: string | null;
  meter_id: number | null;
  meter_name: string | null;
  state: AlertState;
  severity: AlertSeverity;
  title: string;
  detail: string;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  /** When the condition began (e.g. the last heartbeat), which can be before the alert was raised. */
  since: string;
  started_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  last_evaluated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
}

export interface AlertEventInfo {
  at: string;
  type: string;
  message: string;
  value: number | null;
  actor: string | null;
}

export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationInfo {
  id: number;
  alert_id: number | null;
  rule_id: number | null;
  channel: 'email' | 'webhook';
  event: 'firing' | 'resolved' | 'manual';
  recipients: string[];
  webhook_url: string | null;
  subject: string;
  body: string;
  /** recorded: no SMTP configured (demo), kept here instead of sent; suppressed: inside the rule's cooldown. */
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  sent_at: string | null;
  created_by: string | null;
}

export interface AlertsResponse {
  alerts: AlertInfo[];
}

export interface AlertDetailResponse {
  alert: AlertInfo;
  events: AlertEventInfo[];
  notifications: NotificationInfo[];
}

export interface AlertRulesResponse {
  rules: AlertRuleInfo[];
}

export interface AlertPreviewEpisode {
  subject_key: string;
  site_id: number | null;
  site_name: string | null;
  meter_id: number | null;
  meter_name: string | null;
  title: string;
  started_at: string;
  fired_at: string;
  resolved_at: string | null;
  peak_value: number | null;
}

export interface AlertPreviewResponse {
  from: string;
  to: string;
  episodes: AlertPreviewEpisode[];
  /** Why a preview is limited or unavailable for this kind. */
  note: string | null;
}

export interface NotificationsResponse {
  notifications: NotificationInfo[];
  /** false: no SMTP_URL, e-mails are recorded here instead of sent. */
  smtp_configured: boolean;
}
