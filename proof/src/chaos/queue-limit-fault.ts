// The queue-limit fault: an uplink outage long enough to fill the site queue, its policy switched with a graceful
// restart while the queue is full, so each injection sees both policies act.
import { sleep, waitUntil } from '../harness/processes.js';
import { restartUntilUp, type Fault, type FaultContext } from './fault-context.js';
import {
  BACNET_TIMEOUT_MS,
  BATCH_SIZE,
  MAX_IN_FLIGHT,
  QUEUE_MAX_READINGS,
  queueCounters,
  unsentCount,
  type QueuePolicy,
  type System,
} from './system.js';
import type { QueueLimitWindow } from './verify.js';

type Counters = { dropped: number; refused: number };

export function queueLimitFault(ctx: FaultContext): Fault {
  return {
    name: 'queue limit reached during an uplink outage',
    resources: ['proxy', 'agent', 'api', 'site-db'],
    run: () => queueLimitOutage(ctx),
  };
}

const counterOf = (c: Counters, p: QueuePolicy) => (p === 'drop-oldest' ? c.dropped : c.refused);

async function queueLimitOutage(ctx: FaultContext): Promise<void> {
  const { s, rng, record, queue } = ctx;
  const outageAt = Date.now();
  const before = await queueCounters(s);
  const sampler = sampleCounters(s, before, outageAt);
  const first = queue.policy;
  let restart: { at: number; from: number; to: number }, backAt: number;
  try {
    await s.proxy.setMode({ kind: 'refuse' });
    // Until the backlog reaches the limit and the policy acts: about 40 s.
    await waitUntil(
      `the ${first} policy to act`,
      async () => counterOf(await queueCounters(s), first) > counterOf(before, first),
      180_000,
      250,
    );
    await sleep(rng.int(1000, 2500));
    // The other policy, while the queue is still full: a graceful restart with QUEUE_FULL_POLICY changed.
    queue.policy = first === 'drop-oldest' ? 'stop-collecting' : 'drop-oldest';
    restart = await restartWithPolicy(ctx, queue.policy);
    await sleep(rng.int(1000, 2500));
    await s.proxy.setMode({ kind: 'pass' });
    backAt = Date.now();
    await backlogDrained(s);
  } finally {
    await sampler.stop();
  }
  const after = await queueCounters(s);
  const to = Date.now();
  record.queueLimits.push({
    from: outageAt - 3000,
    outageAt,
    backAt,
    to,
    dropped: after.dropped - before.dropped,
    refused: after.refused - before.refused,
    phases: [
      { policy: first, from: outageAt, to: restart.at },
      { policy: queue.policy, from: restart.at, to },
    ],
    counters: sampler.counters,
    batchSize: BATCH_SIZE,
    maxInFlight: MAX_IN_FLIGHT,
    restart: { from: restart.from, to: restart.to },
  });
  record.policies.push(`${first} then ${queue.policy}`);
}

/**
 * When each drop and refusal happened (to 250 ms), for the checker: what drop-oldest may delete depends on what was
 * sent by then.
 */
function sampleCounters(
  s: System,
  before: Counters,
  outageAt: number,
): { counters: QueueLimitWindow['counters']; stop(): Promise<void> } {
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
  return {
    counters,
    stop: async () => {
      sampling = false;
      await sampler;
    },
  };
}

/** A graceful restart of the agent with another QUEUE_FULL_POLICY, until that policy acts too. */
async function restartWithPolicy(
  { s, record }: FaultContext,
  policy: QueuePolicy,
): Promise<{ at: number; from: number; to: number }> {
  s.agent.env.QUEUE_FULL_POLICY = policy;
  const at = Date.now();
  const from = at - BACNET_TIMEOUT_MS - 500;
  const stopping = s.agent.proc;
  await s.agent.stop();
  // After the stop: what the first policy did is final.
  const mid = await queueCounters(s);
  // A graceful stop stores what it read; one that had to be killed would lose it.
  if (stopping.child.signalCode === 'SIGKILL')
    record.crashes.push(`the agent did not stop within 15 s of SIGTERM: ${stopping.output.join('').slice(-600)}`);
  // Nothing else is down here: an attempt that fails is the agent failing to start.
  await restartUntilUp(
    'the agent',
    () => s.agent.restart(),
    (err) => record.crashes.push(`the agent did not come back after a graceful restart: ${err.message.slice(0, 600)}`),
  );
  // The new process's first poll may still be under way a tick and a timeout later.
  const to = Date.now() + 1000 + BACNET_TIMEOUT_MS + 500;
  await waitUntil(
    `the ${policy} policy to act`,
    async () => counterOf(await queueCounters(s), policy) > counterOf(mid, policy),
    60_000,
    250,
  );
  return { at, from, to };
}

/** The backlog drains; the counters stop growing once the agent counts the queue below its limit again. */
async function backlogDrained(s: System): Promise<void> {
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
}
