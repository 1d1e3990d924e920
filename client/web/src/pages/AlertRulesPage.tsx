import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import type {
  AlertPreviewResponse,
  AlertRuleInfo,
  AlertRulesResponse,
  AlertRuleWrite,
  MetersResponse,
  SitesResponse,
} from '@meterit/shared';
import { api, errorText } from '../api/client';
import { Link } from '../components/Link';
import { Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { fmtDateTime } from '../format';
import { can, useAuth } from '../store/auth';

const KIND_LABEL: Record<string, string> = {
  threshold: 'Data point threshold',
  no_data: 'No new readings',
  daily_energy: 'Daily energy',
};

function describe(r: AlertRuleInfo): string {
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

interface Form {
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

const EMPTY: Form = {
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

function toForm(r: AlertRuleInfo): Form {
  return {
    name: r.name,
    kind: r.kind as Form['kind'],
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

function toWrite(f: Form, builtin: boolean): AlertRuleWrite {
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

function RuleDialog({ rule, onClose, onSaved }: { rule?: AlertRuleInfo; onClose(): void; onSaved(): void }) {
  const builtin = rule?.builtin ?? false;
  const [f, setF] = useState<Form>(rule ? toForm(rule) : EMPTY);
  const [error, setError] = useState<string>();
  const [preview, setPreview] = useState<AlertPreviewResponse>();
  const [busy, setBusy] = useState(false);
  const sites = usePoll(async () => (await api.get<SitesResponse>('/api/sites')).data.sites, []);
  const meters = usePoll(async () => (await api.get<MetersResponse>('/api/meters')).data.meters, []);
  const set =
    <K extends keyof Form>(k: K) =>
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
  const points = [...new Set((meters.data ?? []).flatMap((m) => m.data_points.map((p) => p.name)))];
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>{rule ? `Edit rule: ${rule.name}` : 'New alert rule'}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          {builtin ? <Alert severity="info">{rule?.description}</Alert> : null}
          <TextField label="Rule name" value={f.name} onChange={set('name')} required />
          {!builtin ? (
            <>
              <TextField select label="Kind" value={f.kind} onChange={set('kind')}>
                {Object.entries(KIND_LABEL).map(([k, v]) => (
                  <MenuItem key={k} value={k}>
                    {v}
                  </MenuItem>
                ))}
              </TextField>
              <TextField select label="Applies to" value={f.scope} onChange={set('scope')}>
                <MenuItem value="meter">One meter</MenuItem>
                <MenuItem value="site">All meters of a site</MenuItem>
                <MenuItem value="all">All sites</MenuItem>
              </TextField>
              {f.scope === 'site' ? (
                <TextField
                  select
                  label="Site"
                  value={f.site_id}
                  onChange={(e) => setF((x) => ({ ...x, site_id: Number(e.target.value) }))}
                >
                  {(sites.data ?? []).map((s) => (
                    <MenuItem key={s.site_id} value={s.site_id}>
                      {s.site_name}
                    </MenuItem>
                  ))}
                </TextField>
              ) : null}
              {f.scope === 'meter' ? (
                <TextField
                  select
                  label="Meter"
                  value={f.meter_id}
                  onChange={(e) => setF((x) => ({ ...x, meter_id: Number(e.target.value) }))}
                >
                  {(meters.data ?? []).map((m) => (
                    <MenuItem key={m.id} value={m.id}>
                      {m.site_name} · {m.name}
                    </MenuItem>
                  ))}
                </TextField>
              ) : null}
              {f.kind !== 'daily_energy' ? (
                <TextField
                  select={points.length > 0}
                  label="Data point"
                  value={f.data_point}
                  onChange={set('data_point')}
                  helperText={f.kind === 'no_data' ? 'Leave as is to watch any data point' : undefined}
                >
                  {points.map((p) => (
                    <MenuItem key={p} value={p}>
                      {p}
                    </MenuItem>
                  ))}
                </TextField>
              ) : null}
              {f.kind === 'threshold' ? (
                <TextField select label="Condition" value={f.condition} onChange={set('condition')}>
                  <MenuItem value="above">above</MenuItem>
                  <MenuItem value="below">below</MenuItem>
                  <MenuItem value="outside">outside a range</MenuItem>
                </TextField>
              ) : null}
            </>
          ) : null}
          <Stack direction="row" spacing={2}>
            <TextField
              label={
                builtin
                  ? `Threshold (${rule?.unit ?? ''}; empty = default ${rule?.effective_threshold ?? ''})`
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
            label="E-mail recipients (comma-separated; empty = default)"
            value={f.recipients}
            onChange={set('recipients')}
          />
          <TextField label="Webhook URL (optional)" value={f.webhook_url} onChange={set('webhook_url')} />
          {error ? <Alert severity="error">{error}</Alert> : null}
          {preview ? (
            <Box data-testid="rule-preview">
              <Typography sx={{ fontWeight: 600 }}>
                Over the last day this rule would have fired {preview.episodes.length} time
                {preview.episodes.length === 1 ? '' : 's'}
              </Typography>
              {preview.note ? (
                <Typography variant="body2" color="text.secondary">
                  {preview.note}
                </Typography>
              ) : null}
              {preview.episodes.slice(0, 10).map((e, i) => (
                <Typography key={i} variant="body2">
                  {fmtDateTime(e.fired_at)}
                  {e.resolved_at ? ` – ${fmtDateTime(e.resolved_at)}` : ' (still)'} · {e.title}
                </Typography>
              ))}
            </Box>
          ) : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button onClick={runPreview} disabled={busy}>
          Preview last day
        </Button>
        <Button variant="contained" onClick={save} disabled={busy}>
          {rule ? 'Save rule' : 'Create rule'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function AlertRulesPage() {
  const user = useAuth((s) => s.user);
  const canEdit = can.manageMeters(user);
  const [editing, setEditing] = useState<AlertRuleInfo | 'new'>();
  const [error, setError] = useState<string>();
  const state = usePoll(async () => (await api.get<AlertRulesResponse>('/api/alert-rules')).data.rules, []);
  const toggle = async (r: AlertRuleInfo) => {
    try {
      await api.patch(`/api/alert-rules/${r.id}`, { enabled: !r.enabled });
      state.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', mb: 2 }}>
        <Typography sx={{ fontWeight: 700, flex: 1 }} variant="h5">
          Alert rules
        </Typography>
        <Link to="/alerts">Alerts</Link>
        <Link to="/alerts/outbox">Outbox</Link>
        {canEdit ? (
          <Button variant="contained" onClick={() => setEditing('new')}>
            New rule
          </Button>
        ) : null}
      </Box>
      {error ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          {error}
        </Alert>
      ) : null}
      <Loadable state={state} what="rules">
        {(rules) => (
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="alert rules">
              <TableHead>
                <TableRow>
                  <TableCell>On</TableCell>
                  <TableCell>Rule</TableCell>
                  <TableCell>Condition</TableCell>
                  <TableCell>Recipients</TableCell>
                  {canEdit ? <TableCell /> : null}
                </TableRow>
              </TableHead>
              <TableBody>
                {rules.map((r) => (
                  <TableRow key={r.id} hover data-testid={`rule-row-${r.id}`}>
                    <TableCell>
                      <Switch
                        checked={r.enabled}
                        disabled={!canEdit}
                        onChange={() => void toggle(r)}
                        slotProps={{ input: { 'aria-label': `enable ${r.name}` } }}
                      />
                    </TableCell>
                    <TableCell>
                      <Typography sx={{ fontWeight: 600 }} variant="body2">
                        {r.name}
                      </Typography>
                      <Stack direction="row" spacing={0.5}>
                        {r.builtin ? (
                          <Chip size="small" variant="outlined" label="built-in" />
                        ) : (
                          <Chip size="small" variant="outlined" label={KIND_LABEL[r.kind] ?? r.kind} />
                        )}
                        <Chip size="small" variant="outlined" label={r.severity} />
                      </Stack>
                    </TableCell>
                    <TableCell>{describe(r)}</TableCell>
                    <TableCell>
                      {r.recipients.length ? r.recipients.join(', ') : 'default'}
                      {r.webhook_url ? ' + webhook' : ''}
                    </TableCell>
                    {canEdit ? (
                      <TableCell>
                        <Button size="small" onClick={() => setEditing(r)}>
                          Edit
                        </Button>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </Loadable>
      {editing ? (
        <RuleDialog
          rule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            state.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
