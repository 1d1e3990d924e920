// The catalogue of faults the suite injects, and the order in which its covering rounds walk it.
import { sleep } from '../harness/processes.js';
import type { ProxyMode } from '../harness/proxy.js';
import { restartUntilUp, type Fault, type FaultContext } from './fault-context.js';
import { queueLimitFault } from './queue-limit-fault.js';
import { BACNET_TIMEOUT_MS, HTTP_TIMEOUT_SECONDS } from './system.js';
import type { Excuse } from './verify.js';

/**
 * Catalogue indexes paired so that no two faults of a covering round need the same resource. Every kind is here, the
 * queue-limit outage (14, paired with a meter fault) included, so the short form (8 rounds) injects each one.
 */
export const COVER_ORDER = [0, 4, 1, 5, 2, 6, 3, 7, 8, 10, 9, 14, 12, 13, 11];

/** Every kind of fault, in catalogue order (COVER_ORDER indexes it). Each call of an entry draws a new fault. */
export function faultCatalogue(ctx: FaultContext): Array<() => Fault> {
  return [...processFaults(ctx), ...networkFaults(ctx), ...meterFaults(ctx), () => queueLimitFault(ctx)];
}

function processFaults({ s, rng, record }: FaultContext): Array<() => Fault> {
  const span = (min: number, max: number) => rng.int(min, max);
  return [
    () => ({
      name: 'agent SIGKILL',
      resources: ['agent'],
      run: async () => {
        // A value served just before the kill may still be on its way into the queue.
        const excuse: Excuse = { kind: 'agent killed', from: Date.now() - BACNET_TIMEOUT_MS - 500, to: Infinity };
        record.excuses.push(excuse);
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
  ];
}

function networkFaults({ s, rng }: FaultContext): Array<() => Fault> {
  const span = (min: number, max: number) => rng.int(min, max);
  /** The proxy misbehaves in `mode` for `hold` ms, then passes again; both are drawn when the fault runs. */
  const onProxy =
    (name: string, mode: () => ProxyMode, hold: () => number): (() => Fault) =>
    () => ({
      name,
      resources: ['proxy'],
      run: async () => {
        await s.proxy.setMode(mode());
        await sleep(hold());
        await s.proxy.setMode({ kind: 'pass' });
      },
    });
  return [
    onProxy(
      'proxy refuses connections',
      () => ({ kind: 'refuse' }),
      () => span(1000, 3000),
    ),
    onProxy(
      'proxy stalls until the agent times out',
      () => ({ kind: 'stall' }),
      () => HTTP_TIMEOUT_SECONDS * 1000 + span(200, 1500),
    ),
    onProxy(
      'proxy cuts the answer after N bytes',
      () => ({ kind: 'cut', cutAfterBytes: span(0, 400) }),
      () => span(1500, 3500),
    ),
    onProxy(
      'proxy slow bandwidth',
      () => ({ kind: 'slow', bytesPerSecond: span(200, 2000) }),
      () => span(2000, 4000),
    ),
  ];
}

function meterFaults({ s, rng, record, meterIds, setBehaviour }: FaultContext): Array<() => Fault> {
  const span = (min: number, max: number) => rng.int(min, max);
  /** A fault of one meter drawn at random; `run` gets its device id. */
  const onMeter =
    (name: string, run: (id: number) => Promise<void>): (() => Fault) =>
    () => {
      const id = rng.pick(meterIds);
      return { name, resources: [`meter:${id}`], run: () => run(id) };
    };
  return [
    onMeter('meter dies and comes back', async (id) => {
      setBehaviour(id, { dead: true });
      await sleep(span(1000, 4000));
      setBehaviour(id, { dead: false });
    }),
    onMeter('meter socket closed and reopened', async (id) => {
      await s.sim.stopMeter(id);
      await sleep(span(1000, 3000));
      await s.sim.startMeter(id);
    }),
    onMeter('meter answers slowly (in time)', async (id) => {
      setBehaviour(id, { delayMs: span(100, 500) });
      await sleep(span(2000, 4000));
      setBehaviour(id, { delayMs: 0 });
    }),
    onMeter('meter answers after the agent timeout', async (id) => {
      const delay = span(BACNET_TIMEOUT_MS + 300, BACNET_TIMEOUT_MS + 1000);
      const excuse: Excuse = {
        kind: 'meter answered after the agent timeout',
        from: Date.now(),
        to: Infinity,
        deviceId: id,
      };
      record.excuses.push(excuse);
      setBehaviour(id, { delayMs: delay });
      await sleep(span(2000, 4000));
      setBehaviour(id, { delayMs: 0 });
      excuse.to = Date.now() + delay + 500;
    }),
    onMeter('meter refuses ReadPropertyMultiple', async (id) => {
      setBehaviour(id, { refuseRpm: rng.pick(['reject', 'error'] as const) });
      await sleep(span(2000, 4000));
      setBehaviour(id, { refuseRpm: false });
    }),
    onMeter('meter reports a fault', async (id) => {
      setBehaviour(id, { fault: true });
      await sleep(span(1500, 3000));
      setBehaviour(id, { fault: false });
    }),
  ];
}
