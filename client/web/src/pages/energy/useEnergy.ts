import type { EnergyResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { usePoll } from '../../components/usePoll';
import { viewerTimeZone } from '../../format';
import { energyParams, type PeriodChoice } from './energy-periods';

/** /api/energy for the chosen sites or meters and periods, refreshed every 5 minutes. */
export function useEnergy(
  who: { site_id?: string; meter_id?: string; group: 'site' | 'meter' } | null,
  choice: PeriodChoice,
) {
  return usePoll<EnergyResponse | null>(
    async () =>
      who === null
        ? null
        : (
            await api.get<EnergyResponse>('/api/energy', {
              params: { ...who, ...energyParams(choice, viewerTimeZone()) },
            })
          ).data,
    [who?.site_id, who?.meter_id, who?.group, choice.interval, choice.count, choice.compare],
    300_000,
  );
}
