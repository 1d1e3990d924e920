import { Alert, Box, Chip, TableCell, TableRow, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import { notificationStatusWords, type NotificationsResponse } from '@meterit/shared';
import { api } from '../api/client';
import { DataTable } from '../components/DataTable';
import { Link } from '../components/Link';
import { EmptyState, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { fmtDateTime } from '../format';

const COLOR = {
  sent: 'success',
  recorded: 'info',
  pending: 'default',
  retrying: 'warning',
  failed: 'error',
  suppressed: 'default',
} as const;

/** Every e-mail and webhook: sent, recorded (demo without SMTP), retrying or failed, with attempts and the last error. */
export function OutboxPage() {
  const [open, setOpen] = useState<number>();
  const state = usePoll(
    async () => (await api.get<NotificationsResponse>('/api/notifications', { params: { limit: 200 } })).data,
    [],
    10_000,
  );
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'baseline', mb: 2 }}>
        <Typography sx={{ fontWeight: 700, flex: 1 }} variant="h5">
          Outbox
        </Typography>
        <Link to="/alerts">Alerts</Link>
        <Link to="/alerts/rules">Rules</Link>
      </Box>
      <Loadable state={state} what="notifications">
        {({ notifications, smtp_configured }) => (
          <>
            {!smtp_configured ? (
              <Alert severity="info" sx={{ mb: 2 }}>
                No SMTP server is configured (SMTP_URL), so e-mails are recorded here instead of sent.
              </Alert>
            ) : null}
            {notifications.length === 0 ? (
              <EmptyState title="Nothing sent yet">E-mails appear here when an alert fires or resolves.</EmptyState>
            ) : (
              <DataTable label="outbox" columns={['Created', 'Status', 'To', 'Subject']}>
                {notifications.map((n) => (
                  <TableRow
                    key={n.id}
                    hover
                    onClick={() => setOpen(open === n.id ? undefined : n.id)}
                    sx={{ cursor: 'pointer', verticalAlign: 'top' }}
                    data-testid={`notification-${n.id}`}
                  >
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{fmtDateTime(n.created_at)}</TableCell>
                    <TableCell>
                      <Tooltip title={n.status} describeChild>
                        <Chip
                          size="small"
                          color={COLOR[n.status]}
                          label={notificationStatusWords(n.status)}
                          data-code={n.status}
                        />
                      </Tooltip>
                      <Typography variant="caption" component="div" color="text.secondary">
                        {n.channel}
                        {n.attempts ? ` · ${n.attempts} attempt(s)` : ''}
                      </Typography>
                      {n.last_error ? (
                        <Typography variant="caption" component="div" color="error">
                          {n.last_error}
                        </Typography>
                      ) : null}
                    </TableCell>
                    <TableCell>{n.recipients.join(', ') || n.webhook_url || '—'}</TableCell>
                    <TableCell>
                      <Typography sx={{ fontWeight: 600 }} variant="body2">
                        {n.subject}
                      </Typography>
                      {open === n.id ? (
                        <Box
                          component="pre"
                          sx={{ whiteSpace: 'pre-wrap', fontSize: 12, bgcolor: 'action.hover', p: 1, mt: 1 }}
                          data-testid="notification-body"
                        >
                          {n.body}
                        </Box>
                      ) : null}
                    </TableCell>
                  </TableRow>
                ))}
              </DataTable>
            )}
          </>
        )}
      </Loadable>
    </Box>
  );
}
