import { Box, Button, TableCell, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import {
  alertEventWords,
  notificationStatusWords,
  type AlertDetailResponse,
  type AlertsResponse,
  type SitesResponse,
} from '@meterit/shared';
import { api } from '../api/client';
import { acknowledgeAlert, AlertStateChip } from '../components/ActiveAlerts';
import { CodeText } from '../components/CodeText';
import { DataTable } from '../components/DataTable';
import { Link } from '../components/Link';
import { SelectField } from '../components/SelectField';
import { EmptyState, ErrorNote, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { fmtAgo, fmtDateTime } from '../format';
import { navigate } from '../router';
import { can, useAuth } from '../store/auth';
import { PanelDialog } from '../components/PanelDialog';

const STATES = [
  { value: 'active', label: 'Active (firing, pending)' },
  { value: 'firing', label: 'Firing' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

function AlertDetail({ id, onClose }: { id: number; onClose(): void }) {
  const user = useAuth((s) => s.user);
  const [error, setError] = useState<string>();
  const state = usePoll(async () => (await api.get<AlertDetailResponse>(`/api/alerts/${id}`)).data, [id], 10_000);
  return (
    <PanelDialog title={<>Alert {id}</>} onClose={onClose}>
      <Loadable state={state} what="the alert">
        {({ alert, events, notifications }) => (
          <Box data-testid="alert-detail">
            <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mb: 1 }}>
              <AlertStateChip alert={alert} />
              <Typography sx={{ fontWeight: 600 }}>{alert.title}</Typography>
            </Box>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {alert.detail}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Rule: {alert.rule_name} · since {fmtDateTime(alert.since)} · fired {fmtDateTime(alert.fired_at)} ·
              resolved {fmtDateTime(alert.resolved_at)}
              {alert.acknowledged_at
                ? ` · acknowledged by ${alert.acknowledged_by ?? '?'} at ${fmtDateTime(alert.acknowledged_at)}`
                : ''}
            </Typography>
            <ErrorNote error={error} sx={{ mt: 1 }} />
            <Typography sx={{ fontWeight: 600, mt: 2 }}>History</Typography>
            <DataTable outlined={false}>
              {events.map((e, i) => (
                <TableRow key={i} data-testid="alert-event">
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{fmtDateTime(e.at)}</TableCell>
                  <TableCell>
                    <CodeText code={e.type} words={alertEventWords(e.type)} />
                  </TableCell>
                  <TableCell>
                    {e.message}
                    {e.actor ? ` (${e.actor})` : ''}
                  </TableCell>
                </TableRow>
              ))}
            </DataTable>
            <Typography sx={{ fontWeight: 600, mt: 2 }}>Notifications</Typography>
            {notifications.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                None yet.
              </Typography>
            ) : null}
            <DataTable outlined={false}>
              {notifications.map((n) => (
                <TableRow key={n.id}>
                  <TableCell>
                    {n.channel} · {n.event}
                  </TableCell>
                  <TableCell>
                    <CodeText code={n.status} words={notificationStatusWords(n.status)} />
                    {n.attempts ? ` after ${n.attempts} attempt(s)` : ''}
                    {n.last_error ? ` — ${n.last_error}` : ''}
                  </TableCell>
                  <TableCell>{n.recipients.join(', ') || n.webhook_url}</TableCell>
                </TableRow>
              ))}
            </DataTable>
            {can.manageMeters(user) && !alert.acknowledged_at && alert.state !== 'resolved' ? (
              <Button
                sx={{ mt: 2 }}
                variant="contained"
                onClick={async () => {
                  setError(await acknowledgeAlert(id));
                  state.reload();
                }}
              >
                Acknowledge
              </Button>
            ) : null}
          </Box>
        )}
      </Loadable>
    </PanelDialog>
  );
}

export function AlertsPage({ openId }: { openId?: number }) {
  const user = useAuth((s) => s.user);
  const [stateFilter, setStateFilter] = useState('active');
  const [site, setSite] = useState<number | ''>('');
  const [error, setError] = useState<string>();
  const sites = usePoll(async () => (await api.get<SitesResponse>('/api/sites')).data.sites, []);
  const list = usePoll(
    async () =>
      (
        await api.get<AlertsResponse>('/api/alerts', {
          params: {
            ...(stateFilter === 'all' ? { include_pending: 'true' } : { state: stateFilter }),
            ...(site ? { site_id: site } : {}),
            limit: 300,
          },
        })
      ).data.alerts,
    [stateFilter, site],
    10_000,
  );
  return (
    <Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap', mb: 2 }}>
        <Typography sx={{ fontWeight: 700, flex: 1 }} variant="h5">
          Alerts
        </Typography>
        <Link to="/alerts/rules">Rules</Link>
        <Link to="/alerts/outbox">Outbox</Link>
        <SelectField
          size="small"
          label="State"
          value={stateFilter}
          onChange={(e) => setStateFilter(e.target.value)}
          sx={{ minWidth: 200 }}
          options={STATES}
        />
        <SelectField
          size="small"
          label="Site"
          value={site}
          onChange={(e) => setSite(e.target.value === '' ? '' : Number(e.target.value))}
          sx={{ minWidth: 180 }}
          options={[
            { value: '', label: 'All sites' },
            ...(sites.data ?? []).map((s) => ({ value: s.site_id, label: s.site_name })),
          ]}
        />
      </Box>
      <ErrorNote error={error} sx={{ mb: 2 }} />
      <Loadable state={list} what="alerts">
        {(alerts) =>
          alerts.length === 0 ? (
            <EmptyState title={stateFilter === 'active' ? 'No active alerts' : 'No alerts'}>
              Nothing matches these filters. Rules are evaluated continuously.
            </EmptyState>
          ) : (
            <DataTable label="alerts" columns={['State', 'Alert', 'Since', 'Resolved', 'Acknowledged', '']}>
              {alerts.map((a) => (
                <TableRow key={a.id} hover data-testid={`alert-row-${a.id}`}>
                  <TableCell>
                    <AlertStateChip alert={a} />
                  </TableCell>
                  <TableCell sx={{ maxWidth: 520 }}>
                    <Link to={`/alerts/${a.id}`} sx={{ fontWeight: 600 }}>
                      {a.title}
                    </Link>
                    <Typography variant="caption" color="text.secondary" component="div">
                      {a.rule_name} · {a.severity}
                      {a.site_name ? ` · ${a.site_name}` : ''}
                    </Typography>
                  </TableCell>
                  <TableCell title={fmtDateTime(a.since)}>{fmtAgo(a.since)}</TableCell>
                  <TableCell>{a.resolved_at ? fmtDateTime(a.resolved_at) : '—'}</TableCell>
                  <TableCell>
                    {a.acknowledged_at ? `${a.acknowledged_by ?? '?'}, ${fmtAgo(a.acknowledged_at)}` : '—'}
                  </TableCell>
                  <TableCell>
                    {can.manageMeters(user) && !a.acknowledged_at && a.state !== 'resolved' ? (
                      <Button
                        size="small"
                        onClick={async () => {
                          setError(await acknowledgeAlert(a.id));
                          list.reload();
                        }}
                      >
                        Acknowledge
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </DataTable>
          )
        }
      </Loadable>
      {openId ? (
        <AlertDetail
          id={openId}
          onClose={() => {
            navigate('/alerts');
            list.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
