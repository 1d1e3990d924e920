import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../src/chaos/run.js';

// The short form of the fault-injection suite (CI). The long form: pnpm test:chaos -- --rounds 100.
const rounds = Number(process.env.CHAOS_ROUNDS ?? 7);
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('fault injection (short form)', () => {
  it(`when agent, API, databases, network and meters fail at random moments over ${rounds} rounds, then every collected reading arrives exactly once, unchanged`, async () => {
    const report = await runChaos({ rounds, seed, roundMs: 5000, log: () => undefined });
    if (rounds >= 7) expect(Object.keys(report.faults).length, 'every kind of fault injected at least once').toBeGreaterThanOrEqual(14);
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.faultsInjected).toBeGreaterThanOrEqual(rounds);
    expect(report.collected).toBeGreaterThan(100);
    expect(report.crashes).toEqual([]);
    expect(report.problems.slice(0, 10)).toEqual([]);
    expect({ lost: report.lost, duplicated: report.duplicated, altered: report.altered, deadLetters: report.deadLetters }).toEqual({
      lost: 0,
      duplicated: 0,
      altered: 0,
      deadLetters: 0,
    });
  });
});
