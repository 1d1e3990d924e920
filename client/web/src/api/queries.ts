import type { MetersResponse } from '@meterit/shared';
import { usePoll } from '../components/usePoll';
import { api } from './client';

/** Every meter of a site, inactive ones included (the pages that list and edit them). */
export function useSiteMeters(siteId: number, refreshMs?: number) {
  return usePoll(
    async () =>
      (await api.get<MetersResponse>('/api/meters', { params: { site_id: siteId, include_inactive: true } })).data
        .meters,
    [siteId],
    refreshMs,
  );
}
