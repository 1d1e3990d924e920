import { useEffect, useMemo, useState } from 'react';
import { Alert, Box } from '@mui/material';
import { LineChart, lineClasses } from '@mui/x-charts/LineChart';
import { api } from '../api/client';
import type { BacklogHistoryResponse } from '../api/types';
import { useSite } from '../store/site-store';
import { axisNumber, count, duration, timeTick } from '../lib/format';
import { Empty, Panel } from './Panel';

const REFRESH_MS = 30_000;
const fullFmt = new Intl.DateTimeFormat(undefined, {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** How many readings waited to be sent over the last 24 hours, as the agent sampled it. */
export function BacklogPanel() {
  const trend = useSite((s) => s.status?.backlog.trend);
  const [data, setData] = useState<BacklogHistoryResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    const load = () =>
      api.backlogHistory(24).then(
        (r) => alive && (setData(r), setError(null)),
        (e: Error) => alive && setError(e.message),
      );
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);

  const chart = useMemo(
    () => (data ? { x: data.samples.map((p) => new Date(p.t)), y: data.samples.map((p) => p.count) } : null),
    [data],
  );
  const latest = data?.samples.at(-1)?.count;
  const tick = timeTick(chart?.x ?? []);

  return (
    <Panel
      title="Backlog, last 24 hours"
      subtitle={
        data
          ? `readings waiting to be sent; sampled every ${duration(data.sample_s * 1000)}${trend === 'growing' ? ' · growing now' : ''}`
          : undefined
      }
      testId="backlog-chart"
    >
      {error && <Alert severity="warning">Could not load the backlog history: {error}. Tried again shortly.</Alert>}
      {!error && chart && chart.x.length < 2 && (
        <Empty>
          The agent has just started keeping the backlog history; the chart fills in as it samples (now{' '}
          {count(latest ?? 0)} waiting).
        </Empty>
      )}
      {chart && chart.x.length >= 2 && (
        <Box sx={{ width: '100%', height: 200 }} data-points={chart.x.length} data-testid="backlog-plot">
          <LineChart
            skipAnimation
            sx={{ [`& .${lineClasses.area}`]: { fillOpacity: 0.3 } }}
            hideLegend
            height={200}
            margin={{ left: 8, right: 40, top: 16, bottom: 8 }}
            xAxis={[
              {
                data: chart.x,
                scaleType: 'time',
                valueFormatter: (d: Date, ctx) => (ctx.location === 'tick' ? tick(d) : fullFmt.format(d)),
              },
            ]}
            yAxis={[{ width: 56, min: 0, valueFormatter: (v: number) => axisNumber(v) }]}
            series={[
              {
                data: chart.y,
                label: 'Readings waiting',
                showMark: false,
                area: true,
                curve: 'linear',
                color: 'var(--tone-attention)',
                valueFormatter: (v) => (v === null ? '—' : `${count(v)} waiting`),
              },
            ]}
            grid={{ horizontal: true }}
          />
        </Box>
      )}
    </Panel>
  );
}
