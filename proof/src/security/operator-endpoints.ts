// The client API's operator endpoints (JWT), present only in builds that have them, one file per area in
// operator-endpoints/. Their order matters where one case prepares what a later one reads (the comments say where);
// a new operator route goes into its area's list.
import type { EndpointSpec } from './endpoint-spec.js';
import { ACCOUNT_ENDPOINTS } from './operator-endpoints/account.js';
import { ALERT_ENDPOINTS } from './operator-endpoints/alerts.js';
import { METER_ENDPOINTS } from './operator-endpoints/meters.js';
import { SITE_ENDPOINTS } from './operator-endpoints/sites.js';
import { TARIFF_ENDPOINTS } from './operator-endpoints/tariffs.js';
import { USER_ENDPOINTS } from './operator-endpoints/users.js';

export const OPERATOR_ENDPOINTS: EndpointSpec[] = [
  ...SITE_ENDPOINTS,
  ...METER_ENDPOINTS,
  ...USER_ENDPOINTS,
  ...ALERT_ENDPOINTS,
  ...TARIFF_ENDPOINTS,
  ...ACCOUNT_ENDPOINTS,
];
