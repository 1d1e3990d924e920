import { Alert, Button, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { ApiKeyInfo, SiteKeyResponse, SiteSummary } from '@meterit/shared';
import { api, errorText } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { KeyReveal } from '../../components/KeyReveal';
import { ErrorNote, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { fmtDateTime } from '../../format';
import { PanelDialog } from '../../components/PanelDialog';

/** A site's API keys: rotate to a new one with a grace period for the old, or revoke one at once. */
export function RotateDialog({ site, onClose }: { site: SiteSummary; onClose(): void }) {
  const [grace, setGrace] = useState('24');
  const [result, setResult] = useState<SiteKeyResponse>();
  const [error, setError] = useState<string>();
  const keys = usePoll(
    async () => (await api.get<{ keys: ApiKeyInfo[] }>(`/api/sites/${site.site_id}/keys`)).data.keys,
    [site.site_id, result?.key_prefix],
  );
  const [confirmRevoke, setConfirmRevoke] = useState<string>();
  const revoke = async (prefix: string) => {
    setError(undefined);
    try {
      await api.delete(`/api/sites/${site.site_id}/keys/${prefix}`);
      setConfirmRevoke(undefined);
      keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const rotate = async () => {
    setError(undefined);
    try {
      setResult(
        (await api.post<SiteKeyResponse>(`/api/sites/${site.site_id}/keys`, { grace_hours: Number(grace) })).data,
      );
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <PanelDialog
      title={<>API key of {site.site_name}</>}
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>{result ? 'Done' : 'Cancel'}</Button>
          {result ? null : (
            <Button variant="contained" color="warning" onClick={rotate}>
              Create new key
            </Button>
          )}
        </>
      }
    >
      {result ? (
        <KeyReveal created={result} />
      ) : (
        <>
          <Typography sx={{ mb: 2 }}>
            A new key replaces the current one. The current key keeps working for the grace period, so the installer can
            update the agent without losing data.
          </Typography>
          <TextField
            label="Grace period (hours)"
            name="grace_hours"
            value={grace}
            onChange={(e) => setGrace(e.target.value)}
            size="small"
            sx={{ mb: 2 }}
          />
        </>
      )}
      <ErrorNote error={error} />
      <Typography variant="subtitle2" sx={{ mt: 2 }}>
        Keys of this site
      </Typography>
      {confirmRevoke ? (
        <Alert severity="warning" sx={{ my: 1 }}>
          Revoke mk_{confirmRevoke}_…? An agent still using it is refused from now on; its readings wait on the site
          until it has the new key (scripts/rotate-key).
        </Alert>
      ) : null}
      <Loadable state={keys} what="keys">
        {(list) => (
          <DataTable outlined={false}>
            {list.map((k) => (
              <TableRow key={k.key_prefix} data-testid={`site-key-${k.key_prefix}`}>
                <TableCell sx={{ fontFamily: 'monospace' }}>mk_{k.key_prefix}_…</TableCell>
                <TableCell>{k.state}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>created {fmtDateTime(k.created_at)}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  {k.revoked_at
                    ? `revoked ${fmtDateTime(k.revoked_at)}`
                    : k.expires_at
                      ? `until ${fmtDateTime(k.expires_at)}`
                      : ''}
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  {k.state === 'active' || k.state === 'expiring' ? (
                    confirmRevoke === k.key_prefix ? (
                      <>
                        <Button size="small" onClick={() => setConfirmRevoke(undefined)}>
                          Keep
                        </Button>
                        <Button
                          size="small"
                          color="error"
                          variant="contained"
                          onClick={() => void revoke(k.key_prefix)}
                        >
                          Revoke now
                        </Button>
                      </>
                    ) : (
                      <Button
                        size="small"
                        color="error"
                        onClick={() => setConfirmRevoke(k.key_prefix)}
                        title="An agent still using this key is refused from now on"
                      >
                        Revoke
                      </Button>
                    )
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Loadable>
    </PanelDialog>
  );
}
