import { Box, Button } from '@mui/material';
import { useState } from 'react';
import type { MeterSummary, ReadingAgg, ReadingsResponse } from '@meterit/shared';
import { api, downloadCsv, errorText } from '../../api/client';
import { ChartCaption, ReadingsChart } from '../../components/Charts';
import { AggSelect, BucketSelect, RangeSelect, type BucketChoice } from '../../components/RangeControls';
import { asOptions, SelectField } from '../../components/SelectField';
import { EmptyState, ErrorNote, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { autoBucket, RANGES, viewerTimeZone, type RangeKey } from '../../format';

export function ReadingsPanel({ siteId, meters }: { siteId: number; meters: MeterSummary[] }) {
  const [meterId, setMeterId] = useState<number>(meters[0]?.id ?? 0);
  const meter = meters.find((m) => m.id === meterId) ?? meters[0];
  const points = meter?.data_points.map((p) => p.name) ?? [];
  const [point, setPoint] = useState<string>(points.includes('current_kw') ? 'current_kw' : (points[0] ?? ''));
  const [range, setRange] = useState<RangeKey>('24h');
  const [bucket, setBucket] = useState<BucketChoice>('auto');
  const [agg, setAgg] = useState<ReadingAgg>('avg');
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 86_400_000;
  const effective = bucket === 'auto' ? autoBucket(rangeMs) : bucket;
  const params = () => ({
    meter_id: meter?.id,
    data_point: point,
    from: new Date(Date.now() - rangeMs).toISOString(),
    to: new Date().toISOString(),
    bucket: effective,
    agg,
    tz: viewerTimeZone(),
  });
  const state = usePoll(
    async () =>
      (meter && point ? (await api.get<ReadingsResponse>('/api/readings', { params: params() })).data : undefined) ??
      null,
    [meter?.id, point, range, effective, agg],
    60_000,
  );
  const [csvError, setCsvError] = useState<string>();

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', mb: 2 }}>
        <SelectField
          size="small"
          label="Meter"
          value={meter?.id ?? ''}
          onChange={(e) => setMeterId(Number(e.target.value))}
          sx={{ minWidth: 180 }}
          name="meter"
          options={meters.map((m) => ({ value: m.id, label: m.name }))}
        />
        <SelectField
          size="small"
          label="Data point"
          value={points.includes(point) ? point : ''}
          onChange={(e) => setPoint(e.target.value)}
          sx={{ minWidth: 150 }}
          name="data_point"
          options={asOptions(points)}
        />
        <RangeSelect value={range} onChange={setRange} />
        <BucketSelect value={bucket} onChange={setBucket} />
        <AggSelect value={agg} onChange={setAgg} disabled={effective === 'raw'} />
        <Button
          size="small"
          onClick={() =>
            downloadCsv('/api/readings', params(), 'readings.csv').catch((e: unknown) => setCsvError(errorText(e)))
          }
        >
          Download CSV
        </Button>
      </Box>
      <ErrorNote error={csvError} />
      <Loadable state={state} what="readings">
        {(data) =>
          !data || data.rows.length === 0 ? (
            <EmptyState title="No readings in this range">
              Choose a longer range, or check on the meter's row above whether it is answering.
            </EmptyState>
          ) : (
            <>
              <ReadingsChart rows={data.rows} label={point} />
              <ChartCaption>
                {data.rows.length} {effective === 'raw' ? 'readings' : `${effective} buckets (${agg})`} in{' '}
                {viewerTimeZone()} time
                {data.truncated ? ' — cut at the row limit: choose a larger bucket to see the whole range' : ''}. Site{' '}
                {siteId}.
              </ChartCaption>
            </>
          )
        }
      </Loadable>
    </Box>
  );
}
