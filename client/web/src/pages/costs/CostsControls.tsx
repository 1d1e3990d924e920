import { Box, TextField } from '@mui/material';
import { SelectField } from '../../components/SelectField';
import { COST_PERIOD_OPTIONS, type CostChoice, type CostPeriodKey } from './cost-periods';

/** Which billing months: this month, last month, this year, or from one month to another. */
export function CostsControls({ value, onChange }: { value: CostChoice; onChange: (v: Partial<CostChoice>) => void }) {
  return (
    <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
      <SelectField
        size="small"
        label="Period"
        value={value.period}
        onChange={(e) => onChange({ period: e.target.value as CostPeriodKey })}
        sx={{ minWidth: 160 }}
        options={COST_PERIOD_OPTIONS}
      />
      {value.period === 'custom' ? (
        <>
          <MonthField label="From month" value={value.from} onChange={(from) => onChange({ from })} />
          <MonthField label="To month" value={value.to} onChange={(to) => onChange({ to })} />
        </>
      ) : null}
    </Box>
  );
}

/** A month picker (YYYY-MM); a cleared field changes nothing, so the range stays whole. */
function MonthField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <TextField
      size="small"
      type="month"
      label={label}
      value={value}
      onChange={(e) => e.target.value && onChange(e.target.value)}
      slotProps={{ inputLabel: { shrink: true } }}
    />
  );
}
