import { Alert, Box, Chip, Paper, Stack, Typography } from '@mui/material';
import { pointLabel, qualityWords, type ChartResponse, type ChartSeries, type MeterSummary } from '@meterit/shared';
import { api } from '../api/client';
import { lineSegments } from '../chart-axes';
import { ChartCaption, LatestChip, ReadingsChart } from '../components/Charts';
import { Link } from '../components/Link';
import { ChartControls, useChartRange } from '../components/RangeControls';
import { EmptyState, Loadable } from '../components/StateViews';
import { MeterStatusChip } from '../components/StatusChip';
import { usePoll } from '../components/usePoll';
import { fmtAgo, fmtDateTime, viewerTimeZone } from '../format';

function PointChart({
  series,
  from,
  to,
  onZoom,
}: {
  series: ChartSeries;
  from: number;
  to: number;
  onZoom(from: number, to: number): void;
}) {
  const name = series.data_point;
  const flagged = series.points.filter((p) => p.value !== null && p.quality !== 'good');
  const flaggedCount = flagged.reduce((t, p) => t + (p.flagged ?? 1), 0);
  const hasReadings = series.points.some((p) => p.value !== null);
  // Stretches of line minus one: the outages between readings (not the empty start or end of the range).
  const breaks = Math.max(0, lineSegments(series.points.map((p) => p.value)) - 1);
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }} data-testid={`point-${name}`}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap', rowGap: 1 }}>
        <Typography sx={{ fontWeight: 600 }} variant="subtitle1" component="h2" title={name}>
          {pointLabel(name, series.unit)}
        </Typography>
        <LatestChip latest={series.latest} />
        {flaggedCount > 0 ? (
          <Chip
            size="small"
            color="error"
            label={`${flaggedCount} reading(s) flagged: ${[...new Set(flagged.map((p) => qualityWords(p.quality)))].join(', ')}`}
            data-testid="quality-flags"
          />
        ) : (
          <Chip size="small" color="success" variant="outlined" label="all readings good" />
        )}
        {breaks > 0 ? (
          <Chip size="small" variant="outlined" label={`${breaks} gap(s) with no reading`} data-testid="gaps" />
        ) : null}
      </Stack>
      {!hasReadings ? (
        <Typography color="text.secondary">No readings of this data point in the range.</Typography>
      ) : (
        <ReadingsChart series={series} from={from} to={to} height={240} onZoom={onZoom} />
      )}
      {flagged.length > 0 ? (
        <ChartCaption>
          Flagged:{' '}
          {flagged
            .slice(-5)
            .map((p) => `${fmtDateTime(p.ts)} ${qualityWords(p.quality)}`)
            .join(' · ')}
          {flagged.length > 5 ? ` and ${flagged.length - 5} more` : ''}
        </ChartCaption>
      ) : null}
    </Paper>
  );
}

export function MeterPage({ id }: { id: number }) {
  const meter = usePoll(
    async () => (await api.get<{ meter: MeterSummary }>(`/api/meters/${id}`)).data.meter,
    [id],
    30_000,
  );
  const range = useChartRange();
  const readings = usePoll(
    async () => {
      const w = range.window();
      const params = {
        meter_id: id,
        from: new Date(w.from).toISOString(),
        to: new Date(w.to).toISOString(),
        bucket: range.effective,
        agg: range.agg,
        tz: viewerTimeZone(),
      };
      return (await api.get<ChartResponse>('/api/readings/chart', { params })).data;
    },
    [id, range.key],
    60_000,
  );

  return (
    <Box>
      <Loadable state={meter} what="the meter">
        {(m) => (
          <>
            <Link to={`/sites/${m.site_id}`} variant="body2">
              ← {m.site_name}
            </Link>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center', my: 1, flexWrap: 'wrap' }}>
              <Typography sx={{ fontWeight: 700 }} variant="h5">
                {m.name}
              </Typography>
              <MeterStatusChip status={m.status} />
              <Typography color="text.secondary">
                {m.external_id} · BACnet device {m.bacnet_device_id} at {m.bacnet_ip}
                {m.bacnet_port ? `:${m.bacnet_port}` : ''} · last reading {fmtAgo(m.last_reading_at)}
              </Typography>
            </Stack>
            {m.status !== 'ok' ? (
              <Alert
                severity={
                  m.status === 'fault' || m.status === 'not_answering' || m.status === 'wrong_device'
                    ? 'error'
                    : 'warning'
                }
                sx={{ mb: 2 }}
              >
                {m.status_reason}
              </Alert>
            ) : null}
          </>
        )}
      </Loadable>
      <ChartControls range={range} />
      <Loadable state={readings} what="readings">
        {(data) => {
          if (data.series.every((se) => se.points.every((p) => p.value === null)))
            return (
              <EmptyState title="No readings in this range">
                Choose a longer range. If the meter never reported, check its BACnet address and the site's status.
              </EmptyState>
            );
          return (
            <>
              {data.truncated ? (
                <Alert severity="info" sx={{ mb: 2 }}>
                  More readings than one answer carries: choose a larger bucket to see the whole range.
                </Alert>
              ) : null}
              {data.series.map((se) => (
                <PointChart
                  key={se.data_point}
                  series={se}
                  from={Date.parse(data.from)}
                  to={Date.parse(data.to)}
                  onZoom={range.zoom}
                />
              ))}
              <ChartCaption>
                Times in {data.tz}. {data.bucket === 'raw' ? 'Every reading' : `${data.bucket} buckets (${data.agg})`};
                a break in a line is a time with no reading. Drag across a chart to zoom in.
              </ChartCaption>
            </>
          );
        }}
      </Loadable>
    </Box>
  );
}
