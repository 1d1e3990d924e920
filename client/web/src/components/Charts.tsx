import { Box, Chip, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { ChartsBrushOverlay } from '@mui/x-charts/ChartsBrushOverlay';
import { useBrush, useXScale } from '@mui/x-charts/hooks';
import { LineChart, lineClasses } from '@mui/x-charts/LineChart';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  pointLabel,
  type ChartSeries,
  type ConsumptionBucket,
  type HeartbeatPoint,
  type LatestReading,
} from '@meterit/shared';
import { labelWidth, pointTime, timeTicks, valueTicks, zoneName } from '../chart-axes';
import { fmtDay, fmtNumber, fmtValue, viewerTimeZone } from '../format';

/** A ref callback for an element, and its width in px following resizes (0 until it is laid out). */
function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    observer.current = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.current.observe(el);
    setWidth(el.clientWidth);
  }, []);
  return [ref, width];
}

/** A time axis over [from, to] in the viewer's zone: ticks that fit `plotWidth`, labels distinct, the zone named. */
function timeAxis(from: number, to: number, plotWidth: number, data: Date[]) {
  const tz = viewerTimeZone();
  const { ticks, labels } = timeTicks(from, to, Math.max(plotWidth, 120), tz);
  const byTick = new Map(ticks.map((t, i) => [t, labels[i] ?? '']));
  return {
    axis: {
      data,
      scaleType: 'time' as const,
      min: new Date(from),
      max: new Date(to),
      tickInterval: ticks.map((t) => new Date(t)),
      valueFormatter: (d: Date, ctx: { location: string }) =>
        ctx.location === 'tick' ? (byTick.get(d.getTime()) ?? '') : pointTime(d.getTime(), tz),
      label: zoneName(to, tz) === tz ? `Time in ${tz}` : `Time in ${tz} (${zoneName(to, tz)})`,
    },
    // Room for half the last label past the plot's right edge, so it shows whole.
    rightMargin: Math.ceil(labelWidth(labels[labels.length - 1] ?? '') / 2),
  };
}

/** Reports a finished drag across the chart as the time span it covered (the chart's own brush gesture). */
function ZoomOnDrag({ onZoom }: { onZoom(from: number, to: number): void }) {
  const brush = useBrush();
  const x = useXScale<'time'>();
  const last = useRef<typeof brush>(null);
  useEffect(() => {
    if (brush) {
      last.current = brush;
      return;
    }
    const b = last.current;
    last.current = null;
    if (!b || Math.abs(b.current.x - b.start.x) < 8) return;
    const [a, c] = [b.start.x, b.current.x].sort((m, n) => m - n) as [number, number];
    onZoom(x.invert(a).getTime(), x.invert(c).getTime());
  }, [brush, x, onZoom]);
  return null;
}

/**
 * One data point over [from, to]: the line breaks wherever the series has a null point (no reading there),
 * flagged readings show as red dots, and dragging across the chart zooms to that span when `onZoom` is given.
 */
export function ReadingsChart({
  series,
  from,
  to,
  height = 280,
  onZoom,
}: {
  series: ChartSeries;
  from: number;
  to: number;
  height?: number;
  onZoom?: (from: number, to: number) => void;
}) {
  const [ref, width] = useWidth();
  const points = series.points;
  const values = points.map((p) => p.value);
  const present = values.filter((v): v is number => v !== null);
  const unit = series.unit ?? '';
  const y = valueTicks(Math.min(...present), Math.max(...present), series.unit, height - 90);
  const yLabels = new Map(y.ticks.map((t, i) => [t, y.labels[i] ?? '']));
  const x = timeAxis(
    from,
    to,
    width - y.width - 60,
    points.map((p) => new Date(p.ts)),
  );
  const flagged = points.map((p) => (p.value !== null && p.quality !== 'good' ? p.value : null));
  const hasFlags = flagged.some((v) => v !== null);
  const fmt = (v: number | null) => (v === null ? 'no reading' : `${fmtNumber(v, 3)}${unit ? ` ${unit}` : ''}`);
  return (
    <Box sx={{ width: '100%', touchAction: onZoom ? 'pan-y' : undefined }} data-testid="readings-chart" ref={ref}>
      <LineChart
        height={height}
        margin={{ left: 4, right: Math.max(16, x.rightMargin), top: 16, bottom: 4 }}
        xAxis={[x.axis]}
        yAxis={[
          {
            label: y.unit,
            width: y.width + (y.unit ? 20 : 0),
            min: y.ticks[0],
            max: y.ticks[y.ticks.length - 1],
            tickInterval: y.ticks,
            valueFormatter: (v: number, ctx: { location: string }) =>
              ctx.location === 'tick' ? (yLabels.get(v) ?? '') : fmtNumber(v, 3),
          },
        ]}
        series={[
          {
            data: values,
            label: pointLabel(series.data_point, unit),
            showMark: present.length < 40,
            curve: 'linear',
            connectNulls: false,
            color: '#1565c0',
            valueFormatter: fmt,
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
                  valueFormatter: (v: number | null) => (v === null ? '' : fmt(v)),
                },
              ]
            : []),
        ]}
        grid={{ horizontal: true }}
        brushConfig={{ enabled: Boolean(onZoom) }}
      >
        {onZoom ? (
          <>
            <ChartsBrushOverlay />
            <ZoomOnDrag onZoom={onZoom} />
          </>
        ) : null}
      </LineChart>
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
  const [ref, width] = useWidth();
  if (heartbeats.length === 0) return null;
  const t = heartbeats.map((h) => Date.parse(h.received_at));
  const x = timeAxis(
    t[0] ?? 0,
    t[t.length - 1] ?? 0,
    width - 130,
    t.map((v) => new Date(v)),
  );
  return (
    <Box sx={{ width: '100%' }} data-testid="connectivity-chart" ref={ref}>
      <LineChart
        height={height}
        // A light fill: an opaque one is a wall of colour whenever the backlog holds steady between syncs.
        sx={{ [`& .${lineClasses.area}`]: { fillOpacity: 0.3 } }}
        margin={{ left: 10, right: Math.max(20, x.rightMargin), top: 20, bottom: 10 }}
        xAxis={[x.axis]}
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

/** The newest raw reading of a point and when it was taken (not the last bucket's average). */
export function LatestChip({ latest }: { latest: LatestReading | null }) {
  if (!latest) return <Chip size="small" variant="outlined" label="no reading yet" data-testid="latest-reading" />;
  const tz = viewerTimeZone();
  const t = Date.parse(latest.ts);
  return (
    <Chip
      size="small"
      data-testid="latest-reading"
      // The whole text on a phone too: it wraps rather than ending in "…".
      sx={{ height: 'auto', py: 0.25, '& .MuiChip-label': { whiteSpace: 'normal' } }}
      label={`latest ${fmtValue(latest.value, latest.unit)} at ${pointTime(t, tz)} ${zoneName(t, tz)}`}
    />
  );
}
