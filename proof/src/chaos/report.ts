// The chaos run's report: its figures, and the text the CLI and the test print.
import type { QueueLimitAlert } from './alerts.js';
import type { Problem, Verdict } from './verify.js';

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

export function roundOf(p: Pick<Problem, 'at'>, spans: Array<{ from: number; to: number }>): number {
  const i = spans.findIndex((s) => p.at <= s.to);
  return i < 0 ? spans.length : i + 1;
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
