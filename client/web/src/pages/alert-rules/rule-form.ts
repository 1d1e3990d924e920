import type { AlertRuleInfo, AlertRuleWrite } from '@meterit/shared';

// The rule dialog's form: text fields as typed, turned into the API's write body (and back from a stored rule).
export const KIND_LABEL: Record<string, string> = {
  threshold: 'Data point threshold',
  no_data: 'No new readings',
  daily_energy: 'Daily energy',
};

export function describeRule(r: AlertRuleInfo): string {
  const where = r.meter_name ? `meter ${r.meter_name}` : r.site_name ? `site ${r.site_name}` : 'all sites';
  const t = r.effective_threshold;
  switch (r.kind) {
    case 'threshold':
      return `${r.data_point} ${r.condition} ${r.condition === 'outside' ? `${t}–${r.threshold_high}` : t}${r.for_seconds ? ` for ${r.for_seconds / 60} min` : ''} · ${where}`;
    case 'no_data':
      return `no reading for ${t} min · ${where}`;
    case 'daily_energy':
      return `more than ${t} kWh today · ${where}`;
    default:
      return `threshold ${t} ${r.unit ?? ''}${r.threshold === null ? ' (default)' : ' (override)'}`;
  }
}

export interface RuleForm {
  name: string;
  kind: 'threshold' | 'no_data' | 'daily_energy';
  scope: 'all' | 'site' | 'meter';
  site_id: number | '';
  meter_id: number | '';
  data_point: string;
  condition: 'above' | 'below' | 'outside';
  threshold: string;
  threshold_high: string;
  for_minutes: string;
  recipients: string;
  webhook_url: string;
  severity: 'critical' | 'warning' | 'info';
}

export const EMPTY_RULE: RuleForm = {
  name: '',
  kind: 'threshold',
  scope: 'meter',
  site_id: '',
  meter_id: '',
  data_point: 'current_kw',
  condition: 'above',
  threshold: '',
  threshold_high: '',
  for_minutes: '0',
  recipients: '',
  webhook_url: '',
  severity: 'warning',
};

export function toForm(r: AlertRuleInfo): RuleForm {
  return {
    name: r.name,
    kind: r.kind as RuleForm['kind'],
    scope: r.scope,
    site_id: r.site_id ?? '',
    meter_id: r.meter_id ?? '',
    data_point: r.data_point ?? '',
    condition: r.condition ?? 'above',
    threshold: r.threshold === null ? '' : String(r.threshold),
    threshold_high: r.threshold_high === null ? '' : String(r.threshold_high),
    for_minutes: String(r.for_seconds / 60),
    recipients: r.recipients.join(', '),
    webhook_url: r.webhook_url ?? '',
    severity: r.severity,
  };
}

export function toWrite(f: RuleForm, builtin: boolean): AlertRuleWrite {
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  const common: AlertRuleWrite = {
    name: f.name,
    severity: f.severity,
    threshold: num(f.threshold),
    for_seconds: Math.round(Number(f.for_minutes || '0') * 60),
    recipients: f.recipients
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    webhook_url: f.webhook_url.trim() || null,
  };
  if (builtin) return common;
  return {
    ...common,
    kind: f.kind,
    scope: f.scope,
    site_id: f.scope === 'site' && f.site_id !== '' ? f.site_id : null,
    meter_id: f.scope === 'meter' && f.meter_id !== '' ? f.meter_id : null,
    data_point: f.kind === 'daily_energy' ? null : f.data_point.trim() || null,
    condition: f.kind === 'threshold' ? f.condition : null,
    threshold_high: f.kind === 'threshold' && f.condition === 'outside' ? num(f.threshold_high) : null,
  };
}

/** `set('name')` gives the onChange of the form's text field `name`. */
export type SetField = <K extends keyof RuleForm>(k: K) => (e: { target: { value: string } }) => void;
