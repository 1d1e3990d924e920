import { Box, Button, Stack } from '@mui/material';
import { useState } from 'react';
import { pointLabel, type ChartResponse, type MeterSummary } from '@meterit/shared';
import { api, downloadCsv, errorText } from '../../api/client';
import { lineSegments } from '../../chart-axes';
import { ChartCaption, LatestChip, ReadingsChart } from '../../components/Charts';
import { ChartControls, useChartRange } from '../../components/RangeControls';
import { SelectField } from '../../components/SelectField';
import { EmptyState, ErrorNote, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { viewerTimeZone } from '../../format';
import { useUrlQuery } from '../../url-state';

export function ReadingsPanel({ siteId, meters }: { siteId: number; meters: MeterSummary[] }) {
  const [q, setQuery] = useUrlQuery();
  const range = useChartRange();
  const meter = meters.find((m) => m.id === Number(q.get('meter'))) ?? meters[0];
  const points = meter?.data_points.map((p) => p.name) ?? [];
  const asked = q.get('point');
  const point =
    asked && points.includes(asked) ? asked : points.includes('current_kw') ? 'current_kw' : (points[0] ?? '');
  const params = () => {
    const w = range.window();
    return {
      meter_id: meter?.id,
      data_point: point,
      from: new Date(w.from).toISOString(),
      to: new Date(w.to).toISOString(),
      bucket: range.effective,
      agg: range.agg,
      tz: viewerTimeZone(),
    };
  };
  const state = usePoll(
    async () =>
      meter && point ? (await api.get<ChartResponse>('/api/readings/chart', { params: params() })).data : null,
    [meter?.id, point, range.key],
    60_000,
  );
  const [csvError, setCsvError] = useState<string>();

  return (
    <Box>
      <ChartControls range={range}>
        <SelectField
          size="small"
          label="Meter"
          value={meter?.id ?? ''}
          onChange={(e) => setQuery({ meter: String(e.target.value), point: undefined })}
          sx={{ minWidth: 180 }}
          name="meter"
          options={meters.map((m) => ({ value: m.id, label: m.name }))}
        />
        <SelectField
          size="small"
          label="Data point"
          value={points.includes(point) ? point : ''}
          onChange={(e) => setQuery({ point: e.target.value })}
          sx={{ minWidth: 150 }}
          name="data_point"
          options={(meter?.data_points ?? []).map((p) => ({ value: p.name, label: pointLabel(p.name, p.unit) }))}
        />
      </ChartControls>
      <ErrorNote error={csvError} />
      <Loadable state={state} what="readings">
        {(data) => {
          const series = data?.series[0];
          if (!data || !series || series.points.every((p) => p.value === null))
            return (
              <EmptyState title="No readings in this range">
                Choose a longer range, or check on the meter's row above whether it is answering.
              </EmptyState>
            );
          const segments = lineSegments(series.points.map((p) => p.value));
          return (
            <>
              <Stack direction="row" spacing={1} sx={{ mb: 1, flexWrap: 'wrap', alignItems: 'center' }}>
                <LatestChip latest={series.latest} />
              </Stack>
              <ReadingsChart
                series={series}
                from={Date.parse(data.from)}
                to={Date.parse(data.to)}
                onZoom={range.zoom}
              />
              <ChartCaption>
                {series.points.length - series.gaps}{' '}
                {data.bucket === 'raw' ? 'readings' : `${data.bucket} buckets (${data.agg})`} in {data.tz} time
                {segments > 1 ? `; the line breaks at ${segments - 1} gap(s) with no reading` : ''}
                {data.truncated ? ' — cut at the row limit: choose a larger bucket to see the whole range' : ''}. Drag
                across the chart to zoom in. Site {siteId}.
              </ChartCaption>
            </>
          );
        }}
      </Loadable>
      <Button
        size="small"
        onClick={() =>
          downloadCsv('/api/readings', params(), 'readings.csv').catch((e: unknown) => setCsvError(errorText(e)))
        }
      >
        Download CSV
      </Button>
    </Box>
  );
}
