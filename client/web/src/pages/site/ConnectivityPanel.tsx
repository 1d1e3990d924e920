import { Alert, Box, Typography } from '@mui/material';
import type { ConnectivityResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { BacklogChart } from '../../components/Charts';
import { RangeSelect } from '../../components/RangeControls';
import { EmptyState, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { fmtDateTime, fmtDuration, RANGES, type RangeKey } from '../../format';
import { oneOf, useUrlQuery } from '../../url-state';

export function ConnectivityPanel({ siteId }: { siteId: number }) {
  // Its own key in the address (`conn`), beside the readings chart's `range`: a link or a reload keeps both.
  const [q, setQuery] = useUrlQuery();
  const range = oneOf<RangeKey>(
    q.get('conn'),
    RANGES.map((r) => r.key),
    '24h',
  );
  const setRange = (r: RangeKey) => setQuery({ conn: r === '24h' ? undefined : r });
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 86_400_000;
  const state = usePoll(
    async () =>
      (
        await api.get<ConnectivityResponse>(`/api/sites/${siteId}/connectivity`, {
          params: { from: new Date(Date.now() - rangeMs).toISOString(), max_points: 800 },
        })
      ).data,
    [siteId, range],
    60_000,
  );
  return (
    <Box>
      <Box sx={{ mb: 2 }}>
        <RangeSelect value={range} onChange={setRange} />
      </Box>
      <Loadable state={state} what="connectivity history">
        {(data) => (
          <>
            {data.heartbeats.length === 0 ? (
              <EmptyState title="No heartbeats in this range">
                The site agent sends one every minute once it runs with this site's API key.
              </EmptyState>
            ) : (
              <BacklogChart heartbeats={data.heartbeats} />
            )}
            {data.outages.length === 0 ? (
              <Typography color="text.secondary" sx={{ mt: 1 }}>
                No outages in this range (none reported by the agent, no heartbeat gap over{' '}
                {fmtDuration(data.outage_gap_s)}).
              </Typography>
            ) : (
              <Alert
                severity={data.outages.some((o) => o.ongoing) || data.offline_periods.length > 0 ? 'error' : 'warning'}
                sx={{ mt: 1 }}
                data-testid="outages"
              >
                {data.outages.length} uplink outage(s) in this range
                {data.offline_periods.length > 0
                  ? `, ${data.offline_periods.length} long enough to count as offline`
                  : ''}
                :
                {data.outages.map((o) => (
                  <div key={o.from} data-testid="outage">
                    {fmtDateTime(o.from)} – {o.ongoing ? 'now, still going on' : fmtDateTime(o.to)} (
                    {fmtDuration(o.duration_s)}) ·{' '}
                    {o.sources
                      .map((src) => (src === 'agent_reported' ? 'reported by the agent' : 'no heartbeat'))
                      .join(' and ')}
                  </div>
                ))}
              </Alert>
            )}
          </>
        )}
      </Loadable>
    </Box>
  );
}
