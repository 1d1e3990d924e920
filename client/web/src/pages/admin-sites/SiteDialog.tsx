import { Checkbox, FormControlLabel, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import {
  SiteUpdateRequestSchema,
  SiteWriteRequestSchema,
  type CreateSiteResponse,
  type SiteKeyResponse,
  type SiteSummary,
} from '@meterit/shared';
import { api, errorText } from '../../api/client';
import { FormDialog } from '../../components/FormDialog';
import { energyBody, energyFormOf, SiteEnergyFields, type EnergyForm, type FieldErrors } from './SiteEnergyFields';

/** Each field's first problem under the request's schema, without the field's own name (the label says it). */
function fieldErrors(issues: readonly { path: PropertyKey[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const field = String(i.path[0] ?? '');
    out[field] ??= i.message.startsWith(`${field} `) ? i.message.slice(field.length + 1) : i.message;
  }
  return out;
}

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
  const [energy, setEnergy] = useState<EnergyForm>(() => energyFormOf(site));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();
  const save = async () => {
    setError(undefined);
    const fields = { name, location: location || null, ...energyBody(energy) };
    const body = site ? { ...fields, is_active: active } : fields;
    // The API's own schema first: a wrong field is marked where it is, before anything is sent.
    const checked = (site ? SiteUpdateRequestSchema : SiteWriteRequestSchema).safeParse(body);
    setErrors(checked.success ? {} : fieldErrors(checked.error.issues));
    if (!checked.success) return;
    try {
      if (site) {
        await api.patch(`/api/sites/${site.site_id}`, body);
        onDone();
      } else {
        const { data } = await api.post<CreateSiteResponse>('/api/sites', body);
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
      maxWidth="md"
    >
      <TextField
        label="Site name"
        name="site_name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={!!errors.name}
        helperText={errors.name}
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
        sx={{ mb: 2 }}
      />
      <SiteEnergyFields form={energy} errors={errors} onChange={(patch) => setEnergy({ ...energy, ...patch })} />
      {site ? (
        <FormControlLabel
          sx={{ mt: 1 }}
          control={<Checkbox checked={active} onChange={(e) => setActive(e.target.checked)} />}
          label="Active (a deactivated site's agent is refused)"
        />
      ) : (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          Creating the site also creates its API key, shown once on the next screen.
        </Typography>
      )}
    </FormDialog>
  );
}
