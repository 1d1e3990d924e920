import { Alert, Box, Typography } from '@mui/material';
import { useMemo } from 'react';
import type { CostBreakdownResponse, SiteSummary } from '@meterit/shared';
import { api } from '../api/client';
import { Link } from '../components/Link';
import { EmptyState, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { fmtNumber, viewerTimeZone } from '../format';
import { can, useAuth } from '../store/auth';
import { useUrlQuery } from '../url-state';
import { CostMonth, type CostFormats } from './costs/CostMonth';
import { costChoiceFrom, costRange, moneyFormat, priceFormat } from './costs/cost-periods';
import { CostsChart } from './costs/CostsChart';
import { CostsControls } from './costs/CostsControls';
import { Section } from './site/Section';

/** What a site's energy cost per billing month, by component, in the site's currency (GET /api/costs). */
export function CostsPage({ siteId }: { siteId: number }) {
  const user = useAuth((s) => s.user);
  const [query, setQuery] = useUrlQuery();
  const site = usePoll(async () => (await api.get<{ site: SiteSummary }>(`/api/sites/${siteId}`)).data.site, [siteId]);
  const zone = site.data?.time_zone;
  const choice = zone ? costChoiceFrom(query, zone) : undefined;
  const range = useMemo(
    () => (zone && choice ? costRange(choice, zone) : undefined),
    // Kept while the choice stays: "up to now" computed on each render would ask the API again every time.
    [zone, choice?.period, choice?.from, choice?.to],
  );
  const costs = usePoll<CostBreakdownResponse | null>(
    async () =>
      range
        ? (await api.get<CostBreakdownResponse>('/api/costs', { params: { site_id: siteId, ...range } })).data
        : null,
    [siteId, range?.from, range?.to],
    300_000,
  );
  return (
    <Box>
      <Link to={`/sites/${siteId}`} variant="body2">
        ← {site.data?.site_name ?? 'The site'}
      </Link>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, my: 1 }}>
        Costs{site.data ? ` of ${site.data.site_name}` : ''}
      </Typography>
      <Section title="Costs per billing month">
        {choice ? (
          <CostsControls
            value={choice}
            onChange={(patch) => setQuery({ ...choice, ...patch, period: patch.period ?? choice.period })}
          />
        ) : null}
        <Loadable state={costs} what="costs">
          {(data) => (data ? <CostsView data={data} admin={can.manageSites(user)} /> : null)}
        </Loadable>
      </Section>
    </Box>
  );
}

function CostsView({ data, admin }: { data: CostBreakdownResponse; admin: boolean }) {
  const f: CostFormats = {
    money: moneyFormat(data.currency),
    price: priceFormat(data.currency),
    siteZone: data.time_zone,
    viewerZone: viewerTimeZone(),
  };
  if (data.periods.every((p) => p.tariffs.length === 0))
    return (
      <EmptyState title="No tariff assigned to this site for this period">
        Costs need a tariff that applies to the site in these months
        {data.total.unpriced_kwh > 0 ? `: the ${fmtNumber(data.total.unpriced_kwh, 1)} kWh drawn are not priced` : ''}.
        {admin
          ? ' There is no tariffs page yet: create one with POST /api/tariffs and assign it with POST /api/sites/' +
            `${data.site_id}/tariffs {"tariff_id", "valid_from"} (or ask an AI assistant through MCP).`
          : ' An admin assigns tariffs to sites.'}
      </EmptyState>
    );
  return (
    <>
      <Typography variant="body2" color="text.secondary" data-testid="costs-summary">
        Total <strong data-testid="costs-total">{f.money(data.total.total)}</strong> for{' '}
        {fmtNumber(data.total.import_kwh, 1)} kWh · amounts in {data.currency} · months counted in {data.time_zone} ·
        times in {f.viewerZone}
      </Typography>
      {data.total.estimated_kwh > 0 ? (
        <Alert severity="warning" sx={{ mt: 1 }}>
          Includes estimated energy: part of the energy was spread across gaps in the readings.
        </Alert>
      ) : null}
      <CostsChart periods={data.periods} timeZone={data.time_zone} money={f.money} />
      {data.periods.map((p) => (
        <CostMonth key={p.from} period={p} f={f} />
      ))}
    </>
  );
}
