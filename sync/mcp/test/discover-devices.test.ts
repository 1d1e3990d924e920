import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestDatabase } from '@meterit/shared/testing';
import { startSimulator, type Simulator } from '@meterit/simulator';
import { startAgentProcess, waitUntil, type AgentProcess } from '../../agent/test/helpers/system.js';

// discover_devices under a crowd of callers: the SDK's own client (tools listed first, so every
// result is checked against the tool's output schema) against the real agent process and the
// simulator over real UDP. Loopback range 127.0.41.x belongs to this file.
const NET = '127.0.41';
const OPERATOR = `op-${randomBytes(16).toString('hex')}`;
const VIEWER = `view-${randomBytes(16).toString('hex')}`;
const DEVICES = [41101, 41102, 41103] as const;
const PER_HOUR = 4;

let agent: AgentProcess;
let sim: Simulator;
const open: Client[] = [];

/** A client that has listed the tools, as real assistants do (the SDK then validates every result). */
async function mcpClient(token: string): Promise<Client> {
  const c = new Client({ name: 'discover-test', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${agent.localApiUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  open.push(c);
  const tools = (await c.listTools()).tools.map((t) => t.name);
  expect(tools).toContain('discover_devices');
  return c;
}

const discover = async (c: Client, args: Record<string, unknown>) =>
  (await c.callTool({ name: 'discover_devices', arguments: args })) as CallToolResult;
const textOf = (r: CallToolResult) => (r.content[0]?.type === 'text' ? r.content[0].text : '');
const deviceIds = (r: CallToolResult) =>
  ((r.structuredContent as { devices: Array<{ device_id: number }> }).devices ?? []).map((d) => d.device_id).sort();
/** Who-Is rounds the simulator saw: each round reaches every meter once. */
const whoIsPerMeter = () => DEVICES.map((id) => sim.whoIs().filter((w) => w.deviceId === id).length);

beforeAll(async () => {
  const siteDb = await createTestDatabase(inject('pg'), 'discover_crowd_site');
  sim = await startSimulator({
    broadcastAddress: `${NET}.255`,
    meters: DEVICES.map((deviceId, i) => ({
      deviceId,
      name: `Crowd meter ${i}`,
      address: `${NET}.${11 + i}`,
      port: 47808,
    })),
    seed: 41,
  });
  // No meters configured: nothing but discovery talks BACnet, and no client system is needed.
  agent = await startAgentProcess({
    clientUrl: 'http://127.0.0.1:9',
    apiKey: `k-${randomBytes(16).toString('hex')}`,
    databaseUrl: siteDb,
    meters: [],
    bacnetInterface: `${NET}.1`,
    env: {
      LOCAL_API_TOKEN: OPERATOR,
      LOCAL_API_VIEWER_TOKEN: VIEWER,
      BACNET_BROADCAST_ADDRESS: `${NET}.255`,
      SYNC_INTERVAL_MINUTES: '30',
      MCP_DISCOVERIES_PER_HOUR: String(PER_HOUR),
    },
  });
});

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await agent?.stop();
  await sim?.stop();
  await agent?.db.destroy();
});

describe('discover_devices: one discovery at a time, callers limited', () => {
  it('when one viewer token calls discover_devices 100 times at once, then exactly one Who-Is round goes out and every call gets its result', async () => {
    const viewer = await mcpClient(VIEWER);
    sim.clearWhoIs();
    // Listening 8 s: long enough for all 100 requests to reach the agent on a loaded machine while the round runs.
    const results = await Promise.all(Array.from({ length: 100 }, () => discover(viewer, { timeout_ms: 8000 })));
    expect(whoIsPerMeter()).toEqual([1, 1, 1]);
    for (const r of results) {
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(deviceIds(r)).toEqual([...DEVICES]);
    }
    // The agent is free again: a later call starts a round of its own.
    const again = await discover(viewer, { timeout_ms: 300 });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(whoIsPerMeter()).toEqual([2, 2, 2]);
  });

  it('when a discovery with other arguments is asked for while one runs, then it is refused with when to try again, and the running one finishes', async () => {
    const viewer = await mcpClient(VIEWER);
    const before = whoIsPerMeter()[0]!;
    const running = discover(viewer, { timeout_ms: 3000 });
    await waitUntil('the first discovery to be on the wire', async () => whoIsPerMeter()[0]! > before, 10_000);
    const other = await discover(viewer, { timeout_ms: 2000, low_limit: DEVICES[0], high_limit: DEVICES[0] });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toMatch(/discovery with other arguments is running on this site.*try again in \d+ s/);
    const first = await running;
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(deviceIds(first)).toEqual([...DEVICES]);
    expect(whoIsPerMeter()[0]).toBe(before + 1);
  });

  it('when one caller starts more discoveries than MCP_DISCOVERIES_PER_HOUR, then the next is a clear limit error and sends nothing; other callers are not limited by it', async () => {
    const operator = await mcpClient(OPERATOR);
    for (let i = 0; i < PER_HOUR; i++) {
      const r = await discover(operator, { timeout_ms: 200 });
      expect(r.isError, textOf(r)).toBeFalsy();
    }
    const before = whoIsPerMeter();
    const over = await discover(operator, { timeout_ms: 200 });
    expect(over.isError).toBe(true);
    expect(textOf(over)).toMatch(
      new RegExp(
        `too many discoveries: this caller started ${PER_HOUR} in the last hour.*MCP_DISCOVERIES_PER_HOUR.*try again in \\d+ s`,
      ),
    );
    expect(whoIsPerMeter()).toEqual(before);
    // The viewer token started 3 so far (above) and may start a fourth: the limit is per caller.
    const viewer = await mcpClient(VIEWER);
    const theirs = await discover(viewer, { timeout_ms: 200 });
    expect(theirs.isError, textOf(theirs)).toBeFalsy();
    expect(whoIsPerMeter()).toEqual(before.map((n) => n + 1));
  });
});
