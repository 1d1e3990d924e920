import { Alert, Box, Button } from '@mui/material';
import { useMemo, useState } from 'react';
import { downloadCsv, errorText } from '../../api/client';
import { EmptyState, ErrorNote, Loadable } from '../../components/StateViews';
import { fmtDateTime, fmtNumber, viewerTimeZone } from '../../format';
import { EnergyChart } from '../energy/EnergyChart';
import { EnergyControls } from '../energy/EnergyControls';
import { DemandCaption, IntervalTable, PeriodFigures, ScrollArea } from '../energy/EnergyFigures';
import { energyParams, type PeriodChoice } from '../energy/energy-periods';
import { useEnergy } from '../energy/useEnergy';

/** A site's energy per day, week or month, against the previous period, with peak demand and base load. */
export function ConsumptionPanel({ siteId }: { siteId: number }) {
  const [choice, setChoice] = useState<PeriodChoice>({ interval: 'day', count: 7, compare: false });
  const who = useMemo(() => ({ site_id: String(siteId), group: 'site' as const }), [siteId]);
  const state = useEnergy(who, choice);
  const [csvError, setCsvError] = useState<string>();
  const csv = () => {
    const { from, to, tz } = energyParams(choice, viewerTimeZone());
    downloadCsv('/api/consumption', { site_id: siteId, interval: '1d', from, to, tz }, 'consumption.csv').catch(
      (e: unknown) => setCsvError(errorText(e)),
    );
  };
  return (
    <Box>
      <EnergyControls value={choice} onChange={setChoice}>
        <Button size="small" onClick={csv}>
          Download CSV (per day)
        </Button>
      </EnergyControls>
      <ErrorNote error={csvError} />
      <Loadable state={state} what="energy">
        {(data) => {
          const site = data?.series[0];
          if (!data || !site)
            return (
              <EmptyState title="No energy counter on this site yet">
                Energy is computed from cumulative kWh data points (such as total_kwh). Once a meter reports one, its
                energy per day, week and month shows here.
              </EmptyState>
            );
          const gaps = site.current.gaps.filter((g) => !g.attributed);
          const resets = site.current.resets;
          return (
            <>
              <PeriodFigures series={site} />
              <EnergyChart series={[site]} interval={data.interval} testId="consumption-chart" />
              <DemandCaption data={data} />
              <ScrollArea label="Energy per interval">
                <IntervalTable series={site} interval={data.interval} />
              </ScrollArea>
              {gaps.length > 0 ? (
                <Alert severity="warning" sx={{ mt: 1 }}>
                  {gaps.length} data gap(s) spanning intervals: their {fmtNumber(site.current.unattributed_kwh, 1)} kWh
                  are not counted in any interval, because nothing says when it was used.
                  {gaps.slice(0, 5).map((g) => (
                    <div key={`${g.meter_name}${g.from}`}>
                      {g.meter_name}: {fmtDateTime(g.from)} – {fmtDateTime(g.to)} ({fmtNumber(g.energy_kwh, 1)} kWh)
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
                        `${r.meter_name} at ${fmtDateTime(r.at)} (${fmtNumber(r.from_value, 1)} → ${fmtNumber(r.to_value, 1)})`,
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
