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

const ZONE_HELP = 'Its days, months and tariff hours follow this zone';

/** A searchable choice of one of `options` (a site's zone, its currency). */
function ChoiceField(p: {
  label: string;
  name: string;
  options: readonly string[];
  value: string;
  help: string;
  error: string | undefined;
  optionLabel?: (option: string) => string;
  onChange(value: string): void;
}) {
  // A value stored under a name this browser does not list still shows as it is.
  const options = p.options.includes(p.value) ? p.options : [p.value, ...p.options];
  return (
    <Autocomplete
      options={options as string[]}
      value={p.value}
      disableClearable
      {...(p.optionLabel ? { getOptionLabel: p.optionLabel } : {})}
      onChange={(_e, v) => p.onChange(v)}
      renderInput={(params) => (
        <TextField {...params} label={p.label} name={p.name} error={!!p.error} helperText={p.error ?? p.help} />
      )}
    />
  );
}

/** A number in `unit`, empty for none. */
function UnitField(p: {
  label: string;
  name: string;
  unit: string;
  value: string;
  help: string;
  error: string | undefined;
  max?: number;
  onChange(value: string): void;
}) {
  return (
    <TextField
      label={p.label}
      name={p.name}
      type="number"
      value={p.value}
      onChange={(e) => p.onChange(e.target.value)}
      error={!!p.error}
      helperText={p.error ?? p.help}
      slotProps={{
        input: { endAdornment: <InputAdornment position="end">{p.unit}</InputAdornment> },
        htmlInput: { min: 0, max: p.max, step: 'any', inputMode: 'decimal' },
      }}
    />
  );
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
  // What every field takes from the form: its request name, value and problem, and how it changes the form.
  const bind = (key: keyof EnergyForm) => ({
    name: key,
    value: form[key],
    error: errors[key],
    onChange: (v: string) => onChange({ [key]: v }),
  });
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, mt: 1 }}>
      <Typography component="legend" sx={{ fontWeight: 600, mb: 1.5 }}>
        Energy settings
      </Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
        <ChoiceField label="Time zone" options={siteTimeZones()} help={ZONE_HELP} {...bind('time_zone')} />
        <ChoiceField
          label="Currency"
          options={siteCurrencies()}
          optionLabel={currencyLabel}
          help="Its costs are in this currency"
          {...bind('currency')}
        />
        <UnitField label="Floor area" unit="m²" help="For kWh per m²; empty when unknown" {...bind('area_m2')} />
        <UnitField
          label="CO₂ emission factor"
          unit="kg CO₂e/kWh"
          max={CO2_FACTOR_MAX_KG_PER_KWH}
          help="Of its electricity, e.g. 0.38 for 380 g/kWh; empty when unknown. A month’s own factor wins."
          {...bind('co2_kg_per_kwh')}
        />
      </Box>
    </Box>
  );
}
