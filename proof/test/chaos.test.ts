import { describe, expect, it } from 'vitest';
import { COVER_ORDER } from '../src/chaos/faults.js';
import { formatReport } from '../src/chaos/report.js';
import { runChaos } from '../src/chaos/run.js';

// The short form of the fault-injection suite (CI). The long form: pnpm test:chaos -- --rounds 100.
const rounds = Number(process.env.CHAOS_ROUNDS ?? 8);
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('fault injection (short form)', () => {
  it(`when agent, API, databases, network and meters fail at random moments over ${rounds} rounds (one of them an outage long enough to fill the site queue), then every collected reading arrives exactly once, unchanged, and only what the queue-limit policy counted is missing, and the operators got the queue-full alert by e-mail`, async () => {
    const report = await runChaos({ rounds, seed, roundMs: 5000, log: () => undefined });
    expect(rounds, 'the short form needs its 8 covering rounds').toBeGreaterThanOrEqual(COVER_ORDER.length / 2);
    expect(Object.keys(report.faults).length, 'every kind of fault injected at least once').toBe(COVER_ORDER.length);
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.faultsInjected).toBeGreaterThanOrEqual(rounds);
    expect(report.collected).toBeGreaterThan(100);
    expect(report.crashes).toEqual([]);
    expect(report.problems.slice(0, 10)).toEqual([]);
    // The short form always injects the queue-limit outage (its covering rounds walk every kind of fault).
    expect(report.faults['queue limit reached during an uplink outage'], 'queue limit injected').toBeGreaterThan(0);
    // Both policies acted, every reading they dropped or refused was counted (and only those are missing), and the
    // client system heard of it in the heartbeat.
    expect(report.queueLimit.dropped).toBeGreaterThan(0);
    expect(report.queueLimit.refused).toBeGreaterThan(0);
    expect(report.droppedByPolicy).toBe(report.queueLimit.dropped + report.queueLimit.refused);
    expect(report.queueLimit.reportedCentrally).toEqual({
      dropped: report.queueLimit.dropped,
      refused: report.queueLimit.refused,
    });
    // And the operators were told: a queue-full alert fired and resolved, with both e-mails in their mailbox.
    expect(report.queueLimit.alerts.length).toBeGreaterThan(0);
    for (const a of report.queueLimit.alerts) {
      expect(a.alerts).toBeGreaterThan(0);
      expect(a.firingMails).toBeGreaterThanOrEqual(a.alerts);
      expect(a.resolvedMails).toBeGreaterThanOrEqual(a.alerts);
    }
    expect(report.unalerted).toEqual([]);
    expect(report.policyMismatches).toBe(0);
    expect({
      lost: report.lost,
      duplicated: report.duplicated,
      altered: report.altered,
      deadLetters: report.deadLetters,
    }).toEqual({
      lost: 0,
      duplicated: 0,
      altered: 0,
      deadLetters: 0,
    });
  });
});
