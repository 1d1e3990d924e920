// Foreign-device registration status, as the technician (local API), an assistant (get_sync_status
// through the SDK's own client) and the operators (the heartbeat the client API stored) see it:
// two agent processes registering with a BBMD over real UDP on loopback. Meters and the simulator's
// BBMD sit on "another subnet" (127.0.47.x); the agents on 127.0.46.x. One agent's BBMD answers
// (127.0.47.1), the other's address has nothing behind it (127.0.47.99).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase } from '@meterit/shared/testing';
import { toMetersJson, type Simulator } from '@meterit/simulator';
import type { HeartbeatRequest, MeterConfig } from '@meterit/shared';
import type { ForeignDeviceView, StatusResponse } from '@meterit/shared/site-contracts';
import {
  createSite,
  localApi,
  startAgentProcess,
  startClientSystem,
  startMetersBehindBbmd,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../../agent/test/helpers/system.js';

const AGENTS = '127.0.46';
const REMOTE = '127.0.47';
const BBMD = `${REMOTE}.1:47808`;
const NOWHERE = `${REMOTE}.99:47808`;
const TOKEN = `op-${randomBytes(16).toString('hex')}`;
const ADMIN = { email: 'admin@foreign-device.test', password: 'foreign-device-admin-password-1' };

let client: ClientSystem;
let sim: Simulator;
const sites: Record<'ok' | 'nowhere' | 'bare', { site_id: number; api_key: string }> = {} as never;
const agents: Partial<Record<'ok' | 'nowhere', AgentProcess>> = {};
const mcpClients: Client[] = [];

const status = async (a: AgentProcess): Promise<StatusResponse> => {
  const r = await localApi<StatusResponse>(a, 'GET', '/api/status');
  expect(r.status).toBe(200);
  return r.body;
};

async function syncStatusOverMcp(a: AgentProcess): Promise<{ text: string; foreign: ForeignDeviceView | null }> {
  const c = new Client({ name: 'foreign-device-test', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${a.localApiUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    }),
  );
  mcpClients.push(c);
  // Listed first, so the SDK client checks the result against the tool's outputSchema.
  const tools = (await c.listTools()).tools;
  expect(tools.find((t) => t.name === 'get_sync_status')?.outputSchema?.properties).toHaveProperty('foreign_device');
  const r = (await c.callTool({ name: 'get_sync_status', arguments: { sync_log_entries: 0 } })) as CallToolResult;
  expect(r.isError ?? false).toBe(false);
  const first = r.content[0];
  return {
    text: first?.type === 'text' ? first.text : '',
    foreign: (r.structuredContent as { foreign_device: ForeignDeviceView | null }).foreign_device,
  };
}

/** The heartbeat as the client API stored it for the site. */
const storedHeartbeat = async (siteId: number): Promise<HeartbeatRequest | null> =>
  (
    (await client.db('sites').where({ id: siteId }).first('last_heartbeat')) as {
      last_heartbeat: HeartbeatRequest | null;
    }
  ).last_heartbeat;

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'foreign_device_client');
  client = await startClientSystem(clientDb, undefined, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  sites.ok = await createSite(clientDb, 'Behind the BBMD');
  sites.nowhere = await createSite(clientDb, 'BBMD misconfigured');
  // No agent: heartbeats posted by the test alone.
  sites.bare = await createSite(clientDb, 'Hand-made heartbeats');
  sim = await startMetersBehindBbmd(`${REMOTE}.1`, [{ deviceId: 4711, name: 'Workshop', address: `${REMOTE}.11` }]);
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  const start = async (which: 'ok' | 'nowhere', host: number, bbmd: string) => {
    agents[which] = await startAgentProcess({
      clientUrl: client.url,
      apiKey: sites[which].api_key,
      databaseUrl: await createTestDatabase(pg, `foreign_device_site_${which}`),
      meters,
      bacnetInterface: `${AGENTS}.${host}`,
      env: {
        BACNET_BBMD_ADDRESS: bbmd,
        BACNET_BBMD_TTL_SECONDS: '60',
        BACNET_BROADCAST_ADDRESS: `${AGENTS}.255`,
        BACNET_LISTEN_BROADCAST: 'false',
        LOCAL_API_TOKEN: TOKEN,
      },
    });
  };
  await Promise.all([start('ok', 21, BBMD), start('nowhere', 22, NOWHERE)]);
});

afterAll(async () => {
  await Promise.allSettled(mcpClients.map((c) => c.close()));
  await Promise.allSettled(Object.values(agents).map((a) => a?.stop()));
  await sim?.stop();
  await client?.stop();
  await client?.db.destroy();
  await Promise.allSettled(Object.values(agents).map((a) => a?.db.destroy()));
});

describe('foreign-device registration status', () => {
  it('when the BBMD answers, then the status API, get_sync_status and the stored heartbeat say registered, with the last renewal', async () => {
    const agent = agents.ok!;
    await waitUntil(
      'the agent in the foreign device table',
      async () => sim.bbmd!.foreignDevices().find((e) => e.address === `${AGENTS}.21:47808`),
      15_000,
      100,
    );

    const s = await waitUntil('the status API to report the registration', async () => {
      const st = await status(agent);
      return st.foreign_device?.state === 'registered' ? st : null;
    });
    expect(s.foreign_device).toMatchObject({
      bbmd: BBMD,
      state: 'registered',
      registered: true,
      ttl_s: 60,
      last_error: null,
    });
    const renewedAt = Date.parse(s.foreign_device!.last_registered_at!);
    expect(renewedAt).toBeGreaterThan(Date.parse(s.agent.started_at) - 1000);
    expect(renewedAt).toBeLessThanOrEqual(Date.parse(s.now));
    expect(s.health.findings.map((f) => f.code)).not.toContain('BBMD_REGISTRATION_FAILING');

    const mcp = await syncStatusOverMcp(agent);
    expect(mcp.foreign).toMatchObject({ bbmd: BBMD, state: 'registered', registered: true, last_error: null });
    expect(mcp.foreign?.last_registered_at).not.toBeNull();
    expect(mcp.text).toContain(`Foreign-device registration with the BBMD at ${BBMD}: registered (last renewal`);

    const hb = await waitUntil('a heartbeat with the registration', async () => {
      const h = await storedHeartbeat(sites.ok.site_id);
      return h?.foreign_device?.registered ? h : null;
    });
    expect(hb.foreign_device).toEqual({
      bbmd: BBMD,
      registered: true,
      last_registered_at: expect.any(String),
      last_error: null,
    });
    expect(Date.parse(hb.foreign_device!.last_registered_at!)).toBeGreaterThan(Date.parse(s.agent.started_at) - 1000);
  });

  it('when nothing answers at the BBMD address, then all three say failing, with the error in words, and the site dashboard finding says what to do', async () => {
    const agent = agents.nowhere!;
    const s = await waitUntil('the status API to report the failure', async () => {
      const st = await status(agent);
      return st.foreign_device?.state === 'failing' ? st : null;
    });
    expect(s.foreign_device).toMatchObject({
      bbmd: NOWHERE,
      state: 'failing',
      registered: false,
      last_registered_at: null,
    });
    expect(s.foreign_device?.last_error).toContain(
      `the BBMD at ${NOWHERE} did not answer the foreign-device registration within 1000 ms`,
    );
    expect(s.foreign_device?.last_attempt_at).not.toBeNull();
    const finding = s.health.findings.find((f) => f.code === 'BBMD_REGISTRATION_FAILING');
    expect(finding?.message).toContain(`Registering as a BACnet foreign device with the BBMD at ${NOWHERE} fails`);
    expect(finding?.action).toContain('Check BACNET_BBMD_ADDRESS');

    const mcp = await syncStatusOverMcp(agent);
    expect(mcp.foreign).toMatchObject({ bbmd: NOWHERE, state: 'failing', registered: false, last_registered_at: null });
    expect(mcp.foreign?.last_error).toContain('did not answer the foreign-device registration');
    expect(mcp.text).toContain(
      `Foreign-device registration with the BBMD at ${NOWHERE}: failing (never registered): the BBMD at ${NOWHERE} did not answer`,
    );

    const hb = await waitUntil('a heartbeat with the failure', async () => {
      const h = await storedHeartbeat(sites.nowhere.site_id);
      return h?.foreign_device?.last_error ? h : null;
    });
    expect(hb.foreign_device).toMatchObject({ bbmd: NOWHERE, registered: false, last_registered_at: null });
    expect(hb.foreign_device?.last_error).toContain('did not answer the foreign-device registration');

    // The operators' site page shows the site's status reasons.
    const login = await fetch(`${client.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const res = await fetch(`${client.url}/api/sites/${sites.nowhere.site_id}/status`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(200);
    const site = (await res.json()) as { status: string; reasons: string[] };
    expect(site.status).toBe('degraded');
    expect(site.reasons.find((r) => r.includes('BBMD'))).toMatch(
      new RegExp(
        `^the agent's registration with the BBMD at ${NOWHERE.replace(/\./g, '\\.')} fails \\(the BBMD at .* did not answer .*\\): meters on that network cannot be discovered$`,
      ),
    );
  });

  it('when an agent sends a malformed foreign_device, then the client API answers 400 naming the field and stores nothing of it', async () => {
    const base: HeartbeatRequest = {
      agent_version: '0.1.0',
      agent_time: new Date().toISOString(),
      collecting: true,
      queue_depth: 0,
      oldest_unsent_at: null,
      dead_letters: 0,
      uplink_down_since: null,
      last_sync_at: null,
      meters: { configured: 1, ok: 1, failing: 0, never_answered: 0 },
    };
    const post = (foreign_device: unknown) =>
      fetch(`${client.url}/api/sync/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': sites.bare.api_key },
        body: JSON.stringify({ ...base, foreign_device }),
      });
    const cases: Array<[unknown, string]> = [
      ['yes', 'foreign_device must be an object or null, got the string "yes"'],
      [
        { bbmd: BBMD, registered: 'yes', last_registered_at: null, last_error: null },
        'foreign_device.registered must be a boolean',
      ],
      [
        { bbmd: BBMD, registered: true, last_registered_at: 'yesterday', last_error: null },
        'foreign_device.last_registered_at',
      ],
      [
        { bbmd: BBMD, registered: false, last_registered_at: null, last_error: 'bad\u0000' },
        'foreign_device.last_error contains a character that cannot be stored',
      ],
      [{ registered: false, last_registered_at: null, last_error: null }, 'foreign_device.bbmd is required'],
      [
        { bbmd: "'; DROP TABLE sites; --", registered: false, last_registered_at: null, last_error: null },
        "foreign_device.bbmd must be the BBMD's IPv4 address and UDP port",
      ],
    ];
    for (const [value, message] of cases) {
      const res = await post(value);
      expect(res.status, JSON.stringify(value)).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.message).toContain(message);
    }
    expect(await storedHeartbeat(sites.bare.site_id)).toBeNull();
    // null (no BBMD configured) and an absent field (older agents) are both accepted.
    expect((await post(null)).status).toBe(200);
    expect((await storedHeartbeat(sites.bare.site_id))?.foreign_device).toBeNull();
    expect((await post(undefined)).status).toBe(200);
    expect(await storedHeartbeat(sites.bare.site_id)).not.toHaveProperty('foreign_device');
  });
});
