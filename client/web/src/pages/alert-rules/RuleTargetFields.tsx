import { MenuItem, TextField } from '@mui/material';
import type { Dispatch, SetStateAction } from 'react';
import type { MetersResponse, SitesResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { SelectField } from '../../components/SelectField';
import { usePoll } from '../../components/usePoll';
import { KIND_LABEL, type RuleForm, type SetField } from './rule-form';

const KIND_OPTIONS = Object.entries(KIND_LABEL).map(([value, label]) => ({ value, label }));
const SCOPE_OPTIONS = [
  { value: 'meter', label: 'One meter' },
  { value: 'site', label: 'All meters of a site' },
  { value: 'all', label: 'All sites' },
];
const CONDITION_OPTIONS = [
  { value: 'above', label: 'above' },
  { value: 'below', label: 'below' },
  { value: 'outside', label: 'outside a range' },
];

/** What a rule of the operator's own watches: its kind, where it applies and on which data point. */
export function RuleTargetFields({
  f,
  set,
  setF,
}: {
  f: RuleForm;
  set: SetField;
  setF: Dispatch<SetStateAction<RuleForm>>;
}) {
  const sites = usePoll(async () => (await api.get<SitesResponse>('/api/sites')).data.sites, []);
  const meters = usePoll(async () => (await api.get<MetersResponse>('/api/meters')).data.meters, []);
  const points = [...new Set((meters.data ?? []).flatMap((m) => m.data_points.map((p) => p.name)))];
  return (
    <>
      <SelectField label="Kind" value={f.kind} onChange={set('kind')} options={KIND_OPTIONS} />
      <SelectField label="Applies to" value={f.scope} onChange={set('scope')} options={SCOPE_OPTIONS} />
      {f.scope === 'site' ? (
        <SelectField
          label="Site"
          value={f.site_id}
          onChange={(e) => setF((x) => ({ ...x, site_id: Number(e.target.value) }))}
          options={(sites.data ?? []).map((s) => ({ value: s.site_id, label: s.site_name }))}
        />
      ) : null}
      {f.scope === 'meter' ? (
        <SelectField
          label="Meter"
          value={f.meter_id}
          onChange={(e) => setF((x) => ({ ...x, meter_id: Number(e.target.value) }))}
          options={(meters.data ?? []).map((m) => ({ value: m.id, label: `${m.site_name} · ${m.name}` }))}
        />
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
        <SelectField label="Condition" value={f.condition} onChange={set('condition')} options={CONDITION_OPTIONS} />
      ) : null}
    </>
  );
}
