import { Autocomplete, Box, InputAdornment, TextField, Typography } from '@mui/material';
import {
  CO2_FACTOR_MAX_KG_PER_KWH,
  DEFAULT_SITE_CURRENCY,
  DEFAULT_SITE_TIME_ZONE,
  siteCurrencies,
  siteTimeZone,
  siteTimeZones,
  type SiteSummary,
} from '@meterit/shared';
import { browserTimeZone } from '../../store/preferences';

/** The four energy settings as the form holds them: numbers as typed, '' for none. */
export interface EnergyForm {
  time_zone: string;
  currency: string;
  area_m2: string;
  co2_kg_per_kwh: string;
}

/** A field's problem, by the request field it belongs to (`area_m2`, `name`, …). */
export type FieldErrors = Partial<Record<string, string>>;

/** The site's settings, or for a new site the browser's zone (where the admin usually is) and the default currency. */
export function energyFormOf(site: SiteSummary | undefined): EnergyForm {
  if (site)
    return {
      time_zone: site.time_zone,
      currency: site.currency,
      area_m2: site.area_m2 === null ? '' : String(site.area_m2),
      co2_kg_per_kwh: site.co2_kg_per_kwh === null ? '' : String(site.co2_kg_per_kwh),
    };
  const browser = siteTimeZone(browserTimeZone());
  return {
    time_zone: 'zone' in browser ? browser.zone : DEFAULT_SITE_TIME_ZONE,
    currency: DEFAULT_SITE_CURRENCY,
    area_m2: '',
    co2_kg_per_kwh: '',
  };
}

const numberOrNull = (v: string): number | null => (v.trim() === '' ? null : Number(v));

/** The settings as the site request sends them (the shared schema checks them before they are sent). */
export const energyBody = (f: EnergyForm) => ({
  time_zone: f.time_zone,
  currency: f.currency,
  area_m2: numberOrNull(f.area_m2),
  co2_kg_per_kwh: numberOrNull(f.co2_kg_per_kwh),
});

let currencyNames: Intl.DisplayNames | undefined;
/** "CHF — Swiss Franc": the code the API takes, and the name people search for. */
function currencyLabel(code: string): string {
  currencyNames ??= new Intl.DisplayNames(undefined, { type: 'currency' });
  const name = currencyNames.of(code);
  return name && name !== code ? `${code} — ${name}` : code;
}

/** Time zone, currency, floor area and emission factor of a site, in the create/edit dialog. */
export function SiteEnergyFields({
  form,
  errors,
  onChange,
}: {
  form: EnergyForm;
  errors: FieldErrors;
  onChange(patch: Partial<EnergyForm>): void;
}) {
  // A zone stored under a name this browser does not list still shows as it is.
  const zones = siteTimeZones().includes(form.time_zone) ? siteTimeZones() : [form.time_zone, ...siteTimeZones()];
  const currencies = siteCurrencies().includes(form.currency) ? siteCurrencies() : [form.currency, ...siteCurrencies()];
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, mt: 1 }}>
      <Typography component="legend" sx={{ fontWeight: 600, mb: 1.5 }}>
        Energy settings
      </Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
        <Autocomplete
          options={zones as string[]}
          value={form.time_zone}
          disableClearable
          onChange={(_e, v) => onChange({ time_zone: v })}
          renderInput={(params) => (
            <TextField
              {...params}
              label="Time zone"
              name="time_zone"
              error={!!errors.time_zone}
              helperText={errors.time_zone ?? 'Its days, months and tariff hours follow this zone'}
            />
          )}
        />
        <Autocomplete
          options={currencies as string[]}
          value={form.currency}
          disableClearable
          getOptionLabel={currencyLabel}
          onChange={(_e, v) => onChange({ currency: v })}
          renderInput={(params) => (
            <TextField
              {...params}
              label="Currency"
              name="currency"
              error={!!errors.currency}
              helperText={errors.currency ?? 'Its costs are in this currency'}
            />
          )}
        />
        <TextField
          label="Floor area"
          name="area_m2"
          type="number"
          value={form.area_m2}
          onChange={(e) => onChange({ area_m2: e.target.value })}
          error={!!errors.area_m2}
          helperText={errors.area_m2 ?? 'For kWh per m²; empty when unknown'}
          slotProps={{
            input: { endAdornment: <InputAdornment position="end">m²</InputAdornment> },
            htmlInput: { min: 0, step: 'any', inputMode: 'decimal' },
          }}
        />
        <TextField
          label="CO₂ emission factor"
          name="co2_kg_per_kwh"
          type="number"
          value={form.co2_kg_per_kwh}
          onChange={(e) => onChange({ co2_kg_per_kwh: e.target.value })}
          error={!!errors.co2_kg_per_kwh}
          helperText={
            errors.co2_kg_per_kwh ??
            'Of its electricity, e.g. 0.38 for 380 g/kWh; empty when unknown. A month’s own factor wins.'
          }
          slotProps={{
            input: { endAdornment: <InputAdornment position="end">kg CO₂e/kWh</InputAdornment> },
            htmlInput: { min: 0, max: CO2_FACTOR_MAX_KG_PER_KWH, step: 'any', inputMode: 'decimal' },
          }}
        />
      </Box>
    </Box>
  );
}
