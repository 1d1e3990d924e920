import { Box } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import type { CostPeriod } from '@meterit/shared';
import { fmtNumber } from '../../format';
import { monthLabel } from './cost-periods';

/** The bill's parts, in the order they stack; the export credit is drawn below zero, as it lowers the total. */
const PARTS = [
  { key: 'energy_cost', label: 'Energy', color: '#1565c0', sign: 1 },
  { key: 'demand_charge', label: 'Demand charge', color: '#ef6c00', sign: 1 },
  { key: 'fixed_fees', label: 'Fixed fees', color: '#6a1b9a', sign: 1 },
  { key: 'export_credit', label: 'Export credit', color: '#2e7d32', sign: -1 },
] as const;

/** Cost per billing month, stacked by component (the energy charts' bar chart and conventions). */
export function CostsChart({
  periods,
  timeZone,
  money,
  height = 300,
}: {
  periods: CostPeriod[];
  timeZone: string;
  money: (v: number) => string;
  height?: number;
}) {
  // A part no month has (no export, no demand price) would only add a legend entry with nothing above it.
  const shown = PARTS.filter((p) => p.key === 'energy_cost' || periods.some((m) => m[p.key] !== 0));
  const series = shown.map((p) => ({
    id: p.key,
    label: p.label,
    color: p.color,
    stack: 'cost',
    stackOffset: 'diverging' as const,
    data: periods.map((m) => p.sign * m[p.key]),
    valueFormatter: (v: number | null) => (v === null ? '—' : money(v)),
  }));
  return (
    <Box sx={{ width: '100%' }} data-testid="costs-chart">
      <BarChart
        height={height}
        margin={{ left: 10, right: 20, top: 20, bottom: 10 }}
        xAxis={[{ data: periods.map((m) => monthLabel(m.from, timeZone)), scaleType: 'band' }]}
        yAxis={[{ width: 72, valueFormatter: (v: number) => fmtNumber(v, 0) }]}
        series={series}
        grid={{ horizontal: true }}
      />
    </Box>
  );
}
