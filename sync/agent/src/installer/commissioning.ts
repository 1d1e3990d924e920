import type { MeterConfig } from '@meterit/shared';
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

/** One meter's first read as a report line: wrong device, nothing answered, some points silent or flagged, or all well. */
export function meterReadLine(
  m: Pick<MeterConfig, 'id' | 'bacnet_device_id' | 'bacnet_ip' | 'bacnet_port'>,
  points: CommissioningReport['meters'][number]['points'],
  /** The WRONG_DEVICE result among the meter's reads, if any. */
  wrong: { foundDeviceId?: number | null | undefined } | undefined,
  ms: number,
  rpmSupported: boolean | null,
): ReportLine {
  const failed = points.filter((p) => !p.answered);
  const flagged = points.filter((p) => p.answered && p.quality !== 'good');
  return wrong
    ? {
        check: `Meter ${m.id}`,
        status: 'fail',
        detail: wrongDeviceDetail(
          m.bacnet_device_id,
          wrong.foundDeviceId ?? null,
          `${m.bacnet_ip}:${m.bacnet_port ?? 47808}`,
        ),
        fix: "set the meter's bacnet_device_id to the device that is really there, or its bacnet_ip to the address of the configured device (a DHCP change?)",
      }
    : failed.length === points.length
      ? {
          check: `Meter ${m.id}`,
          status: 'fail',
          detail: `no data point answered (${failed[0]?.error})`,
          fix: 'check the meter is powered and reachable, its device id and address, and its BACnet port',
        }
      : failed.length > 0
        ? {
            check: `Meter ${m.id}`,
            status: 'warn',
            detail: `${failed.length} of ${points.length} points did not answer: ${failed.map((p) => p.name).join(', ')}`,
            fix: 'remove those points from meters.json or check their object type and instance',
          }
        : flagged.length > 0
          ? {
              check: `Meter ${m.id}`,
              status: 'warn',
              detail: `answers, but reports ${flagged.map((p) => `${p.name}: ${p.quality}`).join(', ')}`,
              fix: 'the meter flags its own values (fault, alarm, overridden or out of service): check the meter itself',
            }
          : {
              check: `Meter ${m.id}`,
              status: 'pass',
              detail: `all ${points.length} points answered in ${ms} ms${rpmSupported === false ? ' (no ReadPropertyMultiple: read point by point, slower)' : ''}`,
            };
}
