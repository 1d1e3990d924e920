import { Box, Chip, Typography } from '@mui/material';
import type { SitesResponse } from '@meterit/shared';
import { useState } from 'react';
import { api } from '../api/client';
import { useConnection } from '../api/connection';
import { Loadable, EmptyState } from '../components/StateViews';
import { ActiveAlerts } from '../components/ActiveAlerts';
import { usePoll } from '../components/usePoll';
import { localMidnight, viewerTimeZone } from '../format';
import { can, useAuth } from '../store/auth';
import { OverviewToolbar } from './dashboard/OverviewToolbar';
import { SitesTable } from './dashboard/SitesTable';
import { Totals } from './dashboard/Totals';
import { parseView, viewPage, viewSearch, type OverviewView } from './dashboard/overview-state';

const REFRESH_MS = 15_000;

/** The view from the address, and a setter that writes it back there (replacing, so Back leaves the page). */
function useOverviewView(): [OverviewView, (patch: Partial<OverviewView>) => void] {
  const [view, setView] = useState(() => parseView(window.location.search));
  const update = (patch: Partial<OverviewView>) => {
    const next = { ...view, ...patch };
    setView(next);
    window.history.replaceState(window.history.state, '', window.location.pathname + viewSearch(next));
  };
  return [view, update];
}

export function DashboardPage() {
  const user = useAuth((s) => s.user);
  const lost = useConnection((s) => s.lost);
  const [view, setView] = useOverviewView();
  const state = usePoll(
    async () =>
      (await api.get<SitesResponse>('/api/sites', { params: { tz: viewerTimeZone(), energy_since: localMidnight() } }))
        .data.sites,
    [],
    REFRESH_MS,
  );
  return (
    <Box>
      <Box
        sx={{
          display: 'flex',
          alignItems: 'baseline',
          justifyContent: 'space-between',
          flexWrap: 'wrap',
          gap: 1,
          mb: 2,
        }}
      >
        <Typography sx={{ fontWeight: 700 }} variant="h5">
          All sites
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="updated-at">
          {state.updatedAt
            ? lost
              ? `Connection lost · showing data as of ${state.updatedAt.toLocaleTimeString()}`
              : `Updated ${state.updatedAt.toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`
            : ''}
        </Typography>
      </Box>
      <ActiveAlerts />
      <Loadable state={state} what="sites">
        {(sites) => {
          if (sites.length === 0)
            return (
              <EmptyState title="No sites yet">
                {can.manageSites(user)
                  ? 'Create the first site under "Sites & meters", then give its API key to the installer of the site agent.'
                  : 'An admin has to create a site (or give you access to one) before anything shows here.'}
              </EmptyState>
            );
          const shown = viewPage(sites, view);
          return (
            <>
              <Totals sites={sites} />
              <OverviewToolbar
                sites={sites}
                q={view.q}
                status={view.status}
                onSearch={(q) => setView({ q, page: 0 })}
                onStatus={(status) => setView({ status, page: 0 })}
              />
              <SitesTable
                rows={shown.rows}
                matching={shown.matching}
                view={{ ...view, page: shown.page }}
                // A new column sorts ascending (status ascending is worst first); the sorted one turns around.
                onSort={(sort) =>
                  setView({ sort, dir: view.sort === sort && view.dir === 'asc' ? 'desc' : 'asc', page: 0 })
                }
                onPage={(page) => setView({ page })}
                onPerPage={(perPage) => setView({ perPage, page: 0 })}
              />
              <Box sx={{ mt: 1 }}>
                <Chip size="small" variant="outlined" label={`Times in ${viewerTimeZone()}`} />
              </Box>
            </>
          );
        }}
      </Loadable>
    </Box>
  );
}
