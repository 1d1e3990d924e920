// The system under test: both databases, the client system behind a fault proxy, the simulated meters and one agent,
// and the queries the suite reads them with.
import { startSimulator, toMetersJson, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import { freePort, startMailReceiver, type MailReceiver } from '@meterit/shared/testing';
import {
  createSite,
  startAgentProcess,
  startClientSystem,
  type AgentProcess,
  type ClientSystem,
} from '../harness/processes.js';
import { startFaultProxy, type FaultProxy } from '../harness/proxy.js';
import { startRestartablePostgres, type RestartablePostgres } from '../harness/postgres.js';
import type { Excuse, Row } from './verify.js';

export const AGENT_ADDRESS = '127.0.7.1';
export const OPS_MAILBOX = 'ops@chaos.test';
const METER_BASE = 10;
export const BACNET_TIMEOUT_MS = 1000;
export const HTTP_TIMEOUT_SECONDS = 2;
export const BATCH_SIZE = 40;
/** Batches the agent's uploader keeps on their way at once (SYNC_MAX_IN_FLIGHT). */
export const MAX_IN_FLIGHT = 3;
/** The site's storage limit for unsent readings (the smallest the agent accepts): 6 meters fill it in about 40 s of outage. */
export const QUEUE_MAX_READINGS = 1000;
export type QueuePolicy = 'drop-oldest' | 'stop-collecting';

export interface System {
  mail: MailReceiver;
  central: RestartablePostgres;
  siteCluster: RestartablePostgres;
  client: ClientSystem;
  proxy: FaultProxy;
  sim: Simulator;
  agent: AgentProcess;
  siteId: number;
}

export interface SystemOptions {
  seed: number;
  meterCount: number;
  /** QUEUE_FULL_POLICY the agent starts with. */
  policy: QueuePolicy;
  /** Where the excuses the agent's own log gives go. */
  excuses: Excuse[];
  /** Each part started is stopped by one of these, in reverse order. */
  cleanup: Array<() => Promise<unknown>>;
}

export async function startSystem(opts: SystemOptions): Promise<System> {
  const { cleanup } = opts;
  const central = await startRestartablePostgres('central');
  cleanup.push(() => central.destroy());
  const siteCluster = await startRestartablePostgres('site');
  cleanup.push(() => siteCluster.destroy());
  const clientDb = await central.createDatabase('chaos_client');
  const siteDb = await siteCluster.createDatabase('chaos_site');
  // The operators' mailbox: a queue limit reached must reach them as an alert e-mail.
  const mail = await startMailReceiver();
  cleanup.push(() => mail.close());
  const client = await startClientSystem(clientDb, {
    env: {
      SMTP_URL: mail.url,
      ALERT_EMAIL_TO: OPS_MAILBOX,
      ALERT_EVAL_INTERVAL_SECONDS: '1',
      // Every window is its own episode, e-mailed each time (the default 30 min would hold back a second one).
      ALERT_COOLDOWN_MINUTES: '0',
      ALERT_RETRY_BASE_SECONDS: '0.5',
      ALERT_RETRY_CAP_SECONDS: '2',
      PUBLIC_URL: 'https://meterit.chaos.test',
    },
  });
  cleanup.push(async () => {
    await client.stop();
    await client.db.destroy();
  });
  const site = await createSite(clientDb, 'Chaos site');
  const proxy = await startFaultProxy(
    { host: '127.0.0.1', port: client.port },
    { host: '127.0.0.1', port: await freePort() },
  );
  cleanup.push(() => proxy.close());
  const sim = await startSimulator({
    meters: Array.from({ length: opts.meterCount }, (_, i) => ({
      deviceId: 7000 + i,
      name: `Chaos meter ${i}`,
      address: `127.0.7.${METER_BASE + i}`,
      port: 47808,
    })),
    listenBroadcast: false,
    seed: opts.seed,
  });
  cleanup.push(() => sim.stop());
  const agent = await startAgentProcess({
    clientUrl: proxy.url,
    apiKey: site.api_key,
    databaseUrl: siteDb,
    meters: toMetersJson(sim.meters).meters as MeterConfig[],
    bacnetInterface: AGENT_ADDRESS,
    env: {
      BACNET_TIMEOUT_MS: String(BACNET_TIMEOUT_MS),
      HTTP_TIMEOUT_SECONDS: String(HTTP_TIMEOUT_SECONDS),
      BATCH_SIZE: String(BATCH_SIZE),
      SYNC_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      CONFIG_REFRESH_MINUTES: String(3 / 60),
      QUEUE_MAX_READINGS: String(QUEUE_MAX_READINGS),
      QUEUE_FULL_POLICY: opts.policy,
    },
  });
  cleanup.push(async () => {
    await agent.stop();
    await agent.db.destroy();
  });
  watchAgentTimeouts(agent, new Map(sim.meters.map((m) => [m.externalId, m.deviceId])), opts.excuses);
  return { mail, central, siteCluster, client, proxy, sim, agent, siteId: site.site_id };
}

/**
 * A poll the agent itself gave up on (its log: "meter read failed", METER_TIMEOUT) collected nothing, though the
 * meter may have answered late: on a starved machine that happens without any meter fault. Those values are
 * explained for that meter over exactly that poll, never beyond it. Every process the agent is restarted as is watched.
 */
function watchAgentTimeouts(agent: AgentProcess, deviceOf: Map<string, number>, excuses: Excuse[]): void {
  const watchPolls = (proc: AgentProcess['proc']) => {
    let pending = '';
    const scan = (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const excuse = timeoutExcuse(line, deviceOf);
        if (excuse) excuses.push(excuse);
      }
    };
    scan(proc.output.join(''));
    proc.child.stdout?.on('data', (b: Buffer) => scan(b.toString()));
  };
  watchPolls(agent.proc);
  const restartAgent = agent.restart.bind(agent);
  agent.restart = async () => {
    await restartAgent();
    watchPolls(agent.proc);
  };
}

function timeoutExcuse(line: string, deviceOf: Map<string, number>): Excuse | null {
  if (!line.includes('"meter read failed"') || !line.includes('METER_TIMEOUT')) return null;
  try {
    const l = JSON.parse(line) as { meter?: string; code?: string; response_ms?: number; timestamp?: string };
    const deviceId = l.meter ? deviceOf.get(l.meter) : undefined;
    const at = l.timestamp ? Date.parse(l.timestamp) : Number.NaN;
    if (
      l.code !== 'METER_TIMEOUT' ||
      deviceId === undefined ||
      !Number.isFinite(at) ||
      typeof l.response_ms !== 'number'
    )
      return null;
    return { kind: 'the agent timed out on the meter (its log)', from: at - l.response_ms - 250, to: at, deviceId };
  } catch {
    // not a log line of ours
    return null;
  }
}

export async function centralCount(s: System): Promise<number> {
  const r = await s.client.db('meter_readings').count<{ n: number }[]>('* as n');
  return Number(r[0]?.n ?? 0);
}

export async function queueCounters(s: System): Promise<{ dropped: number; refused: number }> {
  const row = await s.agent
    .db('agent_state')
    .where({ key: 'queue_limit' })
    .first<{ value: { dropped?: number; refused?: number } } | undefined>('value');
  return { dropped: row?.value.dropped ?? 0, refused: row?.value.refused ?? 0 };
}

export async function unsentCount(s: System): Promise<number> {
  const r = await s.agent.db('meter_readings').whereNull('synced_at').count<{ n: number }[]>('* as n');
  return Number(r[0]?.n ?? 0);
}

export async function siteRows(s: System): Promise<Row[]> {
  return s.agent
    .db('meter_readings')
    .select('meter_external_id as meter', 'data_point', 'ts', 'value', 'unit', 'quality', 'synced_at as syncedAt');
}

export async function centralRows(s: System): Promise<Row[]> {
  return s.client
    .db('meter_readings as r')
    .join('meters as m', 'm.id', 'r.meter_id')
    .where('m.site_id', s.siteId)
    .select('m.external_id as meter', 'r.data_point', 'r.ts', 'r.value', 'r.unit', 'r.quality');
}

export async function deadLetterCount(s: System): Promise<number> {
  return Number((await s.agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
}
