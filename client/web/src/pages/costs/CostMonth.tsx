import { Box, TableCell, TableRow, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import type { CostPeriod, TariffCost } from '@meterit/shared';
import { DataTable } from '../../components/DataTable';
import { fmtNumber } from '../../format';
import { monthLabel, zonedTime } from './cost-periods';

const kwh = (v: number) => `${fmtNumber(v, 1)} kWh`;

export interface CostFormats {
  money: (v: number) => string;
  price: (v: number) => string;
  /** The site's zone: billing months are counted in it. */
  siteZone: string;
  /** The viewer's zone: times are shown in it, named. */
  viewerZone: string;
}

function Line({ part, detail, amount, strong }: { part: string; detail: ReactNode; amount: string; strong?: boolean }) {
  const sx = strong ? { fontWeight: 700 } : undefined;
  return (
    <TableRow data-testid="cost-line" data-part={part}>
      <TableCell sx={sx}>{part}</TableCell>
      <TableCell>{detail}</TableCell>
      <TableCell align="right" sx={sx} data-testid="cost-amount">
        {amount}
      </TableCell>
    </TableRow>
  );
}

/** One tariff's lines: energy per band (per version when the price changed), demand, fees, export. */
function TariffLines({ bill, f, versions }: { bill: TariffCost; f: CostFormats; versions: boolean }) {
  const price = (p: number) => `${f.price(p)}/kWh`;
  const from = (validFrom: string) => (versions ? ` (from ${validFrom})` : '');
  const fees = bill.fees.reduce((s, x) => s + x.days, 0);
  return (
    <>
      {bill.energy.map((b) => (
        <Line
          key={`${b.version_id}:${b.band}`}
          part={`Energy · ${b.band}${from(b.valid_from)}`}
          detail={`${kwh(b.kwh)} × ${price(b.price_per_kwh)}`}
          amount={f.money(b.amount)}
        />
      ))}
      {bill.demand ? (
        <Line
          part="Demand charge"
          detail={
            <span data-testid="cost-peak">
              {fmtNumber(bill.demand.peak_kw, 1)} kW peak at {zonedTime(bill.demand.at, f.viewerZone)}
            </span>
          }
          amount={f.money(bill.demand_charge)}
        />
      ) : null}
      <Line part="Fixed fees" detail={`${fmtNumber(fees, 1)} days`} amount={f.money(bill.fixed_fees)} />
      {bill.export_kwh > 0 ? (
        <Line part="Export credit" detail={kwh(bill.export_kwh)} amount={f.money(-bill.export_credit)} />
      ) : null}
    </>
  );
}

/** A billing month: its lines per tariff, energy drawn while no tariff applied, and its total. */
export function CostMonth({ period, f }: { period: CostPeriod; f: CostFormats }) {
  const label = monthLabel(period.from, f.siteZone);
  const versions = (t: TariffCost) => new Set(t.energy.map((e) => e.version_id)).size > 1;
  return (
    <Box data-testid="cost-month" sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
        {label}
        {period.tariffs.length > 0 ? ` — ${period.tariffs.map((t) => t.tariff_name).join(', ')}` : ''}
      </Typography>
      {period.estimated_kwh > 0 ? (
        <Typography variant="body2" color="warning.main" data-testid="cost-estimated">
          Includes estimated energy: {kwh(period.estimated_kwh)} of {kwh(period.import_kwh)} spread across gaps in the
          readings.
        </Typography>
      ) : null}
      <DataTable label={`Costs of ${label}`} columns={['Component', 'Quantity', { head: 'Amount', align: 'right' }]}>
        {period.tariffs.map((t) => (
          <TariffLines key={t.tariff_id} bill={t} f={f} versions={versions(t)} />
        ))}
        {period.unpriced_kwh > 0 ? (
          <Line part="No tariff" detail={`${kwh(period.unpriced_kwh)} not priced`} amount="—" />
        ) : null}
        <Line part="Total" detail={kwh(period.import_kwh)} amount={f.money(period.total)} strong />
      </DataTable>
    </Box>
  );
}
