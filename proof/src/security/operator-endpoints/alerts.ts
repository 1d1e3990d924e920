// Alerts, alert rules and the notification outbox. In the order the suite runs them (OPERATOR_ENDPOINTS): where one case prepares what a later one
// reads, the comments say so.
import { opsOf, type EndpointSpec } from '../endpoint-spec.js';
import { alertRule, RULE_TEXT, RULE_OPTIONAL } from '../request-bodies.js';

/** What creating or previewing an alert rule sends, and who may. */
const RULE_WRITE = {
  auth: 'operator',
  role: 'operator',
  body: alertRule,
  freeText: RULE_TEXT,
  optional: RULE_OPTIONAL,
  otherSite: 'refused',
} satisfies Partial<EndpointSpec>;

export const ALERT_ENDPOINTS: EndpointSpec[] = [
  {
    method: 'GET',
    path: '/api/alerts',
    auth: 'operator',
    query: (ctx) => `state=active&site_id=${ctx.siteA.id}&limit=50&include_pending=true`,
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'GET',
    path: '/api/alerts/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).alertId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/alerts/:id/acknowledge',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).alertId) }),
    body: () => ({ note: 'looked at by the bad-input suite' }),
    freeText: ['note'],
    optional: ['note'],
    otherSite: 'refused',
  },
  { method: 'GET', path: '/api/alert-rules', auth: 'operator', returnsData: true, otherSite: 'filtered' },
  {
    method: 'GET',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).ruleId) }),
    returnsData: true,
    otherSite: 'refused',
  },
  {
    method: 'POST',
    path: '/api/alert-rules/preview',
    ...RULE_WRITE,
  },
  {
    method: 'POST',
    path: '/api/alert-rules',
    ...RULE_WRITE,
    allSiteRule: true,
  },
  {
    method: 'PATCH',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).ruleId) }),
    body: alertRule,
    freeText: RULE_TEXT,
    // An edit sends only what changes.
    optional: ['kind', 'name', 'meter_id', 'data_point', 'condition', 'threshold', ...RULE_OPTIONAL],
    otherSite: 'refused',
    allSiteRule: true,
  },
  {
    method: 'DELETE',
    path: '/api/alert-rules/:id',
    auth: 'operator',
    role: 'operator',
    params: (ctx) => ({ id: String(opsOf(ctx).deletableRuleId) }),
    otherSite: 'refused',
    allSiteRule: true,
  },
  {
    method: 'GET',
    path: '/api/notifications',
    auth: 'operator',
    query: () => 'status=recorded&limit=20',
    returnsData: true,
    otherSite: 'filtered',
  },
];
