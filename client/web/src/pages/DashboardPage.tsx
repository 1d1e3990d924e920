import { Box, Card, CardContent, Chip, TableCell, TableRow, Typography } from '@mui/material';
import type { SitesResponse, SiteSummary } from '@meterit/shared';
import { api } from '../api/client';
import { useConnection } from '../api/connection';
import { DataTable, type Column } from '../components/DataTable';
import { Loadable, EmptyState } from '../components/StateViews';
import { SiteStatusChip } from '../components/StatusChip';
import { ActiveAlerts } from '../components/ActiveAlerts';
import { Link } from '../components/Link';
import { usePoll } from '../components/usePoll';
import { fmtAgo, fmtDateTime, fmtDuration, fmtNumber, leftOutText, localMidnight, viewerTimeZone } from '../format';
import { can, useAuth } from '../store/auth';

const REFRESH_MS = 15_000;
const SITE_COLUMNS: Column[] = [
  'Status',
  'Site and why',
  'Heartbeat',
  { head: 'Backlog', align: 'right' },
  { head: 'Meters', align: 'right', title: 'meters answering / configured' },
  { head: 'Power', align: 'right' },
  { head: 'Today', align: 'right' },
];

function Figure({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <Card variant="outlined" sx={{ flex: '1 1 120px' }}>
      <CardContent sx={{ py: 1.5, '&:last-child': { pb: 1.5 } }}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography
          sx={{ fontWeight: 700, whiteSpace: 'nowrap', fontSize: { xs: 20, md: 24 } }}
          variant="h5"
          color={tone}
        >
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
}

function Totals({ sites }: { sites: SiteSummary[] }) {
  const count = (s: SiteSummary['status']) => sites.filter((x) => x.status === s).length;
  const power = sites.reduce((t, s) => t + (s.current_power_kw ?? 0), 0);
  const energy = sites.reduce((t, s) => t + (s.energy_today_kwh ?? 0), 0);
  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 3 }}>
      <Figure label="Offline" value={String(count('offline'))} tone={count('offline') ? 'error.main' : undefined} />
      <Figure
        label="Degraded"
        value={String(count('degraded'))}
        tone={count('degraded') ? 'warning.main' : undefined}
      />
      <Figure label="Online" value={String(count('online'))} tone="success.main" />
      <Figure label="Current power" value={`${fmtNumber(power, 1)} kW`} />
      <Figure label="Energy today" value={`${fmtNumber(energy, 1)} kWh`} />
    </Box>
  );
}

export function DashboardPage() {
  const user = useAuth((s) => s.user);
  const lost = useConnection((s) => s.lost);
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
        {(sites) =>
          sites.length === 0 ? (
            <EmptyState title="No sites yet">
              {can.manageSites(user)
                ? 'Create the first site under "Sites & meters", then give its API key to the installer of the site agent.'
                : 'An admin has to create a site (or give you access to one) before anything shows here.'}
            </EmptyState>
          ) : (
            <>
              <Totals sites={sites} />
              <DataTable label="sites" tableSx={{ '& td, & th': { px: { xs: 1, md: 2 } } }} columns={SITE_COLUMNS}>
                {sites.map((s) => (
                  <TableRow key={s.site_id} hover data-testid={`site-row-${s.site_id}`}>
                    <TableCell>
                      <SiteStatusChip status={s.status} />
                    </TableCell>
                    <TableCell sx={{ minWidth: 200, maxWidth: 420 }}>
                      <Link sx={{ fontWeight: 600 }} to={`/sites/${s.site_id}`}>
                        {s.site_name}
                      </Link>
                      {s.location ? (
                        <Typography variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                          {s.location}
                        </Typography>
                      ) : null}
                      {s.reasons.map((r) => (
                        <Typography key={r} variant="body2" color="text.secondary" sx={{ fontSize: 13 }}>
                          {r}
                        </Typography>
                      ))}
                    </TableCell>
                    <TableCell title={fmtDateTime(s.last_heartbeat_at)}>{fmtAgo(s.last_heartbeat_at)}</TableCell>
                    <TableCell align="right">
                      {s.backlog.readings === null ? '—' : fmtNumber(s.backlog.readings, 0)}
                      {s.backlog.age_s ? (
                        <Typography variant="caption" color="text.secondary" component="div">
                          oldest {fmtDuration(s.backlog.age_s)}
                          {s.backlog.growing ? ', growing' : ''}
                        </Typography>
                      ) : null}
                    </TableCell>
                    <TableCell align="right">
                      {s.meters.answering === null
                        ? `— / ${s.meters.configured}`
                        : `${s.meters.answering} / ${s.meters.configured}`}
                    </TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }} title={leftOutText(s)}>
                      {s.current_power_kw === null ? '—' : `${fmtNumber(s.current_power_kw, 1)} kW`}
                      {s.totals_left_out.length > 0 ? (
                        <Typography variant="caption" color="warning.main" component="div">
                          excl. {s.totals_left_out.length} meter{s.totals_left_out.length > 1 ? 's' : ''}
                        </Typography>
                      ) : null}
                    </TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      {s.energy_today_kwh === null ? '—' : `${fmtNumber(s.energy_today_kwh, 1)} kWh`}
                    </TableCell>
                  </TableRow>
                ))}
              </DataTable>
              <Box sx={{ mt: 1 }}>
                <Chip size="small" variant="outlined" label={`Times in ${viewerTimeZone()}`} />
              </Box>
            </>
          )
        }
      </Loadable>
    </Box>
  );
}
