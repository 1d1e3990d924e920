// Holiday calendars, tariffs and their versions, their assignment to sites and meters, and costs. In the order the
// suite runs them (OPERATOR_ENDPOINTS): the DELETE routes last, each on its own disposable target (tariff-fixtures.ts).
import { hoursAgo, opsOf, siteAParam, type Ctx, type EndpointSpec } from '../endpoint-spec.js';
import { tariffVersion } from '../tariff-fixtures.js';

const ids = (ctx: Ctx) => opsOf(ctx).tariffs;
/** Every admin write: lower roles and an operator limited to site B are refused. */
const ADMIN_WRITE = { auth: 'operator', role: 'admin', otherSite: 'refused' } satisfies Partial<EndpointSpec>;
/** The version fields that have defaults (0). */
const VERSION_OPTIONAL = ['demand_price_per_kw', 'day_fee', 'month_fee', 'export_price_per_kwh'];
const VERSION_TEXT = ['bands.0.name'];

export const TARIFF_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/api/holiday-calendars', auth: 'operator', returnsData: true, otherSite: 'filtered' },
  {
    method: 'POST',
    path: '/api/holiday-calendars',
    ...ADMIN_WRITE,
    body: () => ({ name: 'Holidays created by the bad-input suite', dates: ['2099-01-01', '2099-12-25'] }),
    freeText: ['name'],
  },
  {
    method: 'PATCH',
    path: '/api/holiday-calendars/:id',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).calendarId) }),
    body: () => ({ name: 'Calendar of the bad-input suite', dates: ['2098-12-25', '2098-12-26'] }),
    freeText: ['name'],
    optional: ['name', 'dates'],
  },
  { method: 'GET', path: '/api/tariffs', auth: 'operator', returnsData: true, otherSite: 'filtered' },
  {
    method: 'GET',
    path: '/api/tariffs/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(ids(ctx).tariffId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/tariffs',
    ...ADMIN_WRITE,
    body: (ctx) => ({
      name: 'Tariff created by the bad-input suite',
      currency: 'EUR',
      holiday_calendar_id: ids(ctx).calendarId,
      versions: [tariffVersion('2024-01-01')],
    }),
    freeText: ['name', ...VERSION_TEXT.map((t) => `versions.0.${t}`)],
    optional: ['holiday_calendar_id', ...VERSION_OPTIONAL.map((t) => `versions.0.${t}`)],
  },
  {
    method: 'PATCH',
    path: '/api/tariffs/:id',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).tariffId) }),
    body: () => ({ name: 'Tariff of the bad-input suite' }),
    freeText: ['name'],
  },
  // Appended after the fixture's latest version (2098-06-01); a repeat is out of order (409).
  {
    method: 'POST',
    path: '/api/tariffs/:id/versions',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).tariffId) }),
    body: () => tariffVersion('2099-01-01'),
    freeText: VERSION_TEXT,
    optional: VERSION_OPTIONAL,
  },
  {
    method: 'PUT',
    path: '/api/tariffs/:id/versions/:versionId',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).tariffId), versionId: String(ids(ctx).futureVersionId) }),
    body: () => tariffVersion('2098-01-01'),
    freeText: VERSION_TEXT,
    optional: VERSION_OPTIONAL,
  },
  {
    method: 'GET',
    path: '/api/sites/:id/tariffs',
    auth: 'operator',
    params: siteAParam,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/sites/:id/tariffs',
    ...ADMIN_WRITE,
    params: siteAParam,
    body: (ctx) => ({ tariff_id: ids(ctx).tariffId, valid_from: '2099-01-01', meter_id: opsOf(ctx).meterDbIdsA[0] }),
    // tariff_id null is valid: back to the site's tariff.
    optional: ['tariff_id', 'meter_id'],
  },
  {
    method: 'GET',
    path: '/api/costs',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${hoursAgo(48)}&to=${encodeURIComponent(ctx.now())}&period=month&intervals=false`,
    requiredQuery: ['site_id'],
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'DELETE',
    path: '/api/sites/:id/tariffs/:assignmentId',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ctx.siteA.id), assignmentId: String(ids(ctx).deletableAssignmentId) }),
  },
  {
    method: 'DELETE',
    path: '/api/tariffs/:id/versions/:versionId',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).tariffId), versionId: String(ids(ctx).deletableVersionId) }),
  },
  {
    method: 'DELETE',
    path: '/api/tariffs/:id',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).deletableTariffId) }),
  },
  {
    method: 'DELETE',
    path: '/api/holiday-calendars/:id',
    ...ADMIN_WRITE,
    params: (ctx) => ({ id: String(ids(ctx).deletableCalendarId) }),
  },
];
