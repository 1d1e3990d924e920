import { Alert, AlertTitle, Box, Button, Chip, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import type { AlertInfo, AlertsResponse } from '@meterit/shared';
import { api, errorText } from '../api/client';
import { fmtAgo, fmtDateTime } from '../format';
import { can, useAuth } from '../store/auth';
import { Link } from './Link';
import { usePoll } from './usePoll';
import { ErrorNote } from './StateViews';

const SEVERITY = { critical: 'error', warning: 'warning', info: 'info' } as const;

export function AlertStateChip({ alert }: { alert: Pick<AlertInfo, 'state' | 'acknowledged_at'> }) {
  const color = alert.state === 'firing' ? 'error' : alert.state === 'pending' ? 'warning' : 'success';
  return (
    <Stack direction="row" spacing={0.5}>
      <Chip
        size="small"
        color={color}
        label={alert.state === 'firing' ? 'Firing' : alert.state === 'pending' ? 'Pending' : 'Resolved'}
        sx={{ fontWeight: 600 }}
        data-state={alert.state}
      />
      {alert.acknowledged_at ? <Chip size="small" variant="outlined" label="Acknowledged" /> : null}
    </Stack>
  );
}

/** POST acknowledge; returns an error text or undefined. */
export async function acknowledgeAlert(id: number): Promise<string | undefined> {
  try {
    await api.post(`/api/alerts/${id}/acknowledge`, {});
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}

/** The firing and pending alerts (of one site, or all), with acknowledge for operators; refreshes itself. */
export function ActiveAlerts({ siteId }: { siteId?: number }) {
  const user = useAuth((s) => s.user);
  const [error, setError] = useState<string>();
  const state = usePoll(
    async () =>
      (
        await api.get<AlertsResponse>('/api/alerts', {
          params: { state: 'active', ...(siteId ? { site_id: siteId } : {}) },
        })
      ).data.alerts,
    [siteId],
    10_000,
  );
  const alerts = state.data ?? [];
  if (alerts.length === 0) return null;
  return (
    <Box sx={{ mb: 3 }} data-testid="active-alerts">
      <ErrorNote error={error} sx={{ mb: 1 }} />
      <Stack spacing={1}>
        {alerts.map((a) => (
          <Alert
            key={a.id}
            severity={a.state === 'pending' ? 'info' : SEVERITY[a.severity]}
            variant={a.state === 'firing' && !a.acknowledged_at ? 'filled' : 'outlined'}
            data-testid={`active-alert-${a.id}`}
            action={
              can.manageMeters(user) && !a.acknowledged_at && a.state === 'firing' ? (
                <Button
                  color="inherit"
                  size="small"
                  onClick={async () => {
                    setError(await acknowledgeAlert(a.id));
                    state.reload();
                  }}
                >
                  Acknowledge
                </Button>
              ) : undefined
            }
          >
            <AlertTitle sx={{ mb: 0 }}>
              <Link to={`/alerts/${a.id}`} color="inherit" sx={{ fontWeight: 600 }}>
                {a.state === 'pending' ? 'Pending: ' : ''}
                {a.title}
              </Link>
            </AlertTitle>
            <Typography variant="body2">
              {a.rule_name} · since {fmtDateTime(a.since)} ({fmtAgo(a.since)})
              {a.acknowledged_at ? ` · acknowledged by ${a.acknowledged_by ?? '?'} ${fmtAgo(a.acknowledged_at)}` : ''}
            </Typography>
          </Alert>
        ))}
      </Stack>
    </Box>
  );
}
