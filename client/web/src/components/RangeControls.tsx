import { MenuItem, TextField } from '@mui/material';
import { READING_AGGS, type ReadingAgg } from '@meterit/shared';
import { RANGES, type RangeKey } from '../format';

export type BucketChoice = 'auto' | 'raw' | '1m' | '15m' | '1h' | '1d';
const BUCKET_LABELS: Record<BucketChoice, string> = {
  auto: 'Automatic',
  raw: 'Every reading',
  '1m': '1 minute',
  '15m': '15 minutes',
  '1h': '1 hour',
  '1d': '1 day',
};

export function RangeSelect({ value, onChange }: { value: RangeKey; onChange(v: RangeKey): void }) {
  return (
    <TextField
      select
      size="small"
      label="Range"
      value={value}
      onChange={(e) => onChange(e.target.value as RangeKey)}
      sx={{ minWidth: 150 }}
      name="range"
    >
      {RANGES.map((r) => (
        <MenuItem key={r.key} value={r.key}>
          {r.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

export function BucketSelect({ value, onChange }: { value: BucketChoice; onChange(v: BucketChoice): void }) {
  return (
    <TextField
      select
      size="small"
      label="Bucket"
      value={value}
      onChange={(e) => onChange(e.target.value as BucketChoice)}
      sx={{ minWidth: 140 }}
      name="bucket"
    >
      {(Object.keys(BUCKET_LABELS) as BucketChoice[]).map((b) => (
        <MenuItem key={b} value={b}>
          {BUCKET_LABELS[b]}
        </MenuItem>
      ))}
    </TextField>
  );
}

export function AggSelect({
  value,
  onChange,
  disabled,
}: {
  value: ReadingAgg;
  onChange(v: ReadingAgg): void;
  disabled?: boolean;
}) {
  return (
    <TextField
      select
      size="small"
      label="Value per bucket"
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as ReadingAgg)}
      sx={{ minWidth: 140 }}
      name="agg"
    >
      {READING_AGGS.map((a) => (
        <MenuItem key={a} value={a}>
          {{ avg: 'Average', min: 'Minimum', max: 'Maximum', last: 'Last' }[a]}
        </MenuItem>
      ))}
    </TextField>
  );
}
