// What every fault is given, and what the run notes down while faults fire.
import type { MeterBehaviourInput } from '@meterit/simulator';
import { sleep } from '../harness/processes.js';
import type { Rng } from '../harness/rng.js';
import type { QueuePolicy, System } from './system.js';
import type { Excuse, QualityChange, QueueLimitWindow } from './verify.js';

export interface Fault {
  name: string;
  resources: string[];
  run(): Promise<void>;
}

/** What the run notes down for the checker and the report while faults fire. */
export interface ChaosRecord {
  excuses: Excuse[];
  qualityChanges: QualityChange[];
  /** Injections per fault name. */
  faults: Record<string, number>;
  /** Processes that died without being killed by the suite. */
  crashes: string[];
  roundSpans: Array<{ from: number; to: number }>;
  queueLimits: QueueLimitWindow[];
  policies: string[];
}

export interface FaultContext {
  s: System;
  rng: Rng;
  record: ChaosRecord;
  /** The agent's QUEUE_FULL_POLICY now; the queue-limit fault switches it. */
  queue: { policy: QueuePolicy };
  meterIds: number[];
  /** Change a meter's behaviour, noting a change of its fault flag for the checker. */
  setBehaviour(deviceId: number, b: MeterBehaviourInput): void;
}

/** Restart a process until it comes up: its database may be down at that moment (another fault). */
export async function restartUntilUp(
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
