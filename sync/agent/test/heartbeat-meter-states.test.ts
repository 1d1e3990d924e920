import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@meterit/shared/testing';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { HeartbeatMeterState, MeterConfig } from '@meterit/shared';
import {
  createSite,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from './helpers/system.js';

// The agent's heartbeat carries each meter's own state, and the client system keeps it on the meter:
// real client API and agent processes, the simulator over real UDP on 127.0.49.x (this file's range).
const AGENT_ADDRESS = '127.0.49.1';
const DEVICES = [4901, 4902] as const;

let client: ClientSystem;
let agent: AgentProcess;
let sim: Simulator;
let site: { site_id: number; api_key: string };

/** The meters' states as the client system stored them from the latest heartbeat. */
async function centralStates(): Promise<Map<string, HeartbeatMeterState>> {
  const rows = await client
    .db('meters')
    .where({ site_id: site.site_id })
    .select<{ external_id: string; agent_state: HeartbeatMeterState | null }[]>('external_id', 'agent_state');
  return new Map(rows.filter((r) => r.agent_state).map((r) => [r.external_id, r.agent_state as HeartbeatMeterState]));
}

beforeAll(async () => {
  const pg = inject('pg');
  const clientDb = await createTestDatabase(pg, 'hb_states_client');
  const siteDb = await createTestDatabase(pg, 'hb_states_site');
  client = await startClientSystem(clientDb);
  site = await createSite(clientDb, 'Meter states site');
  sim = await startSimulator({
    meters: DEVICES.map((deviceId, i) => ({
      deviceId,
      name: `State meter ${i}`,
      address: `127.0.49.${11 + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 49,
  });
  const meters = toMetersJson(sim.meters).meters as MeterConfig[];
  // A third meter at an address where nothing answers.
  const ghost: MeterConfig = {
    ...meters[0]!,
    id: 'ghost',
    name: 'Ghost meter',
    bacnet_device_id: 4999,
    bacnet_ip: '127.0.49.19',
  };
  agent = await startAgentProcess({
    clientUrl: client.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: [...meters, ghost],
    bacnetInterface: AGENT_ADDRESS,
    env: { BACNET_BROADCAST_ADDRESS: '127.0.49.255', HEARTBEAT_INTERVAL_SECONDS: '1' },
  });
});

afterAll(async () => {
  await agent?.stop();
  await sim?.stop();
  await client?.stop();
  await agent?.db.destroy();
  await client?.db.destroy();
});

describe("the heartbeat's per-meter states", () => {
  it('when a meter stops answering, then the next heartbeats say so for that meter (with its last success and error), and a meter that never answered is never_answered', async () => {
    const [first, second] = sim.meters;
    // The ghost is never_answered from the start; once its first poll timed out, with that error.
    await waitUntil(
      'both simulated meters ok and the ghost never answered after a try, centrally',
      async () => {
        const s = await centralStates();
        return (
          s.get(first!.externalId)?.state === 'ok' &&
          s.get(second!.externalId)?.state === 'ok' &&
          s.get('ghost')?.state === 'never_answered' &&
          s.get('ghost')?.error
        );
      },
      60_000,
    );
    const ghost = (await centralStates()).get('ghost')!;
    expect(ghost).toMatchObject({ last_success_at: null, error: expect.stringMatching(/\S/) });

    sim.setBehaviour(second!.deviceId, { dead: true });
    const stopped = await waitUntil(
      'the silent meter reported not_answering',
      async () => {
        const s = (await centralStates()).get(second!.externalId);
        return s?.state === 'not_answering' ? s : null;
      },
      60_000,
    );
    expect(stopped.last_success_at).not.toBeNull();
    expect(stopped.error).toEqual(expect.any(String));
    expect(stopped.points_failing).toBe(second!.points.length);
    expect((await centralStates()).get(first!.externalId)?.state).toBe('ok');

    sim.setBehaviour(second!.deviceId, { dead: false });
    await waitUntil(
      'the meter ok again',
      async () => (await centralStates()).get(second!.externalId)?.state === 'ok',
      60_000,
    );
  }, 180_000);
});
