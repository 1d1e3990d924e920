import { Box, FormControlLabel, Switch } from '@mui/material';
import type { ReactNode } from 'react';
import { SelectField } from '../../components/SelectField';
import { COUNT_OPTIONS, DEFAULT_COUNT, INTERVAL_OPTIONS, type PeriodChoice } from './energy-periods';

/** Per day/week/month, how far back, and whether to put the previous period beside it. */
export function EnergyControls({
  value,
  onChange,
  children,
}: {
  value: PeriodChoice;
  onChange: (v: PeriodChoice) => void;
  children?: ReactNode;
}) {
  return (
    <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
      <SelectField
        size="small"
        label="Interval"
        value={value.interval}
        onChange={(e) => {
          const interval = e.target.value as PeriodChoice['interval'];
          onChange({ ...value, interval, count: DEFAULT_COUNT[interval] });
        }}
        sx={{ minWidth: 130 }}
        options={INTERVAL_OPTIONS}
      />
      <SelectField
        size="small"
        label="Range"
        value={value.count}
        onChange={(e) => onChange({ ...value, count: Number(e.target.value) })}
        sx={{ minWidth: 150 }}
        options={COUNT_OPTIONS[value.interval]}
      />
      <FormControlLabel
        sx={{ ml: 0 }}
        control={<Switch checked={value.compare} onChange={(e) => onChange({ ...value, compare: e.target.checked })} />}
        label="Compare with previous period"
      />
      {children}
    </Box>
  );
}
