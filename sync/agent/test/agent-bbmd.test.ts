// A running agent process with BACNET_BBMD_ADDRESS, against the simulator's BBMD over real UDP on
// loopback (127.0.15.40–.59). The meters hear no broadcast: only through the BBMD does the site
// MCP tool discover_devices find them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import { loadConfig } from '../src/config.js';
import {
  createSite,
  startAgentProcess,
  startClientSystem,
  startMetersBehindBbmd,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

const NET = '127.0.15';
const TOKEN = `op-${randomBytes(16).toString('hex')}`;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'agent_bbmd_client');
  const siteDb = await createTestDatabase(pg, 'agent_bbmd_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, 'Across the road');
  sim = await startMetersBehindBbmd(`${NET}.41`, [
    { deviceId: 1551, name: 'Workshop', address: `${NET}.51` },
    { deviceId: 1552, name: 'Warehouse', address: `${NET}.52` },
  ]);
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters.slice(0, 1)).meters as MeterConfig[],
    bacnetInterface: `${NET}.42`,
    env: { BACNET_BBMD_ADDRESS: `${NET}.41`, BACNET_BBMD_TTL_SECONDS: '60', LOCAL_API_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await client?.db.destroy();
});

describe('agent with a BBMD', () => {
  it('when the agent starts, then it registers with the BBMD, and discover_devices finds the meters through it at their own addresses', async () => {
    await waitUntil(
      'the agent in the foreign device table',
      async () => sim.bbmd!.foreignDevices().find((e) => e.address === `${NET}.42:47808` && e.ttlSeconds === 60),
      10_000,
      100,
    );

    const res = await fetch(`${agent.localApiUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'discover_devices', arguments: { timeout_ms: 500 } },
      }),
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as {
      result: {
        isError?: boolean;
        content: Array<{ text: string }>;
        structuredContent: {
          broadcast_address: string;
          devices: Array<{ device_id: number; address: string; configured_as: { meter: string } | null }>;
        };
      };
    };
    expect(result.isError ?? false).toBe(false);
    expect(
      result.structuredContent.devices.map((d) => [d.device_id, d.address, d.configured_as?.meter ?? null]),
    ).toEqual([
      [1551, `${NET}.51`, 'meter-1551'],
      [1552, `${NET}.52`, null],
    ]);
    expect(result.content[0]?.text).toContain(
      `2 BACnet devices answered on ${NET}.41:47808 (through the BBMD, as a foreign device)`,
    );
    expect(
      sim
        .bbmd!.forwarded()
        .filter((f) => f.direction === 'to-network')
        .map((f) => f.originator),
    ).toEqual([`${NET}.42:47808`]);
  });
});

describe('agent configuration of the BBMD', () => {
  const base = { CLIENT_API_URL: 'https://meterit.example.com/api', CLIENT_API_KEY: 'k'.repeat(24) };

  it('when BACNET_BBMD_ADDRESS has no port, then 47808 is used, and the TTL defaults to 300 s', () => {
    expect(loadConfig({ ...base, BACNET_BBMD_ADDRESS: '192.168.10.1' })).toMatchObject({
      BACNET_BBMD_ADDRESS: '192.168.10.1:47808',
      BACNET_BBMD_TTL_SECONDS: 300,
    });
    expect(loadConfig(base).BACNET_BBMD_ADDRESS).toBeUndefined();
  });

  it('when the BBMD address or TTL is wrong, then the agent refuses to start naming both', () => {
    expect(() =>
      loadConfig({ ...base, BACNET_BBMD_ADDRESS: 'bbmd.local:99999', BACNET_BBMD_TTL_SECONDS: '5' }),
    ).toThrow(
      /BACNET_BBMD_ADDRESS: "bbmd.local:99999" is not a BBMD address: give its IPv4 address[\s\S]*BACNET_BBMD_TTL_SECONDS: must be at least 10 seconds/,
    );
  });
});
