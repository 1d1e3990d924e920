import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertRulesResponseSchema,
  AlertsResponseSchema,
  ConnectivityResponseSchema,
  ConsumptionResponseSchema,
  CreatedMcpTokenSchema,
  CreateSiteResponseSchema,
  McpTokensResponseSchema,
  MetersResponseSchema,
  NotificationsResponseSchema,
  ReadingsResponseSchema,
  SitesResponseSchema,
  SiteStatusSchema,
  TokenResponseSchema,
} from '@meterit/shared';
import type { RunningClientApi } from '../src/index.js';
import { UsersService } from '../src/components/users/users-service.js';
import { meter, reading, startTestApi } from './helpers.js';
import { ADMIN, as, login, registerAndSend } from './operator-helpers.js';

// The operator answers are described once, in @meterit/shared (the web app and the MCP server read those types):
// what the API sends must parse with those schemas.
let api: RunningClientApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  await new UsersService(api.db.knex).create({ email: ADMIN.email, role: 'admin', password: ADMIN.password });
  const session = await login(api, ADMIN.email, ADMIN.password);
  expect(TokenResponseSchema.safeParse(session).success).toBe(true);
  admin = session.access_token;
});
afterAll(async () => {
  await api?.close();
});

const parses = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, json: unknown) => {
  const r = schema.safeParse(json);
  expect(r.success, JSON.stringify(r.error)).toBe(true);
};

describe('when an operator reads a site with readings', () => {
  it('then every answer parses with its schema from @meterit/shared', async () => {
    const created = await as(api, admin, 'POST', '/api/sites', { name: 'Contract site', location: 'Hall 1' });
    expect(created.status).toBe(201);
    parses(CreateSiteResponseSchema, created.json);
    const siteId = created.json.site_id as number;
    const key = created.json.api_key as string;
    const now = Date.now();
    await registerAndSend(
      api,
      key,
      [meter('m-1')],
      Array.from({ length: 10 }, (_, i) =>
        reading({
          meter_external_id: 'm-1',
          timestamp: new Date(now - (10 - i) * 60_000).toISOString(),
          value: 100 + i,
        }),
      ),
    );

    parses(SitesResponseSchema, (await as(api, admin, 'GET', '/api/sites')).json);
    parses(SiteStatusSchema, (await as(api, admin, 'GET', `/api/sites/${siteId}/status`)).json);
    parses(ConnectivityResponseSchema, (await as(api, admin, 'GET', `/api/sites/${siteId}/connectivity`)).json);
    const meters = (await as(api, admin, 'GET', `/api/meters?site_id=${siteId}`)).json;
    parses(MetersResponseSchema, meters);
    expect(meters.meters).toHaveLength(1);
    parses(ReadingsResponseSchema, (await as(api, admin, 'GET', `/api/readings?site_id=${siteId}`)).json);
    parses(
      ReadingsResponseSchema,
      (await as(api, admin, 'GET', `/api/readings?site_id=${siteId}&bucket=1h&agg=max`)).json,
    );
    parses(ConsumptionResponseSchema, (await as(api, admin, 'GET', `/api/consumption?site_id=${siteId}`)).json);
    parses(AlertsResponseSchema, (await as(api, admin, 'GET', '/api/alerts')).json);
    parses(AlertRulesResponseSchema, (await as(api, admin, 'GET', '/api/alert-rules')).json);
    parses(NotificationsResponseSchema, (await as(api, admin, 'GET', '/api/notifications')).json);
    const token = await as(api, admin, 'POST', '/api/auth/tokens', { name: 'Contract laptop', expires_in_days: 7 });
    expect(token.status).toBe(201);
    parses(CreatedMcpTokenSchema, token.json);
    parses(McpTokensResponseSchema, (await as(api, admin, 'GET', '/api/auth/tokens')).json);
  });
});
