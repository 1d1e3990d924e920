import { Box, Button, TextField } from '@mui/material';
import type { ReactNode } from 'react';
import { READING_AGGS, type ReadingAgg, type ReadingBucket } from '@meterit/shared';
import { fromWallClock, wallClock } from '../chart-axes';
import { autoBucket, RANGES, viewerTimeZone, type RangeKey } from '../format';
import { oneOf, useUrlQuery } from '../url-state';
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
const CHART_RANGE_OPTIONS = [...RANGE_OPTIONS, { value: 'custom', label: 'Custom range' }];
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
const ChartRangeSelect = choiceSelect<RangeKey | 'custom'>('Range', 'range', 150, CHART_RANGE_OPTIONS);

const instant = (v: string | null): number | undefined => {
  const t = v ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};
const iso = (t: number) => new Date(t).toISOString();

/** A chart's range and settings, read from and written to the address (`?range=…&from=…&zfrom=…&bucket=…`). */
export interface ChartRange {
  preset: RangeKey | 'custom';
  /** The time window to ask for now: a preset ends now; a custom range or a zoom is fixed. */
  window(): { from: number; to: number };
  /** The window's length (for the automatic bucket and the axis). */
  spanMs: number;
  zoomed: boolean;
  bucket: BucketChoice;
  /** The bucket asked for: the chosen one, or the automatic one for the window. */
  effective: ReadingBucket;
  agg: ReadingAgg;
  /** Changes whenever what the chart asks for changes (for reloading). */
  key: string;
  setPreset(p: RangeKey | 'custom'): void;
  setCustom(from: number, to: number): void;
  /** Narrows to [from, to] with a history entry, so Back (or Reset zoom) returns to the range before. */
  zoom(from: number, to: number): void;
  resetZoom(): void;
  setBucket(b: BucketChoice): void;
  setAgg(a: ReadingAgg): void;
}

export function useChartRange(defaultPreset: RangeKey = '24h'): ChartRange {
  const [q, set] = useUrlQuery();
  const preset = oneOf(q.get('range'), [...RANGES.map((r) => r.key), 'custom' as const], defaultPreset);
  const presetMs = RANGES.find((r) => r.key === preset)?.ms ?? 86_400_000;
  const cFrom = instant(q.get('from'));
  const cTo = instant(q.get('to'));
  const custom = preset === 'custom' && cFrom !== undefined && cTo !== undefined && cFrom < cTo;
  const zFrom = instant(q.get('zfrom'));
  const zTo = instant(q.get('zto'));
  const zoomed = zFrom !== undefined && zTo !== undefined && zFrom < zTo;
  const window = () => {
    if (zoomed) return { from: zFrom, to: zTo };
    if (custom) return { from: cFrom, to: cTo };
    const now = Date.now();
    return { from: now - presetMs, to: now };
  };
  const spanMs = zoomed ? zTo - zFrom : custom ? cTo - cFrom : presetMs;
  const bucket = oneOf(q.get('bucket'), Object.keys(BUCKET_LABELS) as BucketChoice[], 'auto');
  const agg = oneOf(q.get('agg'), READING_AGGS, 'avg');
  const effective = bucket === 'auto' ? autoBucket(spanMs) : bucket;
  return {
    preset,
    window,
    spanMs,
    zoomed,
    bucket,
    effective,
    agg,
    key: [preset, cFrom, cTo, zFrom, zTo, effective, agg].join('|'),
    setPreset: (p) => {
      const w = window();
      set(
        p === 'custom'
          ? { range: p, from: iso(w.from), to: iso(w.to) }
          : { range: p, from: undefined, to: undefined, zfrom: undefined, zto: undefined },
      );
    },
    setCustom: (from, to) => set({ range: 'custom', from: iso(from), to: iso(to), zfrom: undefined, zto: undefined }),
    zoom: (from, to) => set({ zfrom: iso(from), zto: iso(to) }, true),
    resetZoom: () => set({ zfrom: undefined, zto: undefined }, true),
    setBucket: (b) => set({ bucket: b === 'auto' ? undefined : b }),
    setAgg: (a) => set({ agg: a === 'avg' ? undefined : a }),
  };
}

/** `datetime-local` text for an instant, on the wall clock of `tz`, and back. */
export const toLocalInput = (t: number, tz: string) => new Date(wallClock(t, tz)).toISOString().slice(0, 16);
export function fromLocalInput(text: string, tz: string): number | undefined {
  const wall = Date.parse(`${text}:00Z`);
  return Number.isFinite(wall) ? fromWallClock(wall, tz) : undefined;
}

function TimeField({ label, value, onChange }: { label: string; value: number; onChange(t: number): void }) {
  const tz = viewerTimeZone();
  return (
    <TextField
      size="small"
      type="datetime-local"
      label={`${label} (${tz})`}
      name={label.toLowerCase()}
      value={toLocalInput(value, tz)}
      onChange={(e) => {
        const t = fromLocalInput(e.target.value, tz);
        if (t !== undefined) onChange(t);
      }}
      slotProps={{ inputLabel: { shrink: true } }}
      sx={{ minWidth: 220 }}
    />
  );
}

/** The controls above a readings chart: range (presets, custom from/to), reset zoom, bucket, aggregate. */
export function ChartControls({ range, children }: { range: ChartRange; children?: ReactNode }) {
  const w = range.window();
  return (
    <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'center', my: 2 }}>
      {children}
      <ChartRangeSelect value={range.preset} onChange={range.setPreset} />
      {range.preset === 'custom' ? (
        <>
          <TimeField label="From" value={w.from} onChange={(t) => t < w.to && range.setCustom(t, w.to)} />
          <TimeField label="To" value={w.to} onChange={(t) => t > w.from && range.setCustom(w.from, t)} />
        </>
      ) : null}
      <BucketSelect value={range.bucket} onChange={range.setBucket} />
      <AggSelect value={range.agg} onChange={range.setAgg} disabled={range.effective === 'raw'} />
      {range.zoomed ? (
        <Button size="small" variant="outlined" onClick={range.resetZoom}>
          Reset zoom
        </Button>
      ) : null}
    </Box>
  );
}
