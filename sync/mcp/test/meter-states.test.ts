import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MetersResponse, StatusResponse } from '@meterit/shared/site-contracts';
import {
  createSite,
  localApi,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../../agent/test/helpers/system.js';

// A meter whose address answers as another device, and a meter with one point that fails on every
// poll, as the local API and get_meter_status (the SDK's own client, tools listed first) show them.
// A real agent process, the simulator over real UDP, a real client API. Loopback 127.0.44.3x.
const NET = '127.0.44';
const OPERATOR = `op-${randomBytes(16).toString('hex')}`;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let mcp: Client;

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'meter_states_client');
  const siteDb = await createTestDatabase(pg, 'meter_states_site');
  client = await startClientSystem(clientDb);
  const site = await createSite(clientDb, 'Meter states site');
  sim = await startSimulator({
    listenBroadcast: false,
    seed: 31,
    meters: [
      { deviceId: 4431, name: 'Right one', address: `${NET}.31`, externalId: 'OK-1' },
      { deviceId: 100012, name: 'Someone else', address: `${NET}.32`, externalId: 'WRONG-1' },
      { deviceId: 4433, name: 'One bad point', address: `${NET}.33`, externalId: 'DEGRADED-1' },
    ],
  });
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  const wrong = meters.find((m) => m.id === 'WRONG-1')!;
  wrong.bacnet_device_id = 100099;
  const degraded = meters.find((m) => m.id === 'DEGRADED-1')!;
  degraded.data_points.push({ object_type: 'analogInput', instance: 9, property: 'presentValue', name: 'ghost_kw' });
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters,
    bacnetInterface: `${NET}.30`,
    env: { LOCAL_API_TOKEN: OPERATOR, COLLECTION_INTERVAL_SECONDS: '1', SYNC_INTERVAL_MINUTES: '30' },
  });
  await waitUntil(
    'every meter to have been polled twice',
    async () => {
      const rows = await agent.db('meter_status').select('meter_external_id', 'state', 'point_status');
      return (
        rows.length === 3 &&
        rows.some(
          (r) =>
            r.state === 'degraded' &&
            (r.point_status as Array<{ consecutive_failures: number }>).some((p) => p.consecutive_failures >= 2),
        )
      );
    },
    60_000,
  );
  mcp = new Client({ name: 'meter-states-test', version: '1.0.0' });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${agent.localApiUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${OPERATOR}` } },
    }),
  );
});

afterAll(async () => {
  await mcp?.close();
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe('which meter answers and which points fail', () => {
  it('when one meter address answers as another device and one point fails on every poll, then the local API says wrong device with both ids and degraded with the point error, never "All good"', async () => {
    const meters = (await localApi<MetersResponse>(agent, 'GET', '/api/meters')).body.meters;
    const wrong = meters.find((m) => m.id === 'WRONG-1')!;
    expect(wrong).toMatchObject({
      state: 'wrong_device',
      device_check: { expected_device_id: 100099, found_device_id: 100012 },
    });
    expect(wrong.state_text).toContain('configured 100099, device 100012 answers');
    expect(wrong.last_error?.plain).toMatch(/Another BACnet device answers at this meter's address/);
    expect(wrong.points.every((p) => p.value === null)).toBe(true);

    const degraded = meters.find((m) => m.id === 'DEGRADED-1')!;
    expect(degraded).toMatchObject({ state: 'degraded', points_failing: 1 });
    const ghost = degraded.points.find((p) => p.name === 'ghost_kw')!;
    expect(ghost.error).toMatchObject({ code: 'METER_ERROR' });
    expect(ghost.error?.message).toMatch(/UNKNOWN_OBJECT/);
    expect(ghost.error?.consecutive_failures).toBeGreaterThanOrEqual(2);
    expect(degraded.points.find((p) => p.name === 'voltage')).toMatchObject({ error: null, unit: 'V' });
    expect(meters.find((m) => m.id === 'OK-1')).toMatchObject({ state: 'ok', points_failing: 0, device_check: null });

    const status = (await localApi<StatusResponse>(agent, 'GET', '/api/status')).body;
    expect(status.meters).toMatchObject({ configured: 3, wrong_device: 1, degraded: 1 });
    expect(status.health.level).toBe('problem');
    expect(status.health.summary).not.toMatch(/All good/);
    expect(status.health.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['METERS_WRONG_DEVICE', 'METERS_DEGRADED']),
    );
    // Nothing was stored under the wrong meter.
    expect(await agent.db('meter_readings').where({ meter_external_id: 'WRONG-1' }).select()).toHaveLength(0);
  });

  it('when an assistant asks get_meter_status, then it answers the same, validated against the declared output schema', async () => {
    // Listing the tools first makes the SDK client check each result against the tool's outputSchema.
    const tools = (await mcp.listTools()).tools;
    expect(tools.map((t) => t.name)).toContain('get_meter_status');
    const r = (await mcp.callTool({ name: 'get_meter_status', arguments: {} })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as {
      counts: Record<string, number>;
      meters: Array<{
        id: string;
        state: string;
        device_check: unknown;
        points: Array<{ name: string; error: { code: string; message: string } | null }>;
      }>;
    };
    expect(s.counts).toMatchObject({ configured: 3, ok: 1, degraded: 1, wrong_device: 1 });
    expect(s.meters.find((m) => m.id === 'WRONG-1')).toMatchObject({
      state: 'wrong_device',
      device_check: { expected_device_id: 100099, found_device_id: 100012 },
    });
    const ghost = s.meters.find((m) => m.id === 'DEGRADED-1')?.points.find((p) => p.name === 'ghost_kw');
    expect(ghost?.error?.message).toMatch(/UNKNOWN_OBJECT/);
    const text = r.content[0]?.type === 'text' ? r.content[0].text : '';
    expect(text).toContain('1 degraded, 1 wrong device');
    expect(text).toMatch(/WRONG-1 .*wrong_device.*configured 100099, device 100012 answers/);
    expect(text).toMatch(/Point ghost_kw fails \(\d+ polls, METER_ERROR\)/);

    const only = (await mcp.callTool({
      name: 'get_meter_status',
      arguments: { state: 'wrong_device' },
    })) as CallToolResult;
    expect((only.structuredContent as { meters: Array<{ id: string }> }).meters.map((m) => m.id)).toEqual(['WRONG-1']);
  });
});
