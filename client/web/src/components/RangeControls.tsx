import { READING_AGGS, type ReadingAgg } from '@meterit/shared';
import { RANGES, type RangeKey } from '../format';
import { SelectField, type SelectOption } from './SelectField';

export type BucketChoice = 'auto' | 'raw' | '1m' | '15m' | '1h' | '1d';
const BUCKET_LABELS: Record<BucketChoice, string> = {
  auto: 'Automatic',
  raw: 'Every reading',
  '1m': '1 minute',
  '15m': '15 minutes',
  '1h': '1 hour',
  '1d': '1 day',
};
const AGG_LABELS: Record<ReadingAgg, string> = { avg: 'Average', min: 'Minimum', max: 'Maximum', last: 'Last' };

const RANGE_OPTIONS = RANGES.map((r) => ({ value: r.key, label: r.label }));
const BUCKET_OPTIONS = Object.entries(BUCKET_LABELS).map(([value, label]) => ({ value, label }));
const AGG_OPTIONS = READING_AGGS.map((a) => ({ value: a, label: AGG_LABELS[a] }));

interface ChoiceProps<V extends string> {
  value: V;
  onChange(v: V): void;
  disabled?: boolean;
}

/** A small select of one control above a chart: its label, form name, width and choices. */
function choiceSelect<V extends string>(label: string, name: string, minWidth: number, options: SelectOption[]) {
  return function ChoiceSelect({ value, onChange, disabled }: ChoiceProps<V>) {
    return (
      <SelectField
        size="small"
        label={label}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as V)}
        sx={{ minWidth }}
        name={name}
        options={options}
      />
    );
  };
}

export const RangeSelect = choiceSelect<RangeKey>('Range', 'range', 150, RANGE_OPTIONS);
export const BucketSelect = choiceSelect<BucketChoice>('Bucket', 'bucket', 140, BUCKET_OPTIONS);
export const AggSelect = choiceSelect<ReadingAgg>('Value per bucket', 'agg', 140, AGG_OPTIONS);
