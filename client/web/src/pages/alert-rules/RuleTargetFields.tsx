import { MenuItem, TextField } from '@mui/material';
import type { Dispatch, SetStateAction } from 'react';
import type { MetersResponse, SitesResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { usePoll } from '../../components/usePoll';
import { KIND_LABEL, type RuleForm, type SetField } from './rule-form';

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
  );
}
