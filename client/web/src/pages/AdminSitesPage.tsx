import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import type {
  ApiKeyInfo,
  CreateSiteResponse,
  MeterSummary,
  MetersResponse,
  SiteKeyResponse,
  SitesResponse,
  SiteSummary,
} from '@meterit/shared';
import { api, errorText } from '../api/client';
import { KeyReveal } from '../components/KeyReveal';
import { Link } from '../components/Link';
import { MeterDialog } from '../components/MeterDialog';
import { EmptyState, Loadable } from '../components/StateViews';
import { MeterStatusChip, SiteStatusChip } from '../components/StatusChip';
import { usePoll } from '../components/usePoll';
import { fmtDateTime } from '../format';
import { can, useAuth } from '../store/auth';

function SiteDialog({
  site,
  onClose,
  onDone,
}: {
  site?: SiteSummary;
  onClose(): void;
  onDone(created?: SiteKeyResponse): void;
}) {
  const [name, setName] = useState(site?.site_name ?? '');
  const [location, setLocation] = useState(site?.location ?? '');
  const [active, setActive] = useState(site?.is_active ?? true);
  const [error, setError] = useState<string>();
  const save = async () => {
    setError(undefined);
    try {
      if (site) {
        await api.patch(`/api/sites/${site.site_id}`, { name, location: location || null, is_active: active });
        onDone();
      } else {
        const { data } = await api.post<CreateSiteResponse>('/api/sites', { name, location: location || null });
        onDone(data);
      }
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>{site ? `Edit ${site.site_name}` : 'New site'}</DialogTitle>
      <DialogContent>
        <TextField
          label="Site name"
          name="site_name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          fullWidth
          required
          autoFocus
          sx={{ mt: 1, mb: 2 }}
        />
        <TextField
          label="Location (optional)"
          name="location"
          value={location}
          onChange={(e) => setLocation(e.target.value)}
          fullWidth
          sx={{ mb: 1 }}
        />
        {site ? (
          <FormControlLabel
            control={<Checkbox checked={active} onChange={(e) => setActive(e.target.checked)} />}
            label="Active (a deactivated site's agent is refused)"
          />
        ) : (
          <Typography variant="body2" color="text.secondary">
            Creating the site also creates its API key, shown once on the next screen.
          </Typography>
        )}
        {error ? (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
          </Alert>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={save}>
          {site ? 'Save' : 'Create site'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function RotateDialog({ site, onClose }: { site: SiteSummary; onClose(): void }) {
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
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>API key of {site.site_name}</DialogTitle>
      <DialogContent>
        {result ? (
          <KeyReveal created={result} />
        ) : (
          <>
            <Typography sx={{ mb: 2 }}>
              A new key replaces the current one. The current key keeps working for the grace period, so the installer
              can update the agent without losing data.
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
        {error ? <Alert severity="error">{error}</Alert> : null}
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
            <Table size="small">
              <TableBody>
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
              </TableBody>
            </Table>
          )}
        </Loadable>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{result ? 'Done' : 'Cancel'}</Button>
        {result ? null : (
          <Button variant="contained" color="warning" onClick={rotate}>
            Create new key
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

function SiteMeters({ site, canEdit }: { site: SiteSummary; canEdit: boolean }) {
  const meters = usePoll(
    async () =>
      (await api.get<MetersResponse>('/api/meters', { params: { site_id: site.site_id, include_inactive: true } })).data
        .meters,
    [site.site_id],
  );
  const [editing, setEditing] = useState<MeterSummary | 'new'>();
  return (
    <Box sx={{ p: 2, bgcolor: '#f7f9fc' }}>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', mb: 1 }}>
        <Typography variant="subtitle2">Meters of {site.site_name}</Typography>
        {canEdit ? (
          <Button size="small" variant="outlined" onClick={() => setEditing('new')}>
            Add meter
          </Button>
        ) : null}
      </Box>
      <Loadable state={meters} what="meters">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No meters yet">
              Add one here, or let the site agent register the meters of its meters.json when it connects.
            </EmptyState>
          ) : (
            <Table size="small">
              <TableBody>
                {list.map((m) => (
                  <TableRow key={m.id} data-testid={`admin-meter-${m.external_id}`}>
                    <TableCell>{m.external_id}</TableCell>
                    <TableCell>{m.name}</TableCell>
                    <TableCell>
                      device {m.bacnet_device_id} @ {m.bacnet_ip}
                    </TableCell>
                    <TableCell>{m.data_points.map((p) => p.name).join(', ')}</TableCell>
                    <TableCell>
                      <MeterStatusChip status={m.status} title={m.status_reason} />
                    </TableCell>
                    <TableCell>
                      {canEdit ? (
                        <Button size="small" onClick={() => setEditing(m)}>
                          Edit
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )
        }
      </Loadable>
      {editing ? (
        <MeterDialog
          siteId={site.site_id}
          meter={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            meters.reload();
          }}
        />
      ) : null}
    </Box>
  );
}

export function AdminSitesPage() {
  const user = useAuth((s) => s.user);
  const isAdmin = can.manageSites(user);
  const sites = usePoll(
    async () => (await api.get<SitesResponse>('/api/sites', { params: { include_inactive: true } })).data.sites,
    [],
  );
  const [dialog, setDialog] = useState<{ kind: 'new' } | { kind: 'edit' | 'rotate'; site: SiteSummary }>();
  const [created, setCreated] = useState<SiteKeyResponse>();
  const [open, setOpen] = useState<number>();

  return (
    <Box>
      <Box
        sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mb: 2, flexWrap: 'wrap', gap: 1 }}
      >
        <Typography sx={{ fontWeight: 700 }} variant="h5">
          Sites & meters
        </Typography>
        {isAdmin ? (
          <Button variant="contained" onClick={() => setDialog({ kind: 'new' })}>
            New site
          </Button>
        ) : null}
      </Box>
      <Loadable state={sites} what="sites">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No sites yet">
              {isAdmin
                ? 'Create one with "New site"; you get its API key for the installer.'
                : 'Ask an admin to create a site.'}
            </EmptyState>
          ) : (
            <TableContainer component={Paper} variant="outlined">
              <Table size="small" aria-label="manage sites">
                <TableHead>
                  <TableRow>
                    <TableCell>Site</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Meters</TableCell>
                    <TableCell>Actions</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {list.flatMap((s) => [
                    <TableRow key={s.site_id} data-testid={`admin-site-${s.site_name}`}>
                      <TableCell>
                        <Link sx={{ fontWeight: 600 }} to={`/sites/${s.site_id}`}>
                          {s.site_name}
                        </Link>
                        <Typography variant="caption" color="text.secondary" component="div">
                          id {s.site_id}
                          {s.location ? ` · ${s.location}` : ''} · created {fmtDateTime(s.created_at)}
                        </Typography>
                      </TableCell>
                      <TableCell>
                        <SiteStatusChip status={s.status} />
                      </TableCell>
                      <TableCell>{s.meters.configured}</TableCell>
                      <TableCell>
                        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                          <Button
                            size="small"
                            variant={open === s.site_id ? 'contained' : 'outlined'}
                            onClick={() => setOpen(open === s.site_id ? undefined : s.site_id)}
                          >
                            Meters
                          </Button>
                          {isAdmin ? (
                            <>
                              <Button size="small" onClick={() => setDialog({ kind: 'edit', site: s })}>
                                Edit
                              </Button>
                              <Button
                                size="small"
                                color="warning"
                                onClick={() => setDialog({ kind: 'rotate', site: s })}
                              >
                                Rotate key
                              </Button>
                            </>
                          ) : null}
                        </Box>
                      </TableCell>
                    </TableRow>,
                    open === s.site_id ? (
                      <TableRow key={`${s.site_id}-meters`}>
                        <TableCell colSpan={4} sx={{ p: 0 }}>
                          <SiteMeters site={s} canEdit={can.manageMeters(user)} />
                        </TableCell>
                      </TableRow>
                    ) : null,
                  ])}
                </TableBody>
              </Table>
            </TableContainer>
          )
        }
      </Loadable>
      {dialog?.kind === 'new' || dialog?.kind === 'edit' ? (
        <SiteDialog
          site={dialog.kind === 'edit' ? dialog.site : undefined}
          onClose={() => setDialog(undefined)}
          onDone={(c) => {
            setDialog(undefined);
            if (c) setCreated(c);
            sites.reload();
          }}
        />
      ) : null}
      {dialog?.kind === 'rotate' ? <RotateDialog site={dialog.site} onClose={() => setDialog(undefined)} /> : null}
      {created ? (
        <Dialog open onClose={() => setCreated(undefined)} maxWidth="sm" fullWidth>
          <DialogTitle>Site {created.site_name} created</DialogTitle>
          <DialogContent>
            <KeyReveal created={created} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setCreated(undefined)}>Done</Button>
          </DialogActions>
        </Dialog>
      ) : null}
    </Box>
  );
}
