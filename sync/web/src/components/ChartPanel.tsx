import { useEffect, useMemo, useState } from 'react';
import { Alert, Box, MenuItem, TextField, ToggleButton, ToggleButtonGroup } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';
import { api } from '../api/client';
import type { SeriesResponse } from '../api/types';
import { useSite } from '../store/site-store';
import { timeTick, value, valueTick } from '../lib/format';
import { Empty, Panel } from './Panel';

const CHART_REFRESH_MS = 60_000;
const fullFmt = new Intl.DateTimeFormat(undefined, {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
/** Points a technician usually wants to see first. */
const PREFERRED = ['current_kw', 'power', 'active_power', 'total_kwh'];

/** The last 24 hours of one meter, one data point at a time (they have different units). */
export function ChartPanel() {
  const meters = useSite((s) => s.meters?.meters);
  const [meterId, setMeterId] = useState<string | null>(null);
  const [point, setPoint] = useState<string | null>(null);
  const [data, setData] = useState<SeriesResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const meter = meters?.find((m) => m.id === meterId) ?? meters?.[0];
  const id = meter?.id;
  useEffect(() => {
    if (!id) return;
    let alive = true;
    const load = () =>
      api.series(id).then(
        (r) => alive && (setData(r), setError(null)),
        (e: Error) => alive && setError(e.message),
      );
    void load();
    const t = setInterval(() => void load(), CHART_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [id]);

  const points = meter?.points.map((p) => p.name) ?? [];
  const shown =
    point && points.includes(point) ? point : (PREFERRED.find((p) => points.includes(p)) ?? points[0] ?? null);
  const series = data && data.meter === id ? data.series.find((s) => s.point === shown) : undefined;
  const chart = useMemo(
    () =>
      series
        ? { x: series.buckets.map((b) => new Date(b.t)), y: series.buckets.map((b) => b.avg), unit: series.unit }
        : null,
    [series],
  );
  const tick = timeTick(chart?.x ?? []);
  const valueLabel = valueTick(chart?.y ?? []);

  if (!meters) return null;
  return (
    <Panel
      title="Last 24 hours"
      subtitle={
        data
          ? `${shown ?? ''}${chart?.unit ? ` in ${chart.unit}` : ''}, averages over ${Math.round(data.bucket_s / 60)} min`
          : undefined
      }
      testId="chart"
    >
      {meters.length === 0 ? (
        <Empty>No meters, so nothing to draw.</Empty>
      ) : (
        <>
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 1 }}>
            <TextField
              select
              size="small"
              label="Meter"
              value={id ?? ''}
              onChange={(e) => setMeterId(e.target.value)}
              sx={{ minWidth: 200, maxWidth: '100%' }}
            >
              {meters.map((m) => (
                <MenuItem key={m.id} value={m.id}>
                  {m.name}
                </MenuItem>
              ))}
            </TextField>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={shown}
              onChange={(_e, v: string | null) => v && setPoint(v)}
              sx={{ flexWrap: 'wrap' }}
            >
              {points.map((p) => (
                <ToggleButton key={p} value={p} sx={{ textTransform: 'none', py: 0.25 }}>
                  {p}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          </Box>
          {error && (
            <Alert severity="warning">Could not load the chart: {error}. It is tried again every minute.</Alert>
          )}
          {!error && data && (!chart || chart.x.length === 0) && (
            <Empty>
              No readings of {shown} in the last 24 hours for this meter. If the meter is failing, see its last error
              above.
            </Empty>
          )}
          {chart && chart.x.length > 0 && (
            <Box sx={{ width: '100%', height: 260 }}>
              <LineChart
                skipAnimation
                hideLegend
                height={260}
                margin={{ left: 8, right: 40, top: 16, bottom: 8 }}
                xAxis={[
                  {
                    data: chart.x,
                    scaleType: 'time',
                    valueFormatter: (d: Date, ctx) => (ctx.location === 'tick' ? tick(d) : fullFmt.format(d)),
                  },
                ]}
                yAxis={[{ width: 64, valueFormatter: (v: number) => valueLabel(v) }]}
                series={[
                  {
                    data: chart.y,
                    label: `${shown ?? ''}${chart.unit ? ` (${chart.unit})` : ''}`,
                    showMark: false,
                    color: 'var(--mui-palette-primary-main)',
                    valueFormatter: (v) => value(v, chart.unit),
                  },
                ]}
                grid={{ horizontal: true }}
              />
            </Box>
          )}
        </>
      )}
    </Panel>
  );
}
