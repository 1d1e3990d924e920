import { Box, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { EmptyState, Loadable } from '../components/StateViews';
import { EnergyChart } from './energy/EnergyChart';
import { EnergyControls } from './energy/EnergyControls';
import { DemandCaption, ScrollArea, SeriesTable } from './energy/EnergyFigures';
import { EnergyPicker, type EnergySelection } from './energy/EnergyPicker';
import type { PeriodChoice } from './energy/energy-periods';
import { useEnergy } from './energy/useEnergy';
import { Section } from './site/Section';

/** Several sites or several meters on one chart, per day, week or month, against the previous period. */
export function EnergyPage() {
  const [choice, setChoice] = useState<PeriodChoice>({ interval: 'week', count: 4, compare: true });
  const [selection, setSelection] = useState<EnergySelection>({ group: 'site', ids: [], stacked: false });
  const who = useMemo(() => {
    if (selection.ids.length === 0) return null;
    const ids = selection.ids.join(',');
    return selection.group === 'site'
      ? { site_id: ids, group: 'site' as const }
      : { meter_id: ids, group: 'meter' as const };
  }, [selection.group, selection.ids]);
  const state = useEnergy(who, choice);
  return (
    <Box>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 2 }}>
        Energy
      </Typography>
      <Section title="What to compare">
        <EnergyPicker value={selection} onChange={setSelection} />
        <EnergyControls value={choice} onChange={setChoice} />
      </Section>
      <Section title={selection.group === 'site' ? 'Energy per site' : 'Energy per meter'}>
        {who === null ? (
          <EmptyState title={selection.group === 'site' ? 'Pick one or more sites' : 'Pick one or more meters'}>
            Their energy then shows side by side on one chart.
          </EmptyState>
        ) : (
          <Loadable state={state} what="energy">
            {(data) =>
              !data || data.series.length === 0 ? (
                <EmptyState title="No energy counter here yet">
                  Energy is computed from cumulative kWh data points (such as total_kwh). None of the chosen{' '}
                  {selection.group === 'site' ? 'sites' : 'meters'} reports one yet.
                </EmptyState>
              ) : (
                <>
                  <EnergyChart series={data.series} interval={data.interval} stacked={selection.stacked} />
                  <DemandCaption data={data} />
                  <ScrollArea label="Energy per series">
                    <SeriesTable data={data} />
                  </ScrollArea>
                </>
              )
            }
          </Loadable>
        )}
      </Section>
    </Box>
  );
}
