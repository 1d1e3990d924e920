// The fault-injection suite: start the whole system, let faults fire for a number of rounds, quiesce, and check that
// every collected reading arrived exactly once, unchanged, and that the operators heard of every queue-limit window.
import { writeFile } from 'node:fs/promises';
import type { MeterBehaviourInput } from '@meterit/simulator';
import { sleep, waitUntil } from '../harness/processes.js';
import { createRng, type Rng } from '../harness/rng.js';
import { queueLimitAlerts } from './alerts.js';
import type { ChaosRecord, FaultContext } from './fault-context.js';
import { faultCatalogue } from './faults.js';
import { roundOf, type ChaosReport } from './report.js';
import { checkAlive, runRounds } from './rounds.js';
import {
  BACNET_TIMEOUT_MS,
  centralCount,
  centralRows,
  deadLetterCount,
  queueCounters,
  siteRows,
  startSystem,
  unsentCount,
  type QueuePolicy,
  type System,
} from './system.js';
import { verify, type VerifyInput } from './verify.js';

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

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rng: Rng = createRng(opts.seed);
  const roundMs = opts.roundMs ?? 6000;
  const meterCount = opts.meters ?? 6;
  const record: ChaosRecord = {
    excuses: [],
    qualityChanges: [],
    faults: {},
    crashes: [],
    roundSpans: [],
    queueLimits: [],
    policies: [],
  };
  // The policy the agent starts with; the queue-limit fault switches to the other one while the queue is full, so each injection tries both.
  const queue = { policy: rng.pick<QueuePolicy>(['drop-oldest', 'stop-collecting']) };
  const cleanup: Array<() => Promise<unknown>> = [];

  try {
    log(`chaos: seed ${opts.seed}, ${opts.rounds} rounds of ${roundMs} ms, ${meterCount} meters`);
    const s = await startSystem({
      seed: opts.seed,
      meterCount,
      policy: queue.policy,
      excuses: record.excuses,
      cleanup,
    });
    const setBehaviour = (deviceId: number, b: MeterBehaviourInput) => {
      if (b.fault !== undefined)
        record.qualityChanges.push({ deviceId, index: s.sim.served().length, at: Date.now(), fault: b.fault });
      s.sim.setBehaviour(deviceId, b);
    };
    const ctx: FaultContext = { s, rng, record, queue, meterIds: s.sim.meters.map((m) => m.deviceId), setBehaviour };

    // Let the system reach steady state (meters registered, first batches through) before the first fault.
    await waitUntil('first readings centrally', async () => (await centralCount(s)) > 0, 60_000);
    await runRounds(ctx, faultCatalogue(ctx), { rounds: opts.rounds, roundMs, log });

    // Quiesce: meters stop serving, then the agent drains its queue through a clean network.
    await s.proxy.setMode({ kind: 'pass' });
    for (const id of ctx.meterIds) setBehaviour(id, { dead: true, delayMs: 0, refuseRpm: false });
    await sleep(BACNET_TIMEOUT_MS * 3);
    await waitUntil('the site queue to drain', async () => (await unsentCount(s)) === 0, 120_000, 250);
    checkAlive(s, record.crashes);

    const input: VerifyInput = {
      meters: s.sim.meters,
      served: s.sim.served(),
      site: await siteRows(s),
      central: await centralRows(s),
      excuses: record.excuses,
      qualityChanges: record.qualityChanges,
      queueLimits: record.queueLimits,
    };
    if (opts.dumpTo) await writeFile(opts.dumpTo, JSON.stringify(input));
    const verdict = verify(input);
    // Where an operator sees it: the agent's counters reach the client system in the heartbeat.
    const counters = await queueCounters(s);
    const reported = await reportedCentrally(s, counters);
    const { alerts, unalerted } = await queueLimitAlerts(s, record.queueLimits);
    const deadLetters = await deadLetterCount(s);
    const failedRounds = new Set<number>();
    for (const p of verdict.problems) failedRounds.add(roundOf(p, record.roundSpans));
    for (const w of unalerted) failedRounds.add(roundOf(w, record.roundSpans));
    return {
      ...verdict,
      seed: opts.seed,
      rounds: opts.rounds,
      roundsFailed: failedRounds.size + (record.crashes.length > 0 || deadLetters > 0 ? 1 : 0),
      unalerted: unalerted.map((w) => w.what),
      faultsInjected: Object.values(record.faults).reduce((a, b) => a + b, 0),
      faults: record.faults,
      crashes: record.crashes,
      deadLetters,
      queueLimit: {
        policies: record.policies,
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

/** The queue-limit counters the agent's last heartbeat told the client system, once they match the agent's own. */
async function reportedCentrally(
  s: System,
  counters: { dropped: number; refused: number },
): Promise<{ dropped: number; refused: number } | null> {
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
  return reported;
}
