import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, fastAgentEnv, freePort } from '@meterit/shared/testing';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import { createSiteWithCli, runNode, startApiProcess, waitUntil, type Proc } from './helpers/processes.js';

// A stalled client API (here: SIGSTOP, as a long GC pause or an overloaded host) lets the agent's requests time out;
// the agent gives up on them and sends again later. When the API runs again it finds those requests with their
// connections already closed. It used to run each one's route anyway on a body it never read, and logged a burst of
// 400 VALIDATION_FAILED ("agent_version is required", "the body must be a JSON object") for answers nobody read.
let api: { url: string; proc: Proc };
let agent: Proc;
let sim: Simulator;
let clientDb: string;
let siteId: number;

const lines = (p: Proc) =>
  p.output
    .join('')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function central<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: clientDb });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const heartbeatCount = async () =>
  Number(
    (await central<{ n: string }>('SELECT count(*) AS n FROM heartbeats WHERE site_id = $1', [siteId]))[0]?.n ?? 0,
  );

beforeAll(async () => {
  const server = inject('pg');
  clientDb = await createTestDatabase(server, 'stalled_api_client');
  const siteDb = await createTestDatabase(server, 'stalled_api_site');
  api = await startApiProcess({ DATABASE_URL: clientDb, LOG_LEVEL: 'info' }, await freePort());
  const site = await createSiteWithCli(clientDb, 'Stalled plant');
  siteId = site.site_id;
  sim = await startSimulator({
    meters: [{ deviceId: 7101, name: 'Main incomer', address: '127.0.71.10', port: 47808 }],
    listenBroadcast: false,
    seed: 71,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meterit-stalled-api-'));
  const metersFile = path.join(dir, 'meters.json');
  writeFileSync(metersFile, JSON.stringify(toMetersJson(sim.meters), null, 2));
  agent = runNode(
    'sync/agent/dist/main.js',
    {
      ...fastAgentEnv({
        clientUrl: api.url,
        apiKey: site.api_key,
        databaseUrl: siteDb,
        metersFile,
        dataDir: dir,
        bacnetInterface: '127.0.71.1',
      }),
      LOCAL_API_HOST: '127.0.0.1',
      LOCAL_API_PORT: '0',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HTTP_TIMEOUT_SECONDS: '1',
    },
    'agent',
  );
  await waitUntil('the agent to send heartbeats', async () => (await heartbeatCount()) >= 2, 60_000, 250);
}, 120_000);

afterAll(async () => {
  if (api?.proc.child.pid) process.kill(api.proc.child.pid, 'SIGCONT');
  await agent?.stop();
  await sim?.stop();
  await api?.proc.stop();
});

describe('a stalled client API', () => {
  it('when the API stalls longer than the agent waits for an answer, then after it runs again the requests the agent gave up on are dropped, not answered with validation errors, and the agent carries on', async () => {
    const pid = api.proc.child.pid!;
    const timeouts = () =>
      lines(agent).filter((l) => l.message === 'uplink problem' && /no answer within/.test(String(l.error))).length;
    const before = timeouts();
    process.kill(pid, 'SIGSTOP');
    try {
      // Several heartbeats and uploads are sent into the stalled API and abandoned by the agent. Whether the API
      // still finds a given one in its socket once it runs again is the kernel's timing; with six, some are there.
      await waitUntil('the agent to give up on six requests', async () => timeouts() >= before + 6, 30_000, 100);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const heartbeatsAfterStall = await waitUntil('the API to answer again', heartbeatCount, 30_000, 250);
    await waitUntil(
      'the agent to deliver heartbeats again',
      async () => (await heartbeatCount()) >= heartbeatsAfterStall + 3,
      30_000,
      250,
    );

    const logged = lines(api.proc);
    const rejected = logged.filter((l) => l.message === 'request rejected');
    expect(rejected.map((l) => `${String(l.code)}: ${String(l.reason)}`)).toEqual([]);
    const abandoned = logged.filter((l) => l.message === 'request abandoned by the client; not processed');
    expect(abandoned.length).toBeGreaterThan(0);
    expect(abandoned.map((l) => l.path).filter((p) => !String(p).startsWith('/api/sync/'))).toEqual([]);
    // Every heartbeat stored, before and after the stall, is a whole one.
    const versions = await central<{ v: string | null }>(
      "SELECT payload->>'agent_version' AS v FROM heartbeats WHERE site_id = $1",
      [siteId],
    );
    expect(versions.filter((r) => !r.v)).toEqual([]);
  }, 90_000);
});
