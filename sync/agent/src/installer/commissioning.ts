import type { ReportLine } from './machine-checks.js';

export interface CommissioningReport {
  site: { id: number | null; name: string | null };
  created_at: string;
  agent_version: string;
  passed: boolean;
  summary: { pass: number; warn: number; fail: number };
  lines: ReportLine[];
  meters: Array<{
    id: string;
    name: string;
    device_id: number;
    address: string;
    rpm_supported: boolean | null;
    points: Array<{
      name: string;
      answered: boolean;
      value: number | null;
      unit: string | null;
      quality: string | null;
      response_ms: number;
      error: string | null;
    }>;
  }>;
}

export function buildReport(
  r: Omit<CommissioningReport, 'passed' | 'summary' | 'created_at'>,
  now = new Date(),
): CommissioningReport {
  const summary = { pass: 0, warn: 0, fail: 0 };
  for (const l of r.lines) summary[l.status] += 1;
  return { ...r, created_at: now.toISOString(), passed: summary.fail === 0, summary };
}

/** The report line of a meter at whose address another device answers: both ids, nothing read. */
export function wrongDeviceDetail(expected: number, found: number | null, address: string): string {
  return found === null
    ? `wrong device: configured as device ${expected}, but the device at ${address} is not device ${expected}; nothing read from it is used`
    : `wrong device: configured as device ${expected}, but device ${found} answers at ${address}; nothing read from it is used`;
}

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/** The report as an installer reads it: one line per check, and what to do about each problem. */
export function formatReport(r: CommissioningReport): string {
  const out: string[] = [];
  out.push(`MeterIT commissioning report — site ${r.site.name ?? '(unknown)'}${r.site.id ? ` (id ${r.site.id})` : ''}`);
  out.push(`${r.created_at}   agent ${r.agent_version}`);
  out.push('');
  for (const l of r.lines) {
    out.push(`[${MARK[l.status]}] ${l.check}: ${l.detail}`);
    if (l.fix && l.status !== 'pass') out.push(`       → ${l.fix}`);
  }
  if (r.meters.length > 0) {
    out.push('');
    out.push('Meters and data points:');
    for (const m of r.meters) {
      const rpm = m.rpm_supported === null ? 'unknown' : m.rpm_supported ? 'yes' : 'no (read point by point)';
      out.push(`  ${m.id}  "${m.name}"  device ${m.device_id} at ${m.address}  ReadPropertyMultiple: ${rpm}`);
      for (const p of m.points) {
        out.push(
          p.answered
            ? `    [${p.quality === 'good' ? 'PASS' : 'WARN'}] ${p.name} = ${p.value === null ? '-' : Number(p.value.toPrecision(7))} ${p.unit ?? ''}  quality ${p.quality}  ${p.response_ms} ms`
            : `    [FAIL] ${p.name}: no answer (${p.error ?? 'unknown error'})`,
        );
      }
    }
  }
  out.push('');
  out.push(
    r.passed
      ? `RESULT: PASS (${r.summary.pass} passed, ${r.summary.warn} warnings)`
      : `RESULT: FAIL (${r.summary.fail} failed, ${r.summary.warn} warnings, ${r.summary.pass} passed) — fix the lines marked FAIL and run the setup again`,
  );
  return out.join('\n');
}
