import { Alert, Box, Button } from '@mui/material';
import { useState } from 'react';
import type { ConsumptionResponse } from '@meterit/shared';
import { api, downloadCsv, errorText } from '../../api/client';
import { ChartCaption, ConsumptionChart } from '../../components/Charts';
import { SelectField } from '../../components/SelectField';
import { EmptyState, ErrorNote, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { fmtDateTime, fmtNumber, localMidnight, viewerTimeZone } from '../../format';

const DAY_OPTIONS = [7, 14, 30, 90].map((d) => ({ value: d, label: `Last ${d} days` }));

export function ConsumptionPanel({ siteId }: { siteId: number }) {
  const [days, setDays] = useState(7);
  const params = () => ({
    site_id: siteId,
    interval: '1d',
    from: localMidnight(days - 1),
    to: new Date().toISOString(),
    tz: viewerTimeZone(),
  });
  const state = usePoll(
    async () => (await api.get<ConsumptionResponse>('/api/consumption', { params: params() })).data,
    [siteId, days],
    300_000,
  );
  const [csvError, setCsvError] = useState<string>();
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap' }}>
        <SelectField
          size="small"
          label="Days"
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
          sx={{ minWidth: 120 }}
          options={DAY_OPTIONS}
        />
        <Button
          size="small"
          onClick={() =>
            downloadCsv('/api/consumption', params(), 'consumption.csv').catch((e: unknown) =>
              setCsvError(errorText(e)),
            )
          }
        >
          Download CSV
        </Button>
      </Box>
      <ErrorNote error={csvError} />
      <Loadable state={state} what="consumption">
        {(data) => {
          const site = data.sites[0];
          if (!site)
            return (
              <EmptyState title="No energy counter on this site yet">
                Consumption is computed from cumulative kWh data points (such as total_kwh). Once a meter reports one,
                daily energy shows here.
              </EmptyState>
            );
          const gaps = data.series.flatMap((s) =>
            s.gaps.filter((g) => !g.attributed).map((g) => ({ ...g, meter: s.meter_name })),
          );
          const resets = data.series.flatMap((s) => s.resets.map((r) => ({ ...r, meter: s.meter_name })));
          return (
            <>
              <ConsumptionChart buckets={site.buckets} />
              <ChartCaption>
                {fmtNumber(site.total_kwh, 1)} kWh in these {days} days from {data.series.length} energy counter(s).
                Days in {data.tz}.
              </ChartCaption>
              {gaps.length > 0 ? (
                <Alert severity="warning" sx={{ mt: 1 }}>
                  {gaps.length} data gap(s) spanning days: their {fmtNumber(site.unattributed_kwh, 1)} kWh are not
                  counted in any day, because nothing says when it was used.
                  {gaps.slice(0, 5).map((g) => (
                    <div key={`${g.meter}${g.from}`}>
                      {g.meter}: {fmtDateTime(g.from)} – {fmtDateTime(g.to)} ({fmtNumber(g.energy_kwh, 1)} kWh)
                    </div>
                  ))}
                </Alert>
              ) : null}
              {resets.length > 0 ? (
                <Alert severity="info" sx={{ mt: 1 }}>
                  Counter reset(s) detected and handled:{' '}
                  {resets
                    .slice(0, 5)
                    .map(
                      (r) =>
                        `${r.meter} at ${fmtDateTime(r.at)} (${fmtNumber(r.from_value, 1)} → ${fmtNumber(r.to_value, 1)})`,
                    )
                    .join('; ')}
                </Alert>
              ) : null}
            </>
          );
        }}
      </Loadable>
    </Box>
  );
}
