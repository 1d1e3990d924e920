import { Box, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { LineChart } from '@mui/x-charts/LineChart';
import type { ConsumptionBucket, HeartbeatPoint, ReadingRow } from '@meterit/shared';
import { fmtDay, fmtNumber, fmtTime } from '../format';

const axisTime = (rangeMs: number) => (d: Date) => {
  if (rangeMs > 2 * 86_400_000) return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  if (rangeMs < 2 * 3_600_000)
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return fmtTime(d);
};
const yTick = (v: number) => fmtNumber(v, Math.abs(v) >= 10_000 ? 1 : 2);

/** One data point over time; buckets flagged for quality show as red dots. */
export function ReadingsChart({ rows, height = 280, label }: { rows: ReadingRow[]; height?: number; label: string }) {
  if (rows.length === 0) return null;
  const x = rows.map((r) => new Date(r.ts));
  const span = (x[x.length - 1]?.getTime() ?? 0) - (x[0]?.getTime() ?? 0);
  const unit = rows[rows.length - 1]?.unit ?? '';
  const flagged = rows.map((r) => (r.quality !== 'good' ? r.value : null));
  const hasFlags = flagged.some((v) => v !== null);
  return (
    <Box sx={{ width: '100%' }} data-testid="readings-chart">
      <LineChart
        height={height}
        margin={{ left: 10, right: 20, top: 20, bottom: 10 }}
        xAxis={[{ data: x, scaleType: 'time', valueFormatter: (d: Date) => axisTime(span)(d), tickNumber: 8 }]}
        yAxis={[{ label: unit, width: 96, valueFormatter: yTick }]}
        series={[
          {
            data: rows.map((r) => r.value),
            label: `${label}${unit ? ` (${unit})` : ''}`,
            showMark: rows.length < 40,
            curve: 'linear',
            color: '#1565c0',
            valueFormatter: (v) => fmtNumber(v, 3),
          },
          ...(hasFlags
            ? [
                {
                  data: flagged,
                  label: 'quality flagged',
                  color: '#d32f2f',
                  showMark: true,
                  curve: 'linear' as const,
                  connectNulls: false,
                  valueFormatter: (v: number | null) => (v === null ? '' : fmtNumber(v, 3)),
                },
              ]
            : []),
        ]}
        grid={{ horizontal: true }}
      />
    </Box>
  );
}

/** Energy per interval; incomplete intervals (data missing) in a lighter colour so no one mistakes them for low use. */
export function ConsumptionChart({ buckets, height = 260 }: { buckets: ConsumptionBucket[]; height?: number }) {
  const labels = buckets.map((b) => fmtDay(b.start));
  return (
    <Box sx={{ width: '100%' }} data-testid="consumption-chart">
      <BarChart
        height={height}
        margin={{ left: 10, right: 20, top: 20, bottom: 10 }}
        xAxis={[{ data: labels, scaleType: 'band' }]}
        yAxis={[{ label: 'kWh', width: 72 }]}
        series={[
          {
            data: buckets.map((b) => (b.complete ? b.energy_kwh : null)),
            label: 'kWh (complete day)',
            stack: 'e',
            color: '#2e7d32',
            valueFormatter: (v) => (v === null ? null : `${fmtNumber(v, 1)} kWh`),
          },
          {
            data: buckets.map((b) => (!b.complete ? b.energy_kwh : null)),
            label: 'kWh (incomplete: data missing)',
            stack: 'e',
            color: '#a5d6a7',
            valueFormatter: (v) => (v === null ? null : `${fmtNumber(v, 1)} kWh`),
          },
        ]}
        grid={{ horizontal: true }}
      />
    </Box>
  );
}

export function BacklogChart({ heartbeats, height = 200 }: { heartbeats: HeartbeatPoint[]; height?: number }) {
  if (heartbeats.length === 0) return null;
  const x = heartbeats.map((h) => new Date(h.received_at));
  const span = (x[x.length - 1]?.getTime() ?? 0) - (x[0]?.getTime() ?? 0);
  return (
    <Box sx={{ width: '100%' }} data-testid="connectivity-chart">
      <LineChart
        height={height}
        margin={{ left: 10, right: 20, top: 20, bottom: 10 }}
        xAxis={[{ data: x, scaleType: 'time', valueFormatter: (d: Date) => axisTime(span)(d), tickNumber: 8 }]}
        yAxis={[{ label: 'readings', width: 72 }]}
        series={[
          {
            data: heartbeats.map((h) => h.queue_depth),
            label: 'Backlog on site (readings)',
            showMark: false,
            color: '#6a1b9a',
            area: true,
            curve: 'stepAfter',
          },
          {
            data: heartbeats.map((h) => h.meters_failing),
            label: 'Meters not answering',
            showMark: false,
            color: '#d32f2f',
            curve: 'stepAfter',
          },
        ]}
        grid={{ horizontal: true }}
      />
    </Box>
  );
}

export function ChartCaption({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 0.5 }}>
      {children}
    </Typography>
  );
}
