// What the operator routes need on the client API beyond sites A and B: users of each role, disposable targets,
// an alert and a commissioning report.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createSite, sleep, waitUntil } from '../harness/processes.js';
import { call, logIn, newUser } from './api-calls.js';
import type { Ctx, OperatorIds } from './endpoint-spec.js';
import type { Creds } from './hostile-case.js';
import { commissioningReport } from './request-bodies.js';
import { tariffFixtures } from './tariff-fixtures.js';

/**
 * What the operator routes of ENDPOINTS need beyond sites A and B: site A's meters by database id, users
 * of each role (and one limited to site B), and disposable targets for the routes that edit, rotate,
 * revoke or end something (a spare meter, site, user, MCP token, rule, refresh tokens), so that every
 * other case keeps working credentials and data. Also an alert and a commissioning report of site A.
 */
export async function operatorFixtures(
  base: string,
  databaseUrl: string,
  ctx: Ctx,
  admin: string,
  tag: string,
): Promise<{ ops: OperatorIds; bearers: NonNullable<Creds['bearers']> }> {
  const api = (method: string, p: string, body?: unknown) => call(base, method, p, { token: admin, body });
  const meters = (await api('GET', `/api/meters?site_id=${ctx.siteA.id}`)).meters as Array<{
    id: number;
    external_id: string;
  }>;
  const meterDbIdsA = ctx.siteA.meterIds.map((ext) => {
    const m = meters.find((x) => x.external_id === ext);
    if (!m) throw new Error(`site A's meter ${ext} is not in GET /api/meters`);
    return m.id;
  });
  const spareExternalId = `secA-${tag}-spare-meter`;
  const spare = (await api('POST', `/api/sites/${ctx.siteA.id}/meters`, {
    external_id: spareExternalId,
    name: `Meter ${spareExternalId}`,
    bacnet_device_id: 109,
    bacnet_ip: '192.168.1.10',
    data_points: [{ object_type: 'analogInput', instance: 0, name: 'total_kwh' }],
  })) as { meter: { id: number } };
  const spareSite = await createSite(databaseUrl, `Spare site ${tag}`);
  const edited = (await api('POST', '/api/users', {
    email: 'sec-edited@proof.example',
    role: 'operator',
    site_ids: [ctx.siteA.id],
  })) as { user: { id: number } };
  const viewer = await newUser(base, admin, 'sec-viewer@proof.example', 'viewer', null);
  const operator = await newUser(base, admin, 'sec-operator@proof.example', 'operator', null);
  const limitedToB = await newUser(base, admin, 'sec-limited-b@proof.example', 'operator', [ctx.siteB.id]);
  const throwaway = await newUser(base, admin, 'sec-throwaway@proof.example', 'viewer', null);
  const mcpToken = (await api('POST', '/api/auth/tokens', {
    name: 'revoked by the bad-input suite',
    expires_in_days: 1,
  })) as { id: number };
  const report = (await call(base, 'POST', '/api/sync/commissioning', {
    key: ctx.siteA.key,
    body: commissioningReport(ctx),
  })) as { report_id: number };

  const alerts = await alertFixtures(api, ctx, meterDbIdsA);
  await outboxMails(base, admin, ctx);

  return {
    ops: {
      meterDbIdsA,
      spareMeter: { id: spare.meter.id, externalId: spareExternalId },
      // mk_<16 hex prefix>_<secret>
      spareSite: { id: spareSite.site_id, keyPrefix: spareSite.api_key.split('_')[1]! },
      userId: edited.user.id,
      ...alerts,
      reportId: report.report_id,
      mcpTokenId: mcpToken.id,
      refreshToken: (await logIn(base, throwaway.email, throwaway.password)).refresh_token,
      logoutToken: (await logIn(base, throwaway.email, throwaway.password)).refresh_token,
      throwawayPassword: throwaway.password,
      tariffs: await tariffFixtures(base, admin, ctx, meterDbIdsA),
    },
    bearers: {
      viewer: viewer.access,
      operator: operator.access,
      limitedToB: limitedToB.access,
      throwaway: throwaway.access,
    },
  };
}

type Api = (method: string, p: string, body?: unknown) => Promise<Record<string, unknown>>;

/**
 * The alert fixtures: the built-in rules off, one alert of site A (fired, then its rule disabled), and the rules
 * that only the routes editing or deleting a rule touch.
 */
async function alertFixtures(
  api: Api,
  ctx: Ctx,
  meterDbIdsA: number[],
): Promise<Pick<OperatorIds, 'alertId' | 'ruleId' | 'allSiteRuleId' | 'deletableRuleId'>> {
  // The built-in rules watch heartbeats, silence and error rates, all of which hostile requests stir up: they
  // would fire at any moment and add rows while a rejected request is being checked. Off for this run.
  const rules = (await api('GET', '/api/alert-rules')).rules as Array<{
    id: number;
    builtin: boolean;
    enabled: boolean;
  }>;
  for (const r of rules.filter((x) => x.builtin && x.enabled))
    await api('PATCH', `/api/alert-rules/${r.id}`, { enabled: false });
  // One alert of site A: a rule that fires at once on its first meter, disabled once it has (its alert stays open, unchanged).
  const fires = (await api('POST', '/api/alert-rules', {
    kind: 'threshold',
    name: `Any energy on ${ctx.siteA.meterIds[0]}`,
    meter_id: meterDbIdsA[0],
    data_point: 'total_kwh',
    condition: 'above',
    threshold: 0,
  })) as { rule: { id: number } };
  const alertId = await waitUntil(
    'the fixture alert to fire and its notification to be written',
    async () => {
      const [a] = (await api('GET', `/api/alerts?state=firing&rule_id=${fires.rule.id}`)).alerts as Array<{
        id: number;
      }>;
      if (!a) return undefined;
      const events = (await api('GET', `/api/alerts/${a.id}`)).events as Array<{ type: string }>;
      return events.some((e) => e.type === 'notified' || e.type === 'notification-suppressed') ? a.id : undefined;
    },
    30_000,
  );
  await api('PATCH', `/api/alert-rules/${fires.rule.id}`, { enabled: false });
  // An evaluation that read the rules before the edit may still be writing.
  await sleep(1500);
  // Disabled, with a threshold no meter reaches: these never fire while the suite counts rows.
  const quietRule = async (name: string) =>
    (
      (await api('POST', '/api/alert-rules', {
        kind: 'threshold',
        name,
        enabled: false,
        meter_id: meterDbIdsA[0],
        data_point: 'total_kwh',
        condition: 'above',
        threshold: 1e12,
      })) as { rule: { id: number } }
    ).rule.id;
  const ruleId = await quietRule('Edited by the bad-input suite');
  const deletableRuleId = await quietRule('Deleted by the bad-input suite');
  return {
    alertId,
    ruleId,
    allSiteRuleId: rules.find((x) => x.builtin)!.id,
    deletableRuleId,
  };
}

/** E-mails in the outbox about site A. */
async function outboxMails(base: string, admin: string, ctx: Ctx): Promise<void> {
  // E-mails about site A in the outbox, sent through the MCP tool (the only way to send one): one by the admin (it
  // concerns every site) and one by an operator of site A. An operator limited to site B must see neither.
  const operatorA = await newUser(base, admin, 'sec-operator-a@proof.example', 'operator', [ctx.siteA.id]);
  for (const [jwt, who] of [
    [admin, 'the admin'],
    [operatorA.access, 'an operator of site A'],
  ] as const) {
    await sendEmailByMcp(base, jwt, {
      to: ['site-a-team@proof.example'],
      subject: `Report of ${ctx.siteA.name} by ${who}`,
      body: `${ctx.siteA.name}: meters ${ctx.siteA.meterIds.join(', ')}`,
    });
  }
}

/** An e-mail through the client MCP server's send_alert_email, as `jwt`'s user (an MCP token of theirs, tools listed first). */
async function sendEmailByMcp(
  base: string,
  jwt: string,
  mail: { to: string[]; subject: string; body: string },
): Promise<void> {
  const token = (await call(base, 'POST', '/api/auth/tokens', {
    token: jwt,
    body: { name: 'fixture e-mail', expires_in_days: 1 },
  })) as { token: string };
  const c = new Client({ name: 'meterit-bad-input-fixtures', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token.token}` } },
    }),
  );
  try {
    await c.listTools();
    const r = (await c.callTool({ name: 'send_alert_email', arguments: mail })) as CallToolResult;
    if (r.isError) throw new Error(`send_alert_email: ${JSON.stringify(r.content)}`);
  } finally {
    await c.close();
  }
}
