import { Alert, Box, Chip, Paper, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import type { MeterSummary, ReadingAgg, ReadingRow, ReadingsResponse } from '@meterit/shared';
import { api } from '../api/client';
import { ChartCaption, ReadingsChart } from '../components/Charts';
import { Link } from '../components/Link';
import { AggSelect, BucketSelect, RangeSelect, type BucketChoice } from '../components/RangeControls';
import { EmptyState, Loadable } from '../components/StateViews';
import { MeterStatusChip } from '../components/StatusChip';
import { usePoll } from '../components/usePoll';
import { autoBucket, fmtAgo, fmtDateTime, fmtValue, RANGES, viewerTimeZone, type RangeKey } from '../format';

function PointChart({ rows, name, bucket }: { rows: ReadingRow[]; name: string; bucket: string }) {
  const flagged = rows.filter((r) => r.quality !== 'good');
  const flaggedCount = bucket === 'raw' ? flagged.length : flagged.reduce((t, r) => t + (r.flagged ?? 0), 0);
  const latest = rows[rows.length - 1];
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }} data-testid={`point-${name}`}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <Typography sx={{ fontWeight: 600 }} variant="subtitle1">
          {name}
        </Typography>
        {latest ? <Chip size="small" label={`latest ${fmtValue(latest.value, latest.unit)}`} /> : null}
        {flaggedCount > 0 ? (
          <Chip
            size="small"
            color="error"
            label={`${flaggedCount} reading(s) flagged: ${[...new Set(flagged.map((r) => r.quality))].join(', ')}`}
            data-testid="quality-flags"
          />
        ) : (
          <Chip size="small" color="success" variant="outlined" label="all readings good" />
        )}
      </Stack>
      {rows.length === 0 ? (
        <Typography color="text.secondary">No readings of this data point in the range.</Typography>
      ) : (
        <ReadingsChart rows={rows} label={name} height={220} />
      )}
      {flagged.length > 0 ? (
        <ChartCaption>
          Flagged:{' '}
          {flagged
            .slice(-5)
            .map((r) => `${fmtDateTime(r.ts)} ${r.quality}`)
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
  const [range, setRange] = useState<RangeKey>('24h');
  const [bucket, setBucket] = useState<BucketChoice>('auto');
  const [agg, setAgg] = useState<ReadingAgg>('avg');
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 86_400_000;
  const effective = bucket === 'auto' ? autoBucket(rangeMs) : bucket;
  const readings = usePoll(
    async () =>
      (
        await api.get<ReadingsResponse>('/api/readings', {
          params: {
            meter_id: id,
            from: new Date(Date.now() - rangeMs).toISOString(),
            to: new Date().toISOString(),
            bucket: effective,
            agg,
            tz: viewerTimeZone(),
          },
        })
      ).data,
    [id, range, effective, agg],
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
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', my: 2 }}>
        <RangeSelect value={range} onChange={setRange} />
        <BucketSelect value={bucket} onChange={setBucket} />
        <AggSelect value={agg} onChange={setAgg} disabled={effective === 'raw'} />
      </Box>
      <Loadable state={readings} what="readings">
        {(data) => {
          const names = meter.data?.data_points.map((p) => p.name) ?? [...new Set(data.rows.map((r) => r.data_point))];
          if (data.rows.length === 0)
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
              {names.map((n) => (
                <PointChart key={n} name={n} bucket={effective} rows={data.rows.filter((r) => r.data_point === n)} />
              ))}
              <ChartCaption>Times in {viewerTimeZone()}.</ChartCaption>
            </>
          );
        }}
      </Loadable>
    </Box>
  );
}
