import { Autocomplete, Box, TextField, ToggleButton, ToggleButtonGroup } from '@mui/material';
import { useEffect } from 'react';
import type { MetersResponse, SitesResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { ErrorNote } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';

export interface EnergySelection {
  group: 'site' | 'meter';
  ids: number[];
  stacked: boolean;
}

interface Option {
  id: number;
  label: string;
}

/** Sites shown before anyone picks: enough to compare, few enough to read. */
const FIRST_SITES = 3;

/** Sites or meters, which of them, and bars side by side or stacked. */
export function EnergyPicker({ value, onChange }: { value: EnergySelection; onChange: (v: EnergySelection) => void }) {
  const sites = usePoll(async () => (await api.get<SitesResponse>('/api/sites')).data.sites, []);
  const meters = usePoll(
    async () =>
      value.group === 'meter' ? (await api.get<MetersResponse>('/api/meters', { params: {} })).data.meters : [],
    [value.group],
  );
  const options: Option[] =
    value.group === 'site'
      ? (sites.data ?? []).map((s) => ({ id: s.site_id, label: s.site_name }))
      : (meters.data ?? []).map((m) => ({ id: m.id, label: `${m.name} (${m.site_name})` }));
  const firstSites = sites.data?.slice(0, FIRST_SITES).map((s) => s.site_id);
  // Show a few sites at once rather than an empty page; only until the user has chosen.
  useEffect(() => {
    if (value.group === 'site' && value.ids.length === 0 && firstSites && firstSites.length > 0)
      onChange({ ...value, ids: firstSites });
  }, [sites.data]);
  const chosen = options.filter((o) => value.ids.includes(o.id));
  return (
    <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={value.group}
        aria-label="Compare sites or meters"
        onChange={(_, group: EnergySelection['group'] | null) => {
          if (group && group !== value.group)
            onChange({ ...value, group, ids: group === 'site' ? (firstSites ?? []) : [] });
        }}
      >
        <ToggleButton value="site">Sites</ToggleButton>
        <ToggleButton value="meter">Meters</ToggleButton>
      </ToggleButtonGroup>
      <Autocomplete
        multiple
        size="small"
        sx={{ minWidth: { xs: '100%', sm: 360 }, flex: 1, maxWidth: 720 }}
        options={options}
        value={chosen}
        loading={value.group === 'site' ? sites.loading : meters.loading}
        isOptionEqualToValue={(a, b) => a.id === b.id}
        onChange={(_, list) => onChange({ ...value, ids: list.map((o) => o.id) })}
        renderInput={(params) => <TextField {...params} label={value.group === 'site' ? 'Sites' : 'Meters'} />}
      />
      <ToggleButtonGroup
        size="small"
        exclusive
        value={value.stacked ? 'stacked' : 'grouped'}
        aria-label="Bars"
        onChange={(_, v: string | null) => v && onChange({ ...value, stacked: v === 'stacked' })}
      >
        <ToggleButton value="grouped">Side by side</ToggleButton>
        <ToggleButton value="stacked">Stacked</ToggleButton>
      </ToggleButtonGroup>
      <ErrorNote error={sites.error ?? meters.error} sx={{ width: '100%' }} />
    </Box>
  );
}
