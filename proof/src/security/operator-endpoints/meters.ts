// Meters, readings, consumption, energy and chart series. In the order the suite runs them (OPERATOR_ENDPOINTS): where one case prepares what a later one
// reads, the comments say so.
import { hoursAgo, opsOf, type EndpointSpec } from '../endpoint-spec.js';
import { meterWrite, METER_WRITE_TEXT } from '../request-bodies.js';

export const METER_ENDPOINTS: EndpointSpec[] = [
  {
    method: 'GET',
    path: '/api/meters',
    auth: 'operator',
    query: (ctx) => `site_id=${ctx.siteA.id}`,
    returnsData: true,
    otherSite: 'filtered',
  },
  {
    method: 'GET',
    path: '/api/meters/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).meterDbIdsA[0]) }),
    returnsData: true,
    otherSite: 'refused',
  },
  // The spare meter: renaming site A's first meter would break every case that names it.
  {
    method: 'PATCH',
    path: '/api/meters/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).spareMeter.id) }),
    body: (ctx) => meterWrite(opsOf(ctx).spareMeter.externalId),
    freeText: METER_WRITE_TEXT,
    optional: [
      'external_id',
      'name',
      'bacnet_device_id',
      'bacnet_ip',
      'bacnet_port',
      'is_active',
      'data_points',
      'data_points.0.property',
      'data_points.0.unit',
    ],
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/readings',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(ctx.now())}`,
    returnsData: true,
    otherSite: 'filtered',
  },
  {
    method: 'GET',
    path: '/api/consumption',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${hoursAgo(48)}&to=${encodeURIComponent(ctx.now())}&interval=1h&data_point=total_kwh&tz=UTC`,
    freeQuery: ['data_point'],
    returnsData: true,
    otherSite: 'filtered',
  },
  {
    method: 'GET',
    path: '/api/energy',
    auth: 'operator',
    query: (ctx) =>
      `site_id=${ctx.siteA.id}&from=${hoursAgo(24 * 14)}&to=${encodeURIComponent(ctx.now())}&interval=week&compare=previous&group=site&tz=UTC`,
    returnsData: true,
    otherSite: 'filtered',
  },
  // One site's period against the one before and last year's; another site is a 404 like /api/costs.
  {
    method: 'GET',
    path: '/api/energy/compare',
    auth: 'operator',
    query: (ctx) => `site_id=${ctx.siteA.id}&period=day&at=${encodeURIComponent(ctx.now())}`,
    requiredQuery: ['site_id'],
    returnsData: true,
    otherSite: 'refused',
  },
  // One meter's chart series; another site's meter is a 404 like /api/meters/:id.
  {
    method: 'GET',
    path: '/api/readings/chart',
    auth: 'operator',
    query: (ctx) =>
      `meter_id=${opsOf(ctx).meterDbIdsA[0]}&data_point=total_kwh&from=${hoursAgo(6)}&to=${encodeURIComponent(ctx.now())}&bucket=15m&agg=avg&tz=UTC`,
    freeQuery: ['data_point'],
    requiredQuery: ['meter_id'],
    returnsData: true,
    otherSite: 'refused',
  },
];
