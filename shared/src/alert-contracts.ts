// Wire types of the operator endpoints for alerts and notifications (web app, MCP server). Browser-safe: no Node imports.
// Times are ISO-8601 UTC strings with Z; energies in kWh, power in kW.

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

/** Create (kind + name + what the kind needs) or edit (any field) a rule. Built-in rules take threshold/enabled/severity/for/cooldown/recipients/webhook only. */
export interface AlertRuleWrite {
  kind?: AlertRuleKind;
  name?: string;
  enabled?: boolean;
  severity?: AlertSeverity;
  scope?: AlertScope;
  site_id?: number | null;
  meter_id?: number | null;
  data_point?: string | null;
  condition?: AlertCondition | null;
  threshold?: number | null;
  threshold_high?: number | null;
  for_seconds?: number;
  cooldown_seconds?: number | null;
  recipients?: string[];
  webhook_url?: string | null;
}

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

export type NotificationStatus = 'pending' | 'retrying' | 'sent' | 'recorded' | 'failed' | 'suppressed';

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
