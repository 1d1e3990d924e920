import { Checkbox, FormControlLabel, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { CreateSiteResponse, SiteKeyResponse, SiteSummary } from '@meterit/shared';
import { api, errorText } from '../../api/client';
import { FormDialog } from '../../components/FormDialog';

/** Create a site (which also creates its first API key) or edit one. */
export function SiteDialog({
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
    <FormDialog
      title={site ? `Edit ${site.site_name}` : 'New site'}
      submitLabel={site ? 'Save' : 'Create site'}
      onSubmit={save}
      onClose={onClose}
      error={error}
    >
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
    </FormDialog>
  );
}
