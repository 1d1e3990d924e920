// The operator endpoints' requests (web app, MCP server, scripts): one zod schema per body, query and path,
// types from z.infer. The client API validates with these (validate(schema)); the web app builds them.
// Browser-safe: no Node imports.
import { z } from 'zod';
import { LIMITS } from './constants.js';
import { MeterConfigSchema, dataPointList } from './contracts.js';
import { READING_AGGS, READING_BUCKETS, CONSUMPTION_INTERVALS, USER_ROLES } from './operator-contracts.js';
import { boolQuery, enumQuery, idListQuery, idQuery, intQuery, isoQuery, textQuery, tzQuery } from './query-kit.js';
import { siteSettingsWriteFields } from './site-settings.js';
import {
  bool,
  describeType,
  fieldName,
  finite,
  idParam,
  integer,
  isPlainObject,
  matching,
  object,
  oneOf,
  strictBody,
  text,
  wholeNumber,
  type IssueAt,
} from './schema-kit.js';

const at = (iss: IssueAt) => fieldName(iss.path);
const jsonObject = () => 'the body must be a JSON object';
/** A body that may be left out (no key rotation grace, no note) but, when sent, is an object of only these fields. */
const orLeftOut = (fields: string) => (input: unknown) =>
  `the body must be a JSON object {${fields}} or left out, got ${describeType(input)}`;

// --- path parameters ---

export const IdParamsSchema = z.object({ id: idParam() });
export type IdParams = z.infer<typeof IdParamsSchema>;
export const ReportParamsSchema = z.object({ id: idParam(), reportId: idParam() });
export const KeyParamsSchema = z.object({
  id: idParam(),
  prefix: matching(/^[0-9a-f]{16}$/, 'must be the 16 hex characters after mk_'),
});

// --- auth ---

export const LoginRequestSchema = object(
  { email: text(3, 255), password: text(1, 256) },
  () => 'the body must be a JSON object {"email", "password"}',
);
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** rt_ and 32 random bytes in base64url: anything else cannot be a refresh token. */
const REFRESH_TOKEN = /^rt_[A-Za-z0-9_-]{43}$/;
export const RefreshRequestSchema = object(
  {
    refresh_token: text(10, 200).pipe(
      matching(REFRESH_TOKEN, 'is not a refresh token: send the refresh_token that login or refresh returned (rt_…)'),
    ),
  },
  () => 'the body must be a JSON object {"refresh_token"}',
);
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;
export const isRefreshToken = (v: string) => REFRESH_TOKEN.test(v);

/** A new password: 12 to 256 characters. */
export const passwordField = () =>
  z
    .string({ error: (iss) => `${at(iss)} must be a string` })
    .refine((v) => v.length >= 12, { error: (iss) => `${at(iss)} must be at least 12 characters long`, abort: true })
    .refine((v) => v.length <= 256, { error: (iss) => `${at(iss)} must be at most 256 characters long`, abort: true });

export const PasswordChangeRequestSchema = object(
  { current_password: text(1, 256), new_password: passwordField() },
  jsonObject,
);
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequestSchema>;

/** POST /api/auth/tokens: a personal MCP token of at most `maxDays` (the configured longest lifetime). */
export const mcpTokenRequestSchema = (maxDays: number) =>
  object(
    {
      name: text(1, 100, {
        trim: true,
        expected: 'a string of 1 to 100 characters, e.g. "Claude Desktop on my laptop"',
      }),
      expires_in_days: wholeNumber(1, maxDays).optional(),
    },
    () => 'the body must be a JSON object {"name", "expires_in_days"?}',
  );
export type McpTokenRequest = z.infer<ReturnType<typeof mcpTokenRequestSchema>>;

// --- users ---

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const email = () =>
  z
    .string({ error: (iss) => `${at(iss)} must be an e-mail address, got ${describeType(iss.input)}` })
    .trim()
    .refine((v) => v.length <= 255 && EMAIL.test(v), {
      error: (iss) => `${at(iss)} must be an e-mail address, got ${describeType(iss.input)}`,
      abort: true,
    });
const userName = () => text(0, 255, { expected: 'a string of at most 255 characters or null' }).nullable().optional();
const siteIds = () =>
  z
    .custom<number[]>(
      (v) => Array.isArray(v) && v.length <= 10_000 && v.every((x) => Number.isInteger(x) && x > 0 && x < 2 ** 31),
      {
        error: (iss) => `${at(iss)} must be null (every site) or an array of site ids, got ${describeType(iss.input)}`,
      },
    )
    .nullable()
    .optional();

export const CreateUserRequestSchema = object(
  {
    email: email(),
    name: userName(),
    role: oneOf(USER_ROLES),
    /** Omit to have one generated and returned once. */
    password: passwordField().optional(),
    site_ids: siteIds(),
  },
  jsonObject,
);
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

export const UpdateUserRequestSchema = strictBody(
  {
    name: userName(),
    role: oneOf(USER_ROLES).optional(),
    password: passwordField().optional(),
    site_ids: siteIds(),
    is_active: bool().optional(),
  },
  jsonObject,
);
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

// --- sites ---

const siteName = () => text(1, 255, { trim: true });
const location = () => text(0, 255, { expected: 'a string of at most 255 characters or null' }).nullable().optional();

/** POST /api/sites; the settings left out are UTC, EUR, no area and no emission factor. */
export const SiteWriteRequestSchema = object(
  { name: siteName(), location: location(), ...siteSettingsWriteFields },
  () =>
    'the body must be a JSON object {"name", "location"?, "time_zone"?, "currency"?, "area_m2"?, "co2_kg_per_kwh"?}',
);
export type SiteWriteRequest = z.infer<typeof SiteWriteRequestSchema>;

export const SiteUpdateRequestSchema = strictBody(
  { name: siteName().optional(), location: location(), is_active: bool().optional(), ...siteSettingsWriteFields },
  jsonObject,
);
export type SiteUpdateRequest = z.infer<typeof SiteUpdateRequestSchema>;

/** POST /api/sites/:id/keys: no body rotates with the configured grace period. */
export const RotateKeyRequestSchema = strictBody(
  { grace_hours: finite('a number from 0 to 8760', { min: 0, max: 8760 }).optional() },
  orLeftOut('"grace_hours"?'),
).optional();
export type RotateKeyRequest = z.infer<typeof RotateKeyRequestSchema>;

export const SitesQuerySchema = z.object({
  id: idListQuery(),
  include_inactive: boolQuery(),
  tz: tzQuery(),
  energy_since: isoQuery(),
});
export const SiteQuerySchema = z.object({ tz: tzQuery() });
export const ConnectivityQuerySchema = z.object({ from: isoQuery(), to: isoQuery(), max_points: intQuery(10, 5000) });
export const CommissioningQuerySchema = z.object({ limit: intQuery(1, 100) });

// --- meters ---

const duplicateName = (items: unknown[]) => {
  const names = items.map((p) => (isPlainObject(p) ? p.name : undefined));
  const dup = names.find((n, i) => typeof n === 'string' && names.indexOf(n) !== i);
  return dup === undefined ? undefined : `data point name ${JSON.stringify(dup)} appears more than once`;
};

/** A meter from the web app (POST /api/sites/:id/meters); the PATCH takes any of its fields. */
export const MeterWriteRequestSchema = strictBody(
  {
    external_id: text(1, LIMITS.maxIdLength),
    name: MeterConfigSchema.shape.name,
    bacnet_device_id: MeterConfigSchema.shape.bacnet_device_id,
    bacnet_ip: MeterConfigSchema.shape.bacnet_ip,
    bacnet_port: integer(1, 65535).nullable().optional(),
    data_points: dataPointList(duplicateName),
    is_active: bool().optional(),
  },
  jsonObject,
);
export type MeterWriteRequest = z.infer<typeof MeterWriteRequestSchema>;
export const MeterUpdateRequestSchema = MeterWriteRequestSchema.partial();
export type MeterUpdateRequest = z.infer<typeof MeterUpdateRequestSchema>;

export const MetersQuerySchema = z.object({
  site_id: idListQuery(),
  q: textQuery(100),
  include_inactive: boolQuery(),
  status: textQuery(20),
});

// --- readings and consumption ---

/** Which point, over which window, in which buckets and zone: what every readings query asks (rows or a chart). */
export const readingWindowFields = {
  data_point: textQuery(100),
  from: isoQuery(),
  to: isoQuery(),
  bucket: enumQuery(READING_BUCKETS),
  agg: enumQuery(READING_AGGS),
  tz: tzQuery(),
};

const readingFilter = {
  site_id: idListQuery(),
  meter_id: idQuery(),
  ...readingWindowFields,
  format: enumQuery(['json', 'csv']),
};

/** GET /api/readings; `maxLimit` is the configured row cap of a CSV export. */
export const readingsQuerySchema = (maxLimit: number) => z.object({ ...readingFilter, limit: intQuery(1, maxLimit) });
export type ReadingsQuery = z.infer<ReturnType<typeof readingsQuerySchema>>;

export const ConsumptionQuerySchema = z.object({
  ...readingFilter,
  interval: enumQuery(CONSUMPTION_INTERVALS),
  gap_minutes: intQuery(1, 360),
});
export type ConsumptionQuery = z.infer<typeof ConsumptionQuerySchema>;
