// Valid requests of the client API's endpoints, each the starting point of its hostile variants.
import { opsOf, type Ctx } from './endpoint-spec.js';

/** A meter as the web app creates (POST /api/sites/:id/meters) or edits (PATCH /api/meters/:id) it. */
export const meterWrite = (externalId: string) => ({
  external_id: externalId,
  name: 'Meter of the bad-input suite',
  bacnet_device_id: 4242,
  bacnet_ip: '192.168.1.20',
  bacnet_port: 47808,
  is_active: true,
  data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' }],
});
export const METER_WRITE_TEXT = [
  'external_id',
  'name',
  'data_points.0.object_type',
  'data_points.0.property',
  'data_points.0.name',
  'data_points.0.unit',
];

/**
 * A threshold rule on site A's first meter. Disabled, with a threshold no meter reaches: a rule that an
 * accepted variant creates or edits never fires while the suite counts rows (a variant without `enabled`
 * creates an enabled one, which still never fires).
 */
export const alertRule = (ctx: Ctx) => ({
  kind: 'threshold',
  name: 'Rule of the bad-input suite',
  enabled: false,
  severity: 'warning',
  scope: 'meter',
  site_id: ctx.siteA.id,
  meter_id: opsOf(ctx).meterDbIdsA[0]!,
  data_point: 'total_kwh',
  condition: 'above',
  threshold: 1e12,
  threshold_high: null,
  for_seconds: 60,
  cooldown_seconds: 600,
  recipients: ['ops@example.com'],
  webhook_url: null,
});
export const RULE_TEXT = ['name', 'data_point'];
// The scope follows from meter_id, site_id from the meter; the rest has defaults.
export const RULE_OPTIONAL = [
  'enabled',
  'severity',
  'scope',
  'site_id',
  'threshold_high',
  'for_seconds',
  'cooldown_seconds',
  'recipients',
  'webhook_url',
];

/** The installer's commissioning report of site A, as setup-site uploads it (one line, one meter, one point). */
export const commissioningReport = (ctx: Ctx) => ({
  site: { id: ctx.siteA.id, name: 'Site A' },
  created_at: ctx.now(),
  agent_version: '0.1.0',
  passed: true,
  summary: { pass: 1, warn: 0, fail: 0 },
  lines: [{ check: 'Meter answers', status: 'pass', detail: 'answered in 12 ms', fix: 'nothing to do' }],
  meters: [
    {
      id: ctx.siteA.meterIds[0]!,
      name: 'Main incomer',
      device_id: 101,
      address: '192.168.1.10:47808',
      rpm_supported: true,
      points: [
        {
          name: 'total_kwh',
          answered: true,
          value: 1234.5,
          unit: 'kWh',
          quality: 'good',
          response_ms: 12,
          error: null,
        },
      ],
    },
  ],
});

export const reading = (ctx: Ctx, i = 0) => ({
  meter_external_id: ctx.siteA.meterIds[0]!,
  data_point: 'total_kwh',
  timestamp: new Date(Date.now() - 3_600_000 - i * 1000).toISOString(),
  value: 1234.5,
  unit: 'kWh',
  quality: 'good',
});

/** A site's energy settings as the admin's dialog sends them (POST /api/sites, PATCH /api/sites/:id). */
export const siteSettings = () => ({
  time_zone: 'Europe/Berlin',
  currency: 'EUR',
  area_m2: 1200,
  co2_kg_per_kwh: 0.38,
});
/** Each may be left out; area and factor may be null (unknown). */
export const SITE_SETTINGS_OPTIONAL = ['time_zone', 'currency', 'area_m2', 'co2_kg_per_kwh'];
/** An emission factor the API refuses: below 0, or above 2 kg/kWh (grams typed as kilograms). */
const REFUSED_FACTORS = [-0.01, 2.01, 380, -1e-9];
/** Well-typed settings that are still wrong: no such zone or currency, no area, an implausible factor. */
export const SITE_SETTINGS_REFUSED = {
  time_zone: ['Mars/Olympus_Mons', 'utc', '+01:00', 'Etc/GMT-1', 'Europe', 'Europe/Berlin ', 'Europe/../Berlin'],
  currency: ['eur', 'EURO', 'XYZ', '€', 'EU', ' EUR'],
  area_m2: [0, -0, -1, -1e-9, 1e9],
  co2_kg_per_kwh: REFUSED_FACTORS,
};
export const MONTH_FACTOR_REFUSED = { kg_per_kwh: REFUSED_FACTORS };
/** Months the emission-factor routes refuse: not YYYY-MM, no such month, outside 2000–2099. */
export const REFUSED_MONTHS = [
  '2026-13',
  '2026-00',
  '2026-1',
  '1999-12',
  '2100-01',
  '2026-03-01',
  '03-2026',
  '2026/03',
];
