// The rounds of normal operation during which faults fire: covering rounds first, then random ones.
import { alive, sleep } from '../harness/processes.js';
import { restartUntilUp, type Fault, type FaultContext } from './fault-context.js';
import { COVER_ORDER } from './faults.js';
import type { System } from './system.js';

export interface RoundOptions {
  rounds: number;
  roundMs: number;
  log: (line: string) => void;
}

/** Note a process that died without being killed by the suite. */
export function checkAlive(s: System, crashes: string[]): void {
  if (!alive(s.agent.proc))
    crashes.push(
      `agent exited by itself (code ${s.agent.proc.child.exitCode}): ${s.agent.proc.output.join('').slice(-600)}`,
    );
  if (!alive(s.client.proc))
    crashes.push(
      `client API exited by itself (code ${s.client.proc.child.exitCode}): ${s.client.proc.output.join('').slice(-600)}`,
    );
}

export async function runRounds(ctx: FaultContext, catalogue: Array<() => Fault>, opts: RoundOptions): Promise<void> {
  const { s, record } = ctx;
  if (new Set(COVER_ORDER).size !== catalogue.length) throw new Error('COVER_ORDER must name every kind of fault once');
  for (let round = 1; round <= opts.rounds; round++) {
    const from = Date.now();
    const names = await runRound(ctx, catalogue, round, opts.roundMs);
    checkAlive(s, record.crashes);
    // A process that died by itself is a finding; bring it back so the round's data can still be checked.
    if (!alive(s.agent.proc)) {
      record.excuses.push({ kind: 'agent crashed', from: from - 1500, to: Date.now() + 60_000 });
      await restartUntilUp('the agent', () => s.agent.restart());
    }
    if (!alive(s.client.proc)) await restartUntilUp('the client API', () => s.client.restart());
    record.roundSpans.push({ from, to: Date.now() });
    opts.log(`chaos: round ${round}/${opts.rounds}: ${names.join(', ') || 'no fault'}`);
  }
}

/** One round: its faults fire at random moments in its first 60 %; answers the names of those injected. */
async function runRound(
  { rng, record }: FaultContext,
  catalogue: Array<() => Fault>,
  round: number,
  roundMs: number,
): Promise<string[]> {
  const busy = new Set<string>();
  const running: Promise<void>[] = [];
  // The first rounds walk the catalogue two kinds at a time, so even the short form injects every kind once;
  // later rounds pick 1–3 faults at random.
  const covering = (round - 1) * 2 < catalogue.length;
  const n = covering ? 2 : rng.int(1, 3);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const make = covering ? catalogue[COVER_ORDER[((round - 1) * 2 + i) % COVER_ORDER.length]!]! : rng.pick(catalogue);
    let fault = make();
    // A meter fault may draw a meter already in trouble this round: draw again.
    for (let tries = 0; tries < 5 && fault.resources.some((r) => busy.has(r)); tries++) fault = make();
    if (fault.resources.some((r) => busy.has(r))) continue;
    for (const r of fault.resources) busy.add(r);
    const at = rng.int(0, Math.floor(roundMs * 0.6));
    names.push(`${fault.name} @${at}ms`);
    record.faults[fault.name] = (record.faults[fault.name] ?? 0) + 1;
    running.push(
      (async () => {
        await sleep(at);
        await fault.run();
      })(),
    );
  }
  await Promise.all([...running, sleep(roundMs)]);
  return names;
}
