import { writeFile } from 'node:fs/promises';
import { startSimulator, toMetersJson, type MeterBehaviourInput, type Simulator } from '@meterit/simulator';
import type { MeterConfig } from '@meterit/shared';
import { freePort, startMailReceiver, type MailReceiver } from '@meterit/shared/testing';
import {
  alive,
  createSite,
  sleep,
  startAgentProcess,
  startClientSystem,
  waitUntil,
  type AgentProcess,
  type ClientSystem,
} from '../harness/processes.js';
import { startFaultProxy, type FaultProxy } from '../harness/proxy.js';
import { startRestartablePostgres, type RestartablePostgres } from '../harness/postgres.js';
import { createRng, type Rng } from '../harness/rng.js';
import {
  verify,
  type Excuse,
  type Problem,
  type QualityChange,
  type QueueLimitWindow,
  type Row,
  type Verdict,
  type VerifyInput,
} from './verify.js';

export interface ChaosOptions {
  rounds: number;
  seed: number;
  /** Length of one round of normal operation during which its faults fire. */
  roundMs?: number;
  meters?: number;
  log?: (line: string) => void;
  /** Write what the checker was given to this file (JSON), to check it again later: `--verify FILE`. */
  dumpTo?: string;
}

export interface ChaosReport extends Verdict {
  seed: number;
  rounds: number;
  roundsFailed: number;
  faultsInjected: number;
  faults: Record<string, number>;
  /** Processes that died without being killed by the suite. */
  crashes: string[];
  deadLetters: number;
  /** The agent's queue-limit counters at the end, and what its last heartbeat told the client system. */
  queueLimit: {
    policies: string[];
    dropped: number;
    refused: number;
    reportedCentrally: { dropped: number; refused: number } | null;
    /** What the operators were told of each queue-limit window: the queue-full alert and its e-mails. */
    alerts: QueueLimitAlert[];
  };
  /** A queue-limit window the operators were not told of (no alert fired, or no e-mail arrived). */
  unalerted: string[];
  durationMs: number;
}

/** One queue-limit window as the client system's alert engine reported it. */
export interface QueueLimitAlert {
  /** The alerts of the queue-full rule whose episode began in the window (usually one). */
  alerts: number;
  /** Readings lost, as each alert said when it fired. */
  firedWith: number[];
  firingMails: number;
  resolvedMails: number;
}

const AGENT_ADDRESS = '127.0.7.1';
const OPS_MAILBOX = 'ops@chaos.test';
/**
 * Catalogue indexes paired so that no two faults of a covering round need the same resource. Every kind is here, the
 * queue-limit outage (14, paired with a meter fault) included, so the short form (8 rounds) injects each one.
 */
export const COVER_ORDER = [0, 4, 1, 5, 2, 6, 3, 7, 8, 10, 9, 14, 12, 13, 11];
const METER_BASE = 10;
const BACNET_TIMEOUT_MS = 1000;
const HTTP_TIMEOUT_SECONDS = 2;
const BATCH_SIZE = 40;
/** Batches the agent's uploader keeps on their way at once (SYNC_MAX_IN_FLIGHT). */
const MAX_IN_FLIGHT = 3;
/** The site's storage limit for unsent readings (the smallest the agent accepts): 6 meters fill it in about 40 s of outage. */
const QUEUE_MAX_READINGS = 1000;
type QueuePolicy = 'drop-oldest' | 'stop-collecting';

interface System {
  mail: MailReceiver;
  central: RestartablePostgres;
  siteCluster: RestartablePostgres;
  client: ClientSystem;
  proxy: FaultProxy;
  sim: Simulator;
  agent: AgentProcess;
  siteId: number;
}

interface Fault {
  name: string;
  resources: string[];
  run(): Promise<void>;
}

/** Restart a process until it comes up: its database may be down at that moment (another fault). */
async function restartUntilUp(
  what: string,
  restart: () => Promise<void>,
  onFailedAttempt?: (err: Error) => void,
): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await restart();
      return;
    } catch (err) {
      last = err;
      onFailedAttempt?.(err as Error);
      await sleep(500);
    }
  }
  throw new Error(`${what} did not come back: ${(last as Error).message}`);
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rng: Rng = createRng(opts.seed);
  const roundMs = opts.roundMs ?? 6000;
  const meterCount = opts.meters ?? 6;
  const excuses: Excuse[] = [];
  const qualityChanges: QualityChange[] = [];
  const faults: Record<string, number> = {};
  const crashes: string[] = [];
  const roundSpans: Array<{ from: number; to: number }> = [];
  const queueLimits: QueueLimitWindow[] = [];
  const policies: string[] = [];
  // The policy the agent starts with; the queue-limit fault switches to the other one while the queue is full, so each injection tries both.
  let policy: QueuePolicy = rng.pick(['drop-oldest', 'stop-collecting'] as const);
  let sys: System | undefined;
  const cleanup: Array<() => Promise<unknown>> = [];

  try {
    log(`chaos: seed ${opts.seed}, ${opts.rounds} rounds of ${roundMs} ms, ${meterCount} meters`);
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
      meters: Array.from({ length: meterCount }, (_, i) => ({
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
        QUEUE_FULL_POLICY: policy,
      },
    });
    cleanup.push(async () => {
      await agent.stop();
      await agent.db.destroy();
    });
    // A poll the agent itself gave up on (its log: "meter read failed", METER_TIMEOUT) collected nothing, though the
    // meter may have answered late: on a starved machine that happens without any meter fault. Those values are
    // explained for that meter over exactly that poll, never beyond it.
    const deviceOf = new Map(sim.meters.map((m) => [m.externalId, m.deviceId]));
    const watchPolls = (proc: AgentProcess['proc']) => {
      let pending = '';
      const scan = (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('"meter read failed"') || !line.includes('METER_TIMEOUT')) continue;
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
              continue;
            excuses.push({
              kind: 'the agent timed out on the meter (its log)',
              from: at - l.response_ms - 250,
              to: at,
              deviceId,
            });
          } catch {
            // not a log line of ours
          }
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
    sys = { mail, central, siteCluster, client, proxy, sim, agent, siteId: site.site_id };
    const s = sys;

    const setBehaviour = (deviceId: number, b: MeterBehaviourInput) => {
      if (b.fault !== undefined)
        qualityChanges.push({ deviceId, index: s.sim.served().length, at: Date.now(), fault: b.fault });
      s.sim.setBehaviour(deviceId, b);
    };
    const meterIds = s.sim.meters.map((m) => m.deviceId);
    const span = (min: number, max: number) => rng.int(min, max);

    const catalogue: Array<() => Fault> = [
      () => ({
        name: 'agent SIGKILL',
        resources: ['agent'],
        run: async () => {
          // A value served just before the kill may still be on its way into the queue.
          const excuse: Excuse = { kind: 'agent killed', from: Date.now() - BACNET_TIMEOUT_MS - 500, to: Infinity };
          excuses.push(excuse);
          await s.agent.stop('SIGKILL');
          await sleep(span(0, 1500));
          await restartUntilUp('the agent', () => s.agent.restart());
          excuse.to = Date.now() + 500;
        },
      }),
      () => ({
        name: 'client API SIGKILL',
        resources: ['api'],
        run: async () => {
          await s.client.stop('SIGKILL');
          await sleep(span(0, 2000));
          await restartUntilUp('the client API', () => s.client.restart());
        },
      }),
      () => ({
        name: 'central database restart',
        resources: ['central-db'],
        run: async () => {
          await s.central.restart(span(0, 1500));
        },
      }),
      () => ({
        name: 'site database restart',
        resources: ['site-db'],
        run: async () => {
          // While its database is down the agent keeps what it reads in memory and stores it when the database is back:
          // nothing read in that window may be missing.
          await s.siteCluster.restart(span(0, 1500));
        },
      }),
      () => ({
        name: 'proxy refuses connections',
        resources: ['proxy'],
        run: async () => {
          await s.proxy.setMode({ kind: 'refuse' });
          await sleep(span(1000, 3000));
          await s.proxy.setMode({ kind: 'pass' });
        },
      }),
      () => ({
        name: 'proxy stalls until the agent times out',
        resources: ['proxy'],
        run: async () => {
          await s.proxy.setMode({ kind: 'stall' });
          await sleep(HTTP_TIMEOUT_SECONDS * 1000 + span(200, 1500));
          await s.proxy.setMode({ kind: 'pass' });
        },
      }),
      () => ({
        name: 'proxy cuts the answer after N bytes',
        resources: ['proxy'],
        run: async () => {
          await s.proxy.setMode({ kind: 'cut', cutAfterBytes: span(0, 400) });
          await sleep(span(1500, 3500));
          await s.proxy.setMode({ kind: 'pass' });
        },
      }),
      () => ({
        name: 'proxy slow bandwidth',
        resources: ['proxy'],
        run: async () => {
          await s.proxy.setMode({ kind: 'slow', bytesPerSecond: span(200, 2000) });
          await sleep(span(2000, 4000));
          await s.proxy.setMode({ kind: 'pass' });
        },
      }),
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter dies and comes back',
          resources: [`meter:${id}`],
          run: async () => {
            setBehaviour(id, { dead: true });
            await sleep(span(1000, 4000));
            setBehaviour(id, { dead: false });
          },
        };
      },
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter socket closed and reopened',
          resources: [`meter:${id}`],
          run: async () => {
            await s.sim.stopMeter(id);
            await sleep(span(1000, 3000));
            await s.sim.startMeter(id);
          },
        };
      },
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter answers slowly (in time)',
          resources: [`meter:${id}`],
          run: async () => {
            setBehaviour(id, { delayMs: span(100, 500) });
            await sleep(span(2000, 4000));
            setBehaviour(id, { delayMs: 0 });
          },
        };
      },
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter answers after the agent timeout',
          resources: [`meter:${id}`],
          run: async () => {
            const delay = span(BACNET_TIMEOUT_MS + 300, BACNET_TIMEOUT_MS + 1000);
            const excuse: Excuse = {
              kind: 'meter answered after the agent timeout',
              from: Date.now(),
              to: Infinity,
              deviceId: id,
            };
            excuses.push(excuse);
            setBehaviour(id, { delayMs: delay });
            await sleep(span(2000, 4000));
            setBehaviour(id, { delayMs: 0 });
            excuse.to = Date.now() + delay + 500;
          },
        };
      },
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter refuses ReadPropertyMultiple',
          resources: [`meter:${id}`],
          run: async () => {
            setBehaviour(id, { refuseRpm: rng.pick(['reject', 'error'] as const) });
            await sleep(span(2000, 4000));
            setBehaviour(id, { refuseRpm: false });
          },
        };
      },
      () => {
        const id = rng.pick(meterIds);
        return {
          name: 'meter reports a fault',
          resources: [`meter:${id}`],
          run: async () => {
            setBehaviour(id, { fault: true });
            await sleep(span(1500, 3000));
            setBehaviour(id, { fault: false });
          },
        };
      },
    ];

    catalogue.push(() => ({
      name: 'queue limit reached during an uplink outage',
      resources: ['proxy', 'agent', 'api', 'site-db'],
      run: async () => {
        const outageAt = Date.now();
        const before = await queueCounters(s);
        // When each drop and refusal happened (to 250 ms), for the checker: what drop-oldest may delete depends on what was sent by then.
        const counters: QueueLimitWindow['counters'] = [{ at: outageAt, since: outageAt, dropped: 0, refused: 0 }];
        let sampling = true;
        const sampler = (async () => {
          let since = outageAt;
          while (sampling) {
            const at = Date.now();
            const c = await queueCounters(s).catch(() => null);
            const prev = counters[counters.length - 1]!;
            if (c && (c.dropped - before.dropped !== prev.dropped || c.refused - before.refused !== prev.refused)) {
              counters.push({ at, since, dropped: c.dropped - before.dropped, refused: c.refused - before.refused });
            }
            if (c) since = at;
            await sleep(250);
          }
        })();
        let first: QueuePolicy, restartAt: number, restartFrom: number, restartTo: number, backAt: number;
        try {
          await s.proxy.setMode({ kind: 'refuse' });
          // Until the backlog reaches the limit and the policy acts: about 40 s.
          const counterOf = (c: { dropped: number; refused: number }, p: QueuePolicy) =>
            p === 'drop-oldest' ? c.dropped : c.refused;
          first = policy;
          await waitUntil(
            `the ${first} policy to act`,
            async () => counterOf(await queueCounters(s), first) > counterOf(before, first),
            180_000,
            250,
          );
          await sleep(span(1000, 2500));
          // The other policy, while the queue is still full: a graceful restart with QUEUE_FULL_POLICY changed.
          policy = first === 'drop-oldest' ? 'stop-collecting' : 'drop-oldest';
          s.agent.env.QUEUE_FULL_POLICY = policy;
          restartAt = Date.now();
          restartFrom = restartAt - BACNET_TIMEOUT_MS - 500;
          const stopping = s.agent.proc;
          await s.agent.stop();
          // After the stop: what the first policy did is final.
          const mid = await queueCounters(s);
          // A graceful stop stores what it read; one that had to be killed would lose it.
          if (stopping.child.signalCode === 'SIGKILL')
            crashes.push(`the agent did not stop within 15 s of SIGTERM: ${stopping.output.join('').slice(-600)}`);
          // Nothing else is down here: an attempt that fails is the agent failing to start.
          await restartUntilUp(
            'the agent',
            () => s.agent.restart(),
            (err) => crashes.push(`the agent did not come back after a graceful restart: ${err.message.slice(0, 600)}`),
          );
          // The new process's first poll may still be under way a tick and a timeout later.
          restartTo = Date.now() + 1000 + BACNET_TIMEOUT_MS + 500;
          await waitUntil(
            `the ${policy} policy to act`,
            async () => counterOf(await queueCounters(s), policy) > counterOf(mid, policy),
            60_000,
            250,
          );
          await sleep(span(1000, 2500));
          await s.proxy.setMode({ kind: 'pass' });
          backAt = Date.now();
          // The backlog drains; the counters stop growing once the agent counts the queue below its limit again.
          let last = await queueCounters(s);
          let stableSince = Date.now();
          await waitUntil(
            'the backlog to drain and the queue-limit counters to settle',
            async () => {
              const c = await queueCounters(s);
              if (c.dropped !== last.dropped || c.refused !== last.refused) {
                last = c;
                stableSince = Date.now();
              }
              return Date.now() - stableSince > 3000 && (await unsentCount(s)) < QUEUE_MAX_READINGS / 4;
            },
            120_000,
            250,
          );
        } finally {
          sampling = false;
          await sampler;
        }
        const after = await queueCounters(s);
        const to = Date.now();
        queueLimits.push({
          from: outageAt - 3000,
          outageAt,
          backAt,
          to,
          dropped: after.dropped - before.dropped,
          refused: after.refused - before.refused,
          phases: [
            { policy: first, from: outageAt, to: restartAt },
            { policy, from: restartAt, to },
          ],
          counters,
          batchSize: BATCH_SIZE,
          maxInFlight: MAX_IN_FLIGHT,
          restart: { from: restartFrom, to: restartTo },
        });
        policies.push(`${first} then ${policy}`);
      },
    }));

    const checkAlive = () => {
      if (!alive(s.agent.proc))
        crashes.push(
          `agent exited by itself (code ${s.agent.proc.child.exitCode}): ${s.agent.proc.output.join('').slice(-600)}`,
        );
      if (!alive(s.client.proc))
        crashes.push(
          `client API exited by itself (code ${s.client.proc.child.exitCode}): ${s.client.proc.output.join('').slice(-600)}`,
        );
    };

    // Let the system reach steady state (meters registered, first batches through) before the first fault.
    await waitUntil('first readings centrally', async () => (await centralCount(s)) > 0, 60_000);

    if (new Set(COVER_ORDER).size !== catalogue.length)
      throw new Error('COVER_ORDER must name every kind of fault once');
    for (let round = 1; round <= opts.rounds; round++) {
      const from = Date.now();
      const busy = new Set<string>();
      const running: Promise<void>[] = [];
      // The first rounds walk the catalogue two kinds at a time, so even the short form injects every kind once;
      // later rounds pick 1–3 faults at random.
      const covering = (round - 1) * 2 < catalogue.length;
      const n = covering ? 2 : rng.int(1, 3);
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const make = covering
          ? catalogue[COVER_ORDER[((round - 1) * 2 + i) % COVER_ORDER.length]!]!
          : rng.pick(catalogue);
        let fault = make();
        // A meter fault may draw a meter already in trouble this round: draw again.
        for (let tries = 0; tries < 5 && fault.resources.some((r) => busy.has(r)); tries++) fault = make();
        if (fault.resources.some((r) => busy.has(r))) continue;
        for (const r of fault.resources) busy.add(r);
        const at = rng.int(0, Math.floor(roundMs * 0.6));
        names.push(`${fault.name} @${at}ms`);
        faults[fault.name] = (faults[fault.name] ?? 0) + 1;
        running.push(
          (async () => {
            await sleep(at);
            await fault.run();
          })(),
        );
      }
      await Promise.all([...running, sleep(roundMs)]);
      checkAlive();
      // A process that died by itself is a finding; bring it back so the round's data can still be checked.
      if (!alive(s.agent.proc)) {
        excuses.push({ kind: 'agent crashed', from: from - 1500, to: Date.now() + 60_000 });
        await restartUntilUp('the agent', () => s.agent.restart());
      }
      if (!alive(s.client.proc)) await restartUntilUp('the client API', () => s.client.restart());
      roundSpans.push({ from, to: Date.now() });
      log(`chaos: round ${round}/${opts.rounds}: ${names.join(', ') || 'no fault'}`);
    }

    // Quiesce: meters stop serving, then the agent drains its queue through a clean network.
    await s.proxy.setMode({ kind: 'pass' });
    for (const id of meterIds) setBehaviour(id, { dead: true, delayMs: 0, refuseRpm: false });
    await sleep(BACNET_TIMEOUT_MS * 3);
    await waitUntil('the site queue to drain', async () => (await unsentCount(s)) === 0, 120_000, 250);
    checkAlive();

    const input: VerifyInput = {
      meters: s.sim.meters,
      served: s.sim.served(),
      site: await siteRows(s),
      central: await centralRows(s),
      excuses,
      qualityChanges,
      queueLimits,
    };
    if (opts.dumpTo) await writeFile(opts.dumpTo, JSON.stringify(input));
    const verdict = verify(input);
    // Where an operator sees it: the agent's counters reach the client system in the heartbeat.
    const counters = await queueCounters(s);
    let reported: { dropped: number; refused: number } | null = null;
    await waitUntil(
      'the last heartbeat to report the queue-limit counters',
      async () => {
        const row = await s.client
          .db('sites')
          .where({ id: s.siteId })
          .first<{ last_heartbeat: { queue_limit?: { dropped?: number; refused?: number } } | null }>('last_heartbeat');
        const q = row?.last_heartbeat?.queue_limit;
        reported = q ? { dropped: q.dropped ?? 0, refused: q.refused ?? 0 } : null;
        return reported?.dropped === counters.dropped && reported.refused === counters.refused;
      },
      20_000,
      250,
    ).catch(() => undefined);
    const { alerts, unalerted } = await queueLimitAlerts(s, queueLimits);
    const deadLetters = Number((await s.agent.db('dead_letters').count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
    const failedRounds = new Set<number>();
    for (const p of verdict.problems) failedRounds.add(roundOf(p, roundSpans));
    for (const w of unalerted) failedRounds.add(roundOf(w, roundSpans));
    return {
      ...verdict,
      seed: opts.seed,
      rounds: opts.rounds,
      roundsFailed: failedRounds.size + (crashes.length > 0 || deadLetters > 0 ? 1 : 0),
      unalerted: unalerted.map((w) => w.what),
      faultsInjected: Object.values(faults).reduce((a, b) => a + b, 0),
      faults,
      crashes,
      deadLetters,
      queueLimit: {
        policies,
        dropped: counters.dropped,
        refused: counters.refused,
        reportedCentrally: reported,
        alerts,
      },
      durationMs: Date.now() - started,
    };
  } finally {
    for (const c of cleanup.reverse()) await c().catch((err: Error) => log(`chaos: cleanup: ${err.message}`));
  }
}

function roundOf(p: Pick<Problem, 'at'>, spans: Array<{ from: number; to: number }>): number {
  const i = spans.findIndex((s) => p.at <= s.to);
  return i < 0 ? spans.length : i + 1;
}

/**
 * What the operators heard of each queue-limit window: the queue-full alert whose episode began in it (its `since` is
 * when the agent found the queue full), fired and resolved, with a FIRING and a RESOLVED e-mail in the operators'
 * mailbox. The agent's heartbeats reach the client system only once the uplink is back, so this settles a few
 * seconds after each window; the engine evaluates every second and retries deliveries.
 */
async function queueLimitAlerts(
  s: System,
  windows: QueueLimitWindow[],
): Promise<{ alerts: QueueLimitAlert[]; unalerted: Array<{ at: number; what: string }> }> {
  interface AlertRow {
    id: number;
    state: string;
    title: string;
    fired_at: Date | null;
  }
  const alertsOf = (w: QueueLimitWindow): Promise<AlertRow[]> =>
    s.client
      .db('alerts as a')
      .join('alert_rules as r', 'r.id', 'a.rule_id')
      .where({ 'r.kind': 'queue_full', 'a.site_id': s.siteId })
      .whereBetween('a.since', [new Date(w.outageAt), new Date(w.to)])
      .orderBy('a.id')
      .select('a.id', 'a.state', 'a.title', 'a.fired_at');
  // Each e-mail links its alert (PUBLIC_URL/alerts/ID): windows may have alerts of the same title.
  const mails = (a: AlertRow, event: 'FIRING' | 'RESOLVED') =>
    s.mail.mails.filter(
      (m) =>
        m.to.includes(OPS_MAILBOX) &&
        m.subject === `[MeterIT] ${event}: ${a.title}` &&
        new RegExp(`/alerts/${a.id}(?!\\d)`).test(m.text),
    ).length;
  const told = (a: AlertRow) =>
    a.state === 'resolved' && a.fired_at !== null && mails(a, 'FIRING') > 0 && mails(a, 'RESOLVED') > 0;
  await waitUntil(
    'every queue-limit window to be alerted and e-mailed',
    async () => {
      for (const w of windows) {
        const rows = await alertsOf(w);
        if (rows.length === 0 || !rows.every(told)) return false;
      }
      return true;
    },
    30_000,
    500,
  ).catch(() => undefined);
  const alerts: QueueLimitAlert[] = [];
  const unalerted: Array<{ at: number; what: string }> = [];
  for (const w of windows) {
    const rows = await alertsOf(w);
    const firedWith = rows.length
      ? (
          (await s.client
            .db('alert_events')
            .whereIn(
              'alert_id',
              rows.map((r) => r.id),
            )
            .where({ type: 'firing' })
            .orderBy('id')
            .pluck('value')) as number[]
        ).map(Number)
      : [];
    alerts.push({
      alerts: rows.length,
      firedWith,
      firingMails: rows.reduce((n, a) => n + mails(a, 'FIRING'), 0),
      resolvedMails: rows.reduce((n, a) => n + mails(a, 'RESOLVED'), 0),
    });
    const at = new Date(w.outageAt).toISOString();
    if (rows.length === 0)
      unalerted.push({
        at: w.outageAt,
        what: `queue limit reached in the outage from ${at}, ${w.dropped} dropped + ${w.refused} refused: no queue-full alert`,
      });
    for (const a of rows.filter((r) => !told(r))) {
      unalerted.push({
        at: w.outageAt,
        what: `queue-full alert ${a.id} of the outage from ${at} ("${a.title}"): state ${a.state}, fired ${a.fired_at ? 'yes' : 'no'}, ${mails(a, 'FIRING')} FIRING and ${mails(a, 'RESOLVED')} RESOLVED e-mails to ${OPS_MAILBOX}`,
      });
    }
    const lost = w.dropped + w.refused;
    // Each episode tells what was lost since the queue filled; episodes of one window do not overlap.
    if (
      rows.length > 0 &&
      (firedWith.length === 0 || firedWith.some((v) => !(v > 0)) || firedWith.reduce((a, b) => a + b, 0) > lost)
    ) {
      unalerted.push({
        at: w.outageAt,
        what: `queue-full alert of the outage from ${at} fired with ${JSON.stringify(firedWith)} readings lost; the agent counted ${lost}`,
      });
    }
  }
  return { alerts, unalerted };
}

async function centralCount(s: System): Promise<number> {
  const r = await s.client.db('meter_readings').count<{ n: number }[]>('* as n');
  return Number(r[0]?.n ?? 0);
}

async function queueCounters(s: System): Promise<{ dropped: number; refused: number }> {
  const row = await s.agent
    .db('agent_state')
    .where({ key: 'queue_limit' })
    .first<{ value: { dropped?: number; refused?: number } } | undefined>('value');
  return { dropped: row?.value.dropped ?? 0, refused: row?.value.refused ?? 0 };
}

async function unsentCount(s: System): Promise<number> {
  const r = await s.agent.db('meter_readings').whereNull('synced_at').count<{ n: number }[]>('* as n');
  return Number(r[0]?.n ?? 0);
}

async function siteRows(s: System): Promise<Row[]> {
  return s.agent
    .db('meter_readings')
    .select('meter_external_id as meter', 'data_point', 'ts', 'value', 'unit', 'quality', 'synced_at as syncedAt');
}

async function centralRows(s: System): Promise<Row[]> {
  return s.client
    .db('meter_readings as r')
    .join('meters as m', 'm.id', 'r.meter_id')
    .where('m.site_id', s.siteId)
    .select('m.external_id as meter', 'r.data_point', 'r.ts', 'r.value', 'r.unit', 'r.quality');
}

export function formatReport(r: ChaosReport): string {
  const lines = [
    `chaos report (seed ${r.seed}, replay with --seed ${r.seed} --rounds ${r.rounds})`,
    `  rounds run:          ${r.rounds} (${r.roundsFailed} with a problem), ${(r.durationMs / 1000).toFixed(0)} s`,
    `  faults injected:     ${r.faultsInjected}`,
    ...Object.entries(r.faults)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `      ${String(v).padStart(4)} × ${k}`),
    `  values served:       ${r.served}`,
    `  collected (queued):  ${r.collected}`,
    `  never queued, explained: ${r.uncollectedExcused} ${JSON.stringify(r.excusedBy)}`,
    `  central readings:    ${r.centralRows}`,
    `  readings checked:    ${r.checked}`,
    `  queue limit:         ${r.queueLimit.dropped} dropped (oldest) + ${r.queueLimit.refused} refused by policy (${r.queueLimit.policies.join('; ') || 'not reached'}), ${r.droppedByPolicy} found missing for it, ${r.policyMismatches} mismatches; heartbeat reported ${JSON.stringify(r.queueLimit.reportedCentrally)}`,
    `  operators told:      ${r.queueLimit.alerts.map((a) => `${a.alerts} queue-full alert(s) fired with ${a.firedWith.join('/')} lost, ${a.firingMails} FIRING + ${a.resolvedMails} RESOLVED e-mails`).join('; ') || 'no queue-limit window'}${r.unalerted.length ? `, ${r.unalerted.length} not told` : ''}`,
    `  lost:                ${r.lost}`,
    `  duplicated:          ${r.duplicated}`,
    `  altered:             ${r.altered}`,
    `  dead letters:        ${r.deadLetters}`,
    `  crashes:             ${r.crashes.length}`,
    ...r.crashes.slice(0, 5).map((c) => `      ${c}`),
    ...r.problems.slice(0, 20).map((p) => `      ${p.kind}: ${p.what}`),
    ...r.unalerted.slice(0, 10).map((w) => `      not alerted: ${w}`),
  ];
  const passed = r.rounds - r.roundsFailed;
  lines.push(`chaos: ${passed} passed, ${r.roundsFailed} failed`);
  return lines.join('\n');
}
