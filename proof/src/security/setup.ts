// The systems the bad-input suite attacks: a client API with two sites (and operators when the build has a login),
// and a site with a simulator and two agents.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, startTestPostgres, type TestPostgres } from '@meterit/shared/testing';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import {
  alive,
  createSite,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../harness/processes.js';
import type { Ctx } from './endpoint-spec.js';
import type { Creds } from './hostile-case.js';
import { operatorFixtures } from './operator-fixtures.js';
import type { Snapshot } from './run.js';

export interface SecurityTarget {
  pg: TestPostgres;
  client: ClientSystem;
  ctx: Ctx;
  creds: Creds;
  alive(): boolean;
  close(): Promise<void>;
}

/** A real client API process on its own database, two sites with meters and readings, and an operator login when the build has one. */
export async function startSecurityTarget(): Promise<SecurityTarget> {
  const pg = await startTestPostgres();
  try {
    const url = await createTestDatabase(pg, 'proof_security');
    const jwtSecret = randomBytes(32).toString('hex');
    const login = { email: 'admin@proof.example', password: `Pw-${randomBytes(12).toString('base64url')}` };
    const client = await startClientSystem(url, {
      env: {
        JWT_SECRET: jwtSecret,
        ADMIN_EMAIL: login.email,
        ADMIN_PASSWORD: login.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
        // Hundreds of hostile uploads: the 20 a minute a real installer needs would answer most of them 429 before validation.
        COMMISSIONING_RATE_LIMIT_PER_MINUTE: '1000000',
        // So that the fixture alert fires within a second (operatorFixtures); nothing else fires during the run.
        ALERT_EVAL_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
    });
    const tag = randomBytes(4).toString('hex');
    const a = await createSite(url, `Site A ${tag}`);
    const b = await createSite(url, `Site B ${tag}`);
    const meterIds = (site: string) => [0, 1, 2].map((i) => `${site}-${tag}-meter-${i}`);
    const ctx: Ctx = {
      siteA: { id: a.site_id, key: a.api_key, meterIds: meterIds('secA'), name: a.site_name },
      siteB: { id: b.site_id, key: b.api_key, meterIds: meterIds('secB'), name: b.site_name },
      now: () => new Date().toISOString(),
      login,
    };
    await seedSite(client.url, ctx.siteA, a.api_key);
    await seedSite(client.url, ctx.siteB, b.api_key);
    const bearer = await operatorLogin(client.url, login);
    const creds: Creds = {
      siteKey: (w) => (w === 'A' ? a.api_key : b.api_key),
      jwtSecret,
      ...(bearer ? { bearer } : {}),
    };
    if (bearer) {
      const f = await operatorFixtures(client.url, url, ctx, bearer, tag);
      ctx.ops = f.ops;
      ctx.siteA.marks = [f.ops.spareMeter.externalId];
      creds.bearers = f.bearers;
    }
    return {
      pg,
      client,
      ctx,
      creds,
      alive: () => alive(client.proc),
      async close() {
        await client.stop();
        await client.db.destroy();
        await pg.stop();
      },
    };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}

/** A site's meters registered and one reading of each stored, through the sync API with the site's key. */
async function seedSite(base: string, site: Ctx['siteA'], key: string): Promise<void> {
  const meters = site.meterIds.map((id, i) => ({
    id,
    name: `Meter ${id}`,
    bacnet_device_id: 100 + i,
    bacnet_ip: '192.168.1.10',
    data_points: [{ object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh' }],
  }));
  const headers = { 'x-api-key': key, 'content-type': 'application/json' };
  const reg = await fetch(`${base}/api/sync/meters`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ meters }),
  });
  if (!reg.ok) throw new Error(`register meters: ${reg.status} ${await reg.text()}`);
  const readings = site.meterIds.map((id, i) => ({
    meter_external_id: id,
    data_point: 'total_kwh',
    timestamp: new Date(Date.now() - 60_000 * (i + 1)).toISOString(),
    value: 10 + i,
    unit: 'kWh',
    quality: 'good',
  }));
  const batch = await fetch(`${base}/api/sync/readings/batch`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ readings }),
  });
  if (!batch.ok) throw new Error(`seed readings: ${batch.status} ${await batch.text()}`);
}

/** The operator login's access token, when the build has one. */
async function operatorLogin(base: string, login: { email: string; password: string }): Promise<string | undefined> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  }).catch(() => null);
  if (!res?.ok) return undefined;
  const body = (await res.json()) as Record<string, unknown>;
  const token = body.access_token ?? body.accessToken ?? body.token;
  return typeof token === 'string' ? token : undefined;
}

/** The site side: a real simulator, a real agent (control and viewer tokens) and one without LOCAL_API_TOKEN, both on a site of their own. */
export interface SiteTarget {
  sim: Simulator;
  agent: AgentProcess & { localApiUrl: string };
  /** An agent without LOCAL_API_TOKEN: control actions and MCP must be switched off, clearly. */
  bare: AgentProcess & { localApiUrl: string };
  ctx: Ctx;
  creds: Creds;
  viewerToken: string;
  /** What a refused control request must not change: collection state and dead letters. */
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

// Loopback block 127.0.18.x belongs to the bad-input suite.
export const SECURITY_NET = '127.0.18';

export async function startSiteTarget(t: SecurityTarget): Promise<SiteTarget> {
  const cleanup: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({
      meters: [0, 1].map((i) => ({
        deviceId: 18_100 + i,
        name: `Security meter ${i}`,
        address: `${SECURITY_NET}.${11 + i}`,
        port: 47808,
      })),
      listenBroadcast: false,
      seed: 18,
    });
    cleanup.push(() => sim.stop());
    const meters = toMetersJson(sim.meters).meters as MeterConfig[];
    // A site of its own: site A's meters (registered by the client API suite, at made-up addresses) must not be polled.
    const own = await createSite(t.client.databaseUrl, `Site C ${randomBytes(4).toString('hex')}`);
    const controlToken = `ctl-${randomBytes(18).toString('base64url')}`;
    const viewerToken = `view-${randomBytes(18).toString('base64url')}`;
    const start = async (name: string, iface: string, env: Record<string, string>) => {
      const a = await startAgentProcess({
        clientUrl: t.client.url,
        apiKey: own.api_key,
        databaseUrl: await createTestDatabase(t.pg, name),
        meters,
        bacnetInterface: iface,
        localApi: true,
        // Only the first run at start and the sync actions send: dead letters and the backlog change only when asked.
        env: { MAX_RETRIES: '0', SYNC_INTERVAL_MINUTES: '30', ...env },
      });
      cleanup.push(async () => {
        await a.stop();
        await a.db.destroy();
      });
      return a as AgentProcess & { localApiUrl: string };
    };
    const agent = await start('proof_security_site', `${SECURITY_NET}.1`, {
      LOCAL_API_TOKEN: controlToken,
      LOCAL_API_VIEWER_TOKEN: viewerToken,
    });
    const bare = await start('proof_security_site_bare', `${SECURITY_NET}.2`, {});
    const deadLetterIds = await deadLetterFixture(agent, controlToken);
    await waitUntil(
      'readings in the site queue',
      async () => Number((await agent.db('meter_readings').count<{ n: number }[]>('* as n'))[0]?.n ?? 0) > 4,
      30_000,
    );
    const endedSession = await endedDashboardSession(agent.localApiUrl, controlToken);
    const ctx: Ctx = {
      ...t.ctx,
      siteA: { id: own.site_id, key: own.api_key, meterIds: sim.meters.map((m) => m.externalId) },
      controlToken,
      deadLetterIds,
    };
    const creds: Creds = {
      ...t.creds,
      siteKey: (w) => (w === 'A' ? own.api_key : t.creds.siteKey('B')),
      controlToken,
      endedSession,
    };
    return {
      sim,
      agent,
      bare,
      ctx,
      creds,
      viewerToken,
      async snapshot() {
        const status = (await (await fetch(`${agent.localApiUrl}/api/status`)).json()) as {
          collection: { collecting: boolean; changed_at: string | null; reason: string | null };
        };
        const dead = Number((await agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
        const c = status.collection;
        return new Map<string, number | string>([
          ['collection', `${c.collecting} ${c.changed_at} ${c.reason}`],
          ['dead letters', dead],
        ]);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A reading the client system refuses (unknown meter), sent at once: the agent's dead letters, for the retry action. */
async function deadLetterFixture(
  agent: AgentProcess & { localApiUrl: string },
  controlToken: string,
): Promise<number[]> {
  await agent.db('meter_readings').insert({
    meter_external_id: 'GHOST-18',
    data_point: 'total_kwh',
    ts: new Date(Date.now() - 60_000),
    value: 1.5,
    unit: 'kWh',
    quality: 'good',
  });
  const sync = await fetch(`${agent.localApiUrl}/api/control/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${controlToken}` },
  });
  if (!sync.ok) throw new Error(`sync now: ${sync.status} ${await sync.text()}`);
  await waitUntil(
    'a dead letter on the agent',
    async () => Number((await agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0) > 0,
    30_000,
  );
  const deadLetterIds = (await agent.db('dead_letters').pluck('id')).map(Number);
  return deadLetterIds;
}

/** A dashboard session, logged out: it must no longer open anything. */
async function endedDashboardSession(localApiUrl: string, controlToken: string): Promise<string> {
  const login = await fetch(`${localApiUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: controlToken }),
  });
  const { session_token: endedSession } = (await login.json()) as { session_token: string };
  await fetch(`${localApiUrl}/api/session`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${endedSession}` },
  });
  return endedSession;
}
