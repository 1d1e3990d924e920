import { Box } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import type { EnergyInterval, EnergySeries } from '@meterit/shared';
import { fmtNumber } from '../../format';
import { intervalLabel } from './energy-periods';

/** One colour per series; its previous period in the same colour, lighter. */
const COLORS = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#c62828', '#4e342e', '#ad1457'];
const PREVIOUS = ['#90caf9', '#a5d6a7', '#ffcc80', '#ce93d8', '#80deea', '#ef9a9a', '#bcaaa4', '#f48fb1'];

export const seriesName = (s: EnergySeries): string =>
  s.kind === 'meter' ? `${s.meter_name} (${s.site_name})` : s.site_name;

/**
 * Energy per interval of several series on one chart: grouped bars (side by side) or stacked, the previous
 * period's bars beside the current ones. Incomplete intervals are named so in the tooltip.
 */
export function EnergyChart({
  series,
  interval,
  stacked = false,
  height = 300,
  testId = 'energy-chart',
}: {
  series: EnergySeries[];
  interval: EnergyInterval;
  stacked?: boolean;
  height?: number;
  testId?: string;
}) {
  const first = series[0];
  if (!first) return null;
  const labels = first.current.buckets.map((b) => intervalLabel(interval, b.start));
  const bars = series.flatMap((s, i) => {
    const name = seriesName(s);
    const color = COLORS[i % COLORS.length] as string;
    const out = [
      {
        id: `${s.key}:current`,
        data: s.current.buckets.map((b) => b.energy_kwh),
        label: name,
        color,
        ...(stacked ? { stack: 'current' } : {}),
        valueFormatter: (v: number | null, c: { dataIndex: number }) =>
          v === null
            ? 'no data'
            : `${fmtNumber(v, 1)} kWh${s.current.buckets[c.dataIndex]?.complete === false ? ' (incomplete)' : ''}`,
      },
    ];
    const prev = s.previous;
    if (prev)
      out.push({
        id: `${s.key}:previous`,
        data: first.current.buckets.map((_, j) => prev.buckets[j]?.energy_kwh ?? null),
        label: `${name}, previous period`,
        color: PREVIOUS[i % PREVIOUS.length] as string,
        ...(stacked ? { stack: 'previous' } : {}),
        valueFormatter: (v: number | null, c: { dataIndex: number }) => {
          const b = prev.buckets[c.dataIndex];
          const when = b ? ` (${intervalLabel(interval, b.start)})` : '';
          return v === null ? `no data${when}` : `${fmtNumber(v, 1)} kWh${when}`;
        },
      });
    return out;
  });
  return (
    <Box sx={{ width: '100%' }} data-testid={testId}>
      <BarChart
        height={height}
        margin={{ left: 10, right: 20, top: 20, bottom: 10 }}
        xAxis={[{ data: labels, scaleType: 'band' }]}
        yAxis={[{ label: 'kWh', width: 72, valueFormatter: (v: number) => fmtNumber(v, 0) }]}
        series={bars}
        grid={{ horizontal: true }}
      />
    </Box>
  );
}
