// The agent's own embedded PostgreSQL dies under it: the real agent process, its real embedded
// server (the test SIGKILLs the postmaster by the PID in its postmaster.pid), the BACnet simulator
// over real UDP on loopback. No client system: everything collected stays in the site's queue,
// where the test counts it.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@meterit/shared/testing';
import type { MeterConfig } from '@meterit/shared';
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { StatusResponse } from '@meterit/shared/site-contracts';
import { localApi, startAgentProcess, waitUntil, type AgentProcess } from './helpers/system.js';

const AGENT_ADDRESS = '127.0.48.1';
const PASSWORD = 'local-db-test-password';

let sim: Simulator;
let agent: AgentProcess;
let dataDir: string;
let pgDir: string;

const status = async () => (await localApi<StatusResponse>(agent, 'GET', '/api/status')).body;

function postmasterPid(): number | null {
  const file = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return pid > 0 ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killPostmaster(): Promise<number> {
  const pid = postmasterPid();
  if (pid === null || !alive(pid)) throw new Error('no embedded PostgreSQL running');
  process.kill(pid, 'SIGKILL');
  await waitUntil('the postmaster to be gone', async () => !alive(pid), 10_000, 50);
  return pid;
}

async function queueCount(): Promise<number> {
  const row = await agent.db('meter_readings').count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Every meter goes silent; once no read is in flight any more, nothing new can arrive. */
async function quiesce(): Promise<void> {
  for (const m of sim.meters) sim.setBehaviour(m.deviceId, { dead: true });
  let last = -1;
  await waitUntil(
    'the last reads to settle',
    async () => {
      const s = await status();
      const n = sim.served().length + s.local_database.spilled_readings;
      const settled = n === last;
      last = n;
      return settled;
    },
    30_000,
    // A read in flight ends within BACNET_TIMEOUT_MS.
    3500,
  );
}

beforeAll(async () => {
  sim = await startSimulator({
    meters: [0, 1].map((i) => ({
      deviceId: 48_000 + i,
      name: `Local DB meter ${i}`,
      address: `127.0.48.${10 + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: 48,
  });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'meterit-agent-localdb-'));
  // The server runs as the unprivileged postgres user, which must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  // The embedded server takes this password at its first start; the test reads the queue with it.
  mkdirSync(path.join(dataDir, 'postgres'), { recursive: true });
  writeFileSync(
    path.join(dataDir, 'postgres', 'credentials.json'),
    JSON.stringify({ user: 'postgres', password: PASSWORD }),
    { mode: 0o600 },
  );
  pgDir = path.join(dataDir, 'postgres', 'pg');
  const pgPort = await freePort();
  agent = await startAgentProcess({
    // Nobody listens there: the uplink stays down and every reading stays in the site's queue.
    clientUrl: `http://127.0.0.1:${await freePort()}`,
    apiKey: 'local-db-test-key-0123456789',
    databaseUrl: `postgresql://postgres:${PASSWORD}@127.0.0.1:${pgPort}/meterit_sync`,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: AGENT_ADDRESS,
    env: {
      LOCAL_DATABASE_URL: '',
      SYNC_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      // A loaded machine must not turn a served value into a timeout.
      BACNET_TIMEOUT_MS: '3000',
      LOCAL_DB_PROBE_SECONDS: '1',
      LOCAL_DB_RESTART_BACKOFF_BASE_SECONDS: '0.2',
      LOCAL_DB_RESTART_BACKOFF_CAP_SECONDS: '1',
      LOCAL_DB_RESTART_ATTEMPTS_BEFORE_DOWN: '3',
    },
  });
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await agent?.db.destroy();
  await sim?.stop();
  // A postmaster this test's agent started and left (a failed run): stop it by its own pid.
  const pid = pgDir ? postmasterPid() : null;
  if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the agent's own database", () => {
  it('when the local postmaster is killed, and later killed again and cannot start, and the agent is killed while it is down, then after a restart every value the simulator served is in the queue exactly once', async () => {
    await waitUntil('readings in the queue', async () => (await queueCount()) >= 2 * 4 * 2, 60_000);

    // 1. The postmaster dies; the agent notices, starts it again, and collection goes on into it.
    const firstPid = await killPostmaster();
    const back = await waitUntil(
      'the agent to restart its database',
      async () => {
        const s = await status();
        return s.local_database.state === 'up' && s.local_database.restarts >= 1 ? s : null;
      },
      60_000,
    );
    expect(back.local_database.last_error?.message).toBeTruthy();
    expect(postmasterPid()).not.toBe(firstPid);
    const afterRestart = await queueCount();
    await waitUntil(
      'collection to go on into the restarted database',
      async () => (await queueCount()) >= afterRestart + 2 * 4 * 2,
      60_000,
    );

    // 2. It dies again and cannot come back (its configuration file is unreadable): the agent says so, and spills.
    const conf = path.join(pgDir, 'postgresql.conf');
    const mode = statSync(conf).mode & 0o777;
    chmodSync(conf, 0o000);
    try {
      await killPostmaster();
      const down = await waitUntil(
        'the database to be reported down',
        async () => {
          const s = await status();
          return s.local_database.state === 'down' ? s : null;
        },
        60_000,
      );
      expect(down.health.level).toBe('problem');
      expect(down.health.findings.map((f) => f.code)).toContain('LOCAL_DATABASE_DOWN');
      expect(down.local_database.last_error?.message).toContain('did not start');
      expect(agent.proc.output.join('')).toContain('the local database cannot be restarted');
      const metrics = await (await fetch(`${agent.localApiUrl}/metrics`)).text();
      expect(metrics).toMatch(/^meterit_local_database_up(\{[^}]*\})? 0$/m);
      expect(metrics).toMatch(/^meterit_local_database_restarts(\{[^}]*\})? 1$/m);
      // Collection goes on: the readings go to the spill file on disk.
      await waitUntil(
        'readings to be spilled',
        async () => (await status()).local_database.spilled_readings >= 2 * 4 * 3,
        60_000,
      );
      const spillFile = path.join(dataDir, 'spill', 'readings.jsonl');
      expect(readFileSync(spillFile, 'utf8').split('\n').filter(Boolean).length).toBe(
        (await status()).local_database.spilled_readings,
      );

      // 3. The agent is killed while its database is down.
      await quiesce();
      await agent.stop('SIGKILL');
    } finally {
      chmodSync(conf, mode);
    }

    // 4. It starts again: its database starts, the spill file goes into the queue, collection goes on.
    for (const m of sim.meters) sim.setBehaviour(m.deviceId, { dead: false });
    await agent.restart();
    await waitUntil(
      'the spill file to be replayed',
      async () => {
        const s = await status();
        return s.local_database.state === 'up' && s.local_database.spilled_readings === 0;
      },
      60_000,
    );
    expect(readdirSync(path.join(dataDir, 'spill'))).toEqual([]);
    const beforeResume = sim.served().length;
    await waitUntil(
      'collection after the restart',
      async () => sim.served().length >= beforeResume + 2 * 4 * 2,
      60_000,
    );
    await quiesce();

    // Every value served, in the queue, once, unchanged.
    const rows: Array<{ meter_external_id: string; data_point: string; ts: Date; value: number }> = await agent
      .db('meter_readings')
      .orderBy([{ column: 'meter_external_id' }, { column: 'data_point' }, { column: 'ts' }])
      .select('meter_external_id', 'data_point', 'ts', 'value');
    const keys = rows.map((r) => `${r.meter_external_id}|${r.data_point}|${r.ts.toISOString()}`);
    expect(new Set(keys).size).toBe(keys.length);
    const pointName = new Map<string, string>();
    const meterId = new Map<number, string>();
    for (const m of sim.meters) {
      meterId.set(m.deviceId, m.externalId);
      for (const p of m.points) pointName.set(`${m.deviceId}|${p.objectType}|${p.instance}`, p.name);
    }
    const expected = new Map<string, number[]>();
    for (const s of sim.served()) {
      const key = `${meterId.get(s.deviceId)}|${pointName.get(`${s.deviceId}|${s.objectType}|${s.instance}`)}`;
      expected.set(key, [...(expected.get(key) ?? []), s.value]);
    }
    const actual = new Map<string, number[]>();
    for (const r of rows) {
      const key = `${r.meter_external_id}|${r.data_point}`;
      actual.set(key, [...(actual.get(key) ?? []), r.value]);
    }
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, values] of expected) expect(actual.get(key), key).toEqual(values);
    expect(rows.length).toBe(sim.served().length);
    expect(await agent.db('dead_letters').count<{ count: number }[]>('* as count').first()).toEqual({ count: 0 });
  }, 420_000);
});
