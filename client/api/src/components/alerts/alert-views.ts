import type { AlertInfo, AlertRuleInfo, NotificationInfo } from '@meterit/shared';
import type { AlertsConfig } from './alerts-config.js';
import type { AlertRow } from './alert-state-repository.js';
import { effectiveCooldownSeconds, effectiveThreshold } from './effective-rule.js';
import type { NotificationRow } from './outbox-repository.js';
import { builtinSpec, OPERATOR_KIND_TEXT } from './rule-catalog.js';
import type { RuleRow } from './rules-repository.js';

// The wire shapes (shared's alert contracts) of the stored rows.

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function ruleInfo(r: RuleRow, config: AlertsConfig): AlertRuleInfo {
  const spec = builtinSpec(r.kind);
  const op = (OPERATOR_KIND_TEXT as Partial<Record<string, { unit: string | null; description: string }>>)[r.kind];
  return {
    id: r.id,
    kind: r.kind,
    builtin: r.builtin,
    name: r.name,
    enabled: r.enabled,
    severity: r.severity,
    scope: r.scope,
    site_id: r.site_id,
    site_name: r.site_name,
    meter_id: r.meter_id,
    meter_name: r.meter_name,
    data_point: r.data_point,
    condition: r.condition,
    threshold: r.threshold,
    threshold_high: r.threshold_high,
    effective_threshold: effectiveThreshold(r, config),
    unit: spec?.unit ?? op?.unit ?? null,
    for_seconds: r.for_seconds,
    cooldown_seconds: r.cooldown_seconds,
    effective_cooldown_seconds: effectiveCooldownSeconds(r, config),
    recipients: r.recipients,
    webhook_url: r.webhook_url,
    description: spec ? `${spec.description} Default from ${spec.envKey}.` : (op?.description ?? ''),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

export function alertInfo(a: AlertRow): AlertInfo {
  return {
    id: a.id,
    rule_id: a.rule_id,
    rule_name: a.rule_name,
    kind: a.kind,
    subject_key: a.subject_key,
    site_id: a.site_id,
    site_name: a.site_name,
    meter_id: a.meter_id,
    meter_name: a.meter_name,
    state: a.state,
    severity: a.severity,
    title: a.title,
    detail: a.detail,
    value: a.value,
    threshold: a.threshold,
    unit: a.unit,
    since: a.since.toISOString(),
    started_at: a.started_at.toISOString(),
    fired_at: iso(a.fired_at),
    resolved_at: iso(a.resolved_at),
    last_evaluated_at: a.last_evaluated_at.toISOString(),
    acknowledged_at: iso(a.acknowledged_at),
    acknowledged_by: a.acknowledged_by_email,
    acknowledge_note: a.acknowledge_note,
  };
}

export function notificationInfo(n: NotificationRow): NotificationInfo {
  return {
    id: n.id,
    alert_id: n.alert_id,
    rule_id: n.rule_id,
    channel: n.channel,
    event: n.event,
    recipients: n.recipients,
    webhook_url: n.webhook_url,
    subject: n.subject,
    body: n.body,
    status: n.status,
    attempts: n.attempts,
    last_error: n.last_error,
    next_attempt_at: iso(n.next_attempt_at),
    created_at: n.created_at.toISOString(),
    sent_at: iso(n.sent_at),
    created_by: n.created_by,
  };
}
