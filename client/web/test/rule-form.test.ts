import { describe, expect, it } from 'vitest';
import type { AlertRuleInfo } from '@meterit/shared';
import { describeRule, recipientsText, toForm, toWrite } from '../src/pages/alert-rules/rule-form';

const chillerRule: AlertRuleInfo = {
  id: 12,
  kind: 'threshold',
  builtin: false,
  name: 'Chiller over 40 kW',
  enabled: true,
  severity: 'warning',
  scope: 'meter',
  site_id: null,
  site_name: 'Demo site',
  meter_id: 7,
  meter_name: 'Chiller plant',
  data_point: 'current_kw',
  condition: 'above',
  threshold: 40,
  threshold_high: null,
  effective_threshold: 40,
  unit: 'kW',
  for_seconds: 300,
  cooldown_seconds: null,
  effective_cooldown_seconds: 3600,
  recipients: ['ops@meterit.test', 'chiller@meterit.test'],
  webhook_url: null,
  description: '',
  created_at: '2026-12-03T08:00:00Z',
  updated_at: '2026-12-03T08:00:00Z',
};

describe('when an operator opens a stored alert rule in the rule dialog and saves it unchanged', () => {
  it('then the write body says what the rule says, and the table describes it in words', () => {
    const form = toForm(chillerRule);
    expect(form).toMatchObject({
      for_minutes: '5',
      threshold: '40',
      recipients: 'ops@meterit.test, chiller@meterit.test',
    });
    expect(toWrite(form, false)).toEqual({
      name: 'Chiller over 40 kW',
      severity: 'warning',
      threshold: 40,
      for_seconds: 300,
      recipients: ['ops@meterit.test', 'chiller@meterit.test'],
      webhook_url: null,
      kind: 'threshold',
      scope: 'meter',
      site_id: null,
      meter_id: 7,
      data_point: 'current_kw',
      condition: 'above',
      threshold_high: null,
    });
    expect(describeRule(chillerRule)).toBe('Power above 40 kW for 5 min · meter Chiller plant');
  });

  it('then a built-in rule sends only what a built-in rule may change, and an emptied threshold means the default', () => {
    const builtin: AlertRuleInfo = { ...chillerRule, builtin: true, kind: 'meter_unreachable' };
    const write = toWrite({ ...toForm(builtin), threshold: ' ' }, true);
    expect(Object.keys(write).sort()).toEqual([
      'for_seconds',
      'name',
      'recipients',
      'severity',
      'threshold',
      'webhook_url',
    ]);
    expect(write.threshold).toBeNull();
  });
});

describe('when the rules page shows a rule', () => {
  const backlog: AlertRuleInfo = {
    ...chillerRule,
    builtin: true,
    kind: 'backlog_size',
    threshold: null,
    effective_threshold: 5000,
    unit: 'readings',
    recipients: [],
  };

  it('then thresholds read with their units', () => {
    expect(describeRule(backlog)).toBe('Backlog over 5,000 readings (default)');
    expect(describeRule({ ...chillerRule, kind: 'no_data', effective_threshold: 15, unit: 'min' })).toBe(
      'No data for 15 min · meter Chiller plant',
    );
  });

  it('then a rule that e-mails nobody says so, and one that falls back to ALERT_EMAIL_TO names who', () => {
    expect(recipientsText(backlog, [])).toEqual({
      text: 'No recipients: set them here or ALERT_EMAIL_TO',
      missing: true,
    });
    expect(recipientsText(backlog, ['ops@meterit.test'])).toEqual({
      text: 'ops@meterit.test (ALERT_EMAIL_TO)',
      missing: false,
    });
    expect(recipientsText({ ...backlog, webhook_url: 'https://hooks.test/x' }, []).missing).toBe(false);
  });
});
