import { Alert, Button, MenuItem, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import type { AlertPreviewResponse, AlertRuleInfo, AlertRuleWrite } from '@meterit/shared';
import { api, errorText } from '../../api/client';
import { EMPTY_RULE, toForm, toWrite, type RuleForm, type SetField } from './rule-form';
import { RulePreview } from './RulePreview';
import { RuleTargetFields } from './RuleTargetFields';
import { ErrorNote } from '../../components/StateViews';
import { PanelDialog } from '../../components/PanelDialog';

/** Create or edit an alert rule; a built-in rule keeps its kind and scope, only its threshold and recipients change. */
export function RuleDialog({
  rule,
  defaultRecipients,
  onClose,
  onSaved,
}: {
  rule?: AlertRuleInfo;
  /** ALERT_EMAIL_TO: who is e-mailed when the rule names nobody. */
  defaultRecipients: string[];
  onClose(): void;
  onSaved(): void;
}) {
  const builtin = rule?.builtin ?? false;
  const [f, setF] = useState<RuleForm>(rule ? toForm(rule) : EMPTY_RULE);
  const [error, setError] = useState<string>();
  const [preview, setPreview] = useState<AlertPreviewResponse>();
  const [busy, setBusy] = useState(false);
  const set: SetField =
    <K extends keyof RuleForm>(k: K) =>
    (e: { target: { value: string } }) =>
      setF((x) => ({ ...x, [k]: e.target.value }));
  const body = () => ({ ...toWrite(f, builtin), ...(rule ? { id: rule.id } : {}) });
  const runPreview = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPreview((await api.post<AlertPreviewResponse>('/api/alert-rules/preview', body())).data);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { id: _id, ...write } = body() as AlertRuleWrite & { id?: number };
      if (rule) await api.patch(`/api/alert-rules/${rule.id}`, write);
      else await api.post('/api/alert-rules', write);
      onSaved();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <PanelDialog
      title={rule ? `Edit rule: ${rule.name}` : 'New alert rule'}
      onClose={onClose}
      maxWidth="sm"
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button onClick={runPreview} disabled={busy}>
            Preview last day
          </Button>
          <Button variant="contained" onClick={save} disabled={busy}>
            {rule ? 'Save rule' : 'Create rule'}
          </Button>
        </>
      }
    >
      <Stack spacing={2} sx={{ mt: 1 }}>
        {builtin ? <Alert severity="info">{rule?.description}</Alert> : null}
        <TextField label="Rule name" value={f.name} onChange={set('name')} required />
        {!builtin ? <RuleTargetFields f={f} set={set} setF={setF} /> : null}
        <Stack direction="row" spacing={2}>
          <TextField
            label={
              builtin
                ? `Threshold in ${rule?.unit ?? 'its unit'} (empty: the default, ${rule?.effective_threshold?.toLocaleString() ?? '—'})`
                : f.kind === 'threshold'
                  ? f.condition === 'outside'
                    ? 'Low'
                    : 'Threshold'
                  : f.kind === 'no_data'
                    ? 'Minutes without a reading'
                    : 'kWh per day'
            }
            value={f.threshold}
            onChange={set('threshold')}
            inputMode="decimal"
            fullWidth
          />
          {!builtin && f.kind === 'threshold' && f.condition === 'outside' ? (
            <TextField label="High" value={f.threshold_high} onChange={set('threshold_high')} fullWidth />
          ) : null}
          {f.kind === 'threshold' || builtin ? (
            <TextField label="Held for (minutes)" value={f.for_minutes} onChange={set('for_minutes')} fullWidth />
          ) : null}
        </Stack>
        <TextField select label="Severity" value={f.severity} onChange={set('severity')}>
          <MenuItem value="critical">critical</MenuItem>
          <MenuItem value="warning">warning</MenuItem>
          <MenuItem value="info">info</MenuItem>
        </TextField>
        <TextField
          label="E-mail recipients (comma-separated)"
          value={f.recipients}
          onChange={set('recipients')}
          helperText={
            defaultRecipients.length > 0
              ? `Empty: ${defaultRecipients.join(', ')} (ALERT_EMAIL_TO)`
              : 'Empty: nobody is e-mailed (ALERT_EMAIL_TO is not set either)'
          }
          error={f.recipients.trim() === '' && defaultRecipients.length === 0 && f.webhook_url.trim() === ''}
        />
        <TextField label="Webhook URL (optional)" value={f.webhook_url} onChange={set('webhook_url')} />
        <ErrorNote error={error} />
        {preview ? <RulePreview preview={preview} /> : null}
      </Stack>
    </PanelDialog>
  );
}
