import { pointName, type AlertRuleInfo, type AlertRuleWrite } from '@meterit/shared';

// The rule dialog's form: text fields as typed, turned into the API's write body (and back from a stored rule).
export const KIND_LABEL: Record<string, string> = {
  threshold: 'Data point threshold',
  no_data: 'No new readings',
  daily_energy: 'Daily energy',
};

const num = (v: number | null) => (v === null ? '—' : v.toLocaleString());
const minutes = (v: number | null) => (v === 0 ? 'at once' : `for ${num(v)} min`);

/** A built-in rule's threshold as a sentence with its unit ("Backlog over 5,000 readings"). */
const BUILTIN_WORDS: Record<string, (t: number | null) => string> = {
  heartbeat_missing: (t) => `No heartbeat for ${num(t)} min`,
  uplink_down: (t) => `Uplink down for ${num(t)} min (or its oldest unsent reading older)`,
  meter_unreachable: (t) => `No reading from a meter for ${num(t)} min`,
  backlog_size: (t) => `Backlog over ${num(t)} readings`,
  database_down: (t) => `Central database unreachable for ${num(t)} min`,
  queue_full: (t) => `More than ${num(t)} readings lost while the site's queue is full`,
  meter_wrong_device: (t) => `A meter answers as another device ${minutes(t)}`,
  site_database_down: (t) => `Site agent's database down for ${num(t)} min`,
  api_error_rate: (t) => `Server errors over ${num(t)} % of responses`,
};

/** The rule's condition in words, with its units and where it applies. */
export function describeRule(r: AlertRuleInfo): string {
  const where = r.meter_name ? `meter ${r.meter_name}` : r.site_name ? `site ${r.site_name}` : 'all sites';
  const t = r.effective_threshold;
  const unit = r.unit ? ` ${r.unit}` : '';
  switch (r.kind) {
    case 'threshold': {
      const value = r.condition === 'outside' ? `${num(t)}–${num(r.threshold_high)}${unit}` : `${num(t)}${unit}`;
      const held = r.for_seconds ? ` for ${r.for_seconds / 60} min` : '';
      return `${r.data_point ? pointName(r.data_point) : 'Value'} ${r.condition ?? 'above'} ${value}${held} · ${where}`;
    }
    case 'no_data':
      return `No data for ${num(t)} min · ${where}`;
    case 'daily_energy':
      return `More than ${num(t)} kWh today · ${where}`;
    default: {
      const words = BUILTIN_WORDS[r.kind]?.(t) ?? `Threshold ${num(t)}${unit}`;
      return `${words}${r.threshold === null ? ' (default)' : ' (changed)'}`;
    }
  }
}

/** Who gets the rule's e-mails, or the warning that nobody does. */
export function recipientsText(
  r: Pick<AlertRuleInfo, 'recipients' | 'webhook_url'>,
  defaults: string[],
): { text: string; missing: boolean } {
  const hook = r.webhook_url ? ' + webhook' : '';
  if (r.recipients.length > 0) return { text: `${r.recipients.join(', ')}${hook}`, missing: false };
  if (defaults.length > 0) return { text: `${defaults.join(', ')} (ALERT_EMAIL_TO)${hook}`, missing: false };
  return { text: `No recipients: set them here or ALERT_EMAIL_TO${hook}`, missing: !r.webhook_url };
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
