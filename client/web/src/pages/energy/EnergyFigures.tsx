import { Box, TableCell, TableRow, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import {
  changePct,
  type Demand,
  type EnergyInterval,
  type EnergyPeriod,
  type EnergyResponse,
  type EnergySeries,
} from '@meterit/shared';
import { ChartCaption } from '../../components/Charts';
import { DataTable } from '../../components/DataTable';
import { fmtDateTime, fmtNumber } from '../../format';
import { combinedTotal, fmtChange, intervalLabel, periodTotal, type PeriodTotal } from './energy-periods';
import { seriesName } from './EnergyChart';

const kwh = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${fmtNumber(v, 1)} kWh`);
/** A total over intervals some of which lack data reads low, and one with none is no figure at all: say so. */
const noted = (p: EnergyPeriod | null | undefined) => {
  const { note } = periodTotal(p);
  return note ? ` (${note})` : '';
};

/** Small grey words under a figure: when, or what is missing. */
function Note({ children }: { children: ReactNode }) {
  return (
    <Typography variant="caption" color="text.secondary" component="div">
      {children}
    </Typography>
  );
}

/**
 * A total in a table cell: "—" with "no data" when nothing was measured; with `partial`, "data missing" under a
 * total that lacks part of its period (left out where it would stand under almost every current total).
 */
function TotalCell({
  total,
  partial = false,
  bold = false,
}: {
  total: PeriodTotal;
  partial?: boolean;
  bold?: boolean;
}) {
  const note = total.note === 'no data' || partial ? total.note : null;
  return (
    <TableCell align="right" sx={bold ? { fontWeight: 600 } : undefined}>
      {kwh(total.kwh)}
      {note ? <Note>{note}</Note> : null}
    </TableCell>
  );
}

function DemandCell({ d }: { d: Demand | null | undefined }) {
  if (!d) return <TableCell align="right">—</TableCell>;
  return (
    <TableCell align="right">
      <Box component="span" sx={{ fontWeight: 600 }}>
        {fmtNumber(d.kw, 1)} kW
      </Box>
      <Note>{fmtDateTime(d.at)}</Note>
    </TableCell>
  );
}

/** A table that may scroll sideways on a phone; focusable, so the keyboard can scroll it too. */
export function ScrollArea({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ overflowX: 'auto', mt: 1 }} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Box>
  );
}

/** A big figure with its label: "This period 3,339 kWh". */
function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Box sx={{ minWidth: 120 }}>
      <Note>{label}</Note>
      <Typography variant="h6" component="div" data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

/** Totals of a series (or of all), the change against the previous period, and the period's peak and base load. */
export function PeriodFigures({ series }: { series: EnergySeries }) {
  const { current, previous } = series;
  return (
    <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', my: 1.5 }} data-testid="energy-figures">
      <Figure label={`This period${noted(current)}`} value={kwh(periodTotal(current).kwh)} testId="energy-total" />
      {previous ? (
        <>
          <Figure
            label={`Previous period${noted(previous)}`}
            value={kwh(periodTotal(previous).kwh)}
            testId="energy-previous-total"
          />
          <Figure label="Change" value={fmtChange(series.change_pct)} testId="energy-change" />
        </>
      ) : null}
      <Figure
        label="Peak demand (15 min)"
        value={current.peak ? `${fmtNumber(current.peak.kw, 1)} kW` : '—'}
        testId="energy-peak"
      />
      <Figure
        label="Base load (night minimum)"
        value={current.base_load ? `${fmtNumber(current.base_load.kw, 1)} kW` : '—'}
        testId="energy-base-load"
      />
    </Box>
  );
}

/** Per interval: energy, the previous period's, the change, peak demand and base load with their times. */
export function IntervalTable({ series, interval }: { series: EnergySeries; interval: EnergyInterval }) {
  const prev = series.previous;
  return (
    <DataTable
      label="Energy per interval"
      outlined={false}
      columns={[
        'Interval',
        { head: 'Energy', align: 'right' },
        prev ? { head: 'Previous period', align: 'right' } : null,
        prev ? { head: 'Change', align: 'right' } : null,
        { head: 'Peak demand', align: 'right' },
        { head: 'Base load', align: 'right' },
      ]}
    >
      {series.current.buckets.map((b, i) => {
        const p = prev?.buckets[i];
        return (
          <TableRow key={b.start} data-testid="energy-interval-row">
            <TableCell>
              {intervalLabel(interval, b.start)}
              {b.complete ? null : <Note>incomplete: data missing</Note>}
            </TableCell>
            <TableCell align="right">{kwh(b.energy_kwh)}</TableCell>
            {prev ? (
              <TableCell align="right">
                {kwh(p?.energy_kwh)}
                {p ? <Note>{intervalLabel(interval, p.start)}</Note> : null}
              </TableCell>
            ) : null}
            {prev ? (
              <TableCell align="right">{fmtChange(changePct(b.energy_kwh, p?.energy_kwh ?? null))}</TableCell>
            ) : null}
            <DemandCell d={b.peak} />
            <DemandCell d={b.base_load} />
          </TableRow>
        );
      })}
    </DataTable>
  );
}

/** Per series of the chart: totals, change, peak demand and base load over the whole period. */
export function SeriesTable({ data }: { data: EnergyResponse }) {
  const compare = data.compare === 'previous';
  return (
    <DataTable
      label="Energy per series"
      outlined={false}
      columns={[
        data.group === 'site' ? 'Site' : 'Meter',
        { head: 'Energy', align: 'right' },
        compare ? { head: 'Previous period', align: 'right' } : null,
        compare ? { head: 'Change', align: 'right' } : null,
        { head: 'Peak demand', align: 'right' },
        { head: 'Base load', align: 'right' },
      ]}
    >
      {data.series.map((s) => (
        <TableRow key={s.key} data-testid="energy-series-row">
          <TableCell>{seriesName(s)}</TableCell>
          <TotalCell total={periodTotal(s.current)} />
          {compare ? <TotalCell total={periodTotal(s.previous)} partial /> : null}
          {compare ? <TableCell align="right">{fmtChange(s.change_pct)}</TableCell> : null}
          <DemandCell d={s.current.peak} />
          <DemandCell d={s.current.base_load} />
        </TableRow>
      ))}
      {data.series.length > 1 ? (
        <TableRow>
          <TableCell sx={{ fontWeight: 600 }}>All</TableCell>
          <TotalCell
            total={combinedTotal(
              data.series.map((s) => s.current),
              data.total.current_kwh,
            )}
            bold
          />
          {compare ? (
            <TotalCell
              total={combinedTotal(
                data.series.map((s) => s.previous),
                data.total.previous_kwh,
              )}
            />
          ) : null}
          {compare ? <TableCell align="right">{fmtChange(data.total.change_pct)}</TableCell> : null}
          <TableCell />
          <TableCell />
        </TableRow>
      ) : null}
    </DataTable>
  );
}

const SOURCE_WORDS = {
  kw_point: 'from the meters’ kW data point',
  kwh_counter: 'from the kWh counter’s advance × 4',
  mixed: 'from kW data points and kWh counters',
} as const;

/** What peak demand and base load mean here, and where the figures came from. */
export function DemandCaption({ data }: { data: EnergyResponse }) {
  const sources = new Set(
    data.series.flatMap((s) => [s.current.peak?.source, s.previous?.peak?.source]).filter((v) => v !== undefined),
  );
  const from = [...sources].map((s) => SOURCE_WORDS[s]).join('; ');
  return (
    <ChartCaption>
      Peak demand: the highest {data.demand_minutes}-minute average power{from ? ` (${from})` : ''}. Base load: the
      lowest {data.demand_minutes}-minute average from {data.base_load_window.from} to {data.base_load_window.to}.
      Intervals and times in {data.tz}.
    </ChartCaption>
  );
}
