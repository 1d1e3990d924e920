import { body, type ValidationChain } from 'express-validator';
import { check, describeType, isPlainObject, stringProblem } from '../../middleware/validate.js';
import { parseStrictIso } from '../readings/timestamps.js';

/** Size limits of one report: generous for a large site (hundreds of meters), small enough to keep it one row. */
export const COMMISSIONING_LIMITS = {
  /** Decoded JSON body. 2000 meters × 25 points is about 2.5 MB; a real site is far below. */
  bodyBytes: '4mb',
  lines: 2000,
  meters: 2000,
  pointsPerMeter: 500,
  pointsTotal: 50_000,
  text: 4000,
} as const;

type Problem = string | undefined;

const text = (name: string, v: unknown, min: number, max: number): Problem => stringProblem(name, min, max)(v);
const nullableText = (name: string, v: unknown, max: number): Problem =>
  v === null ? undefined : text(name, v, 0, max);
const bool = (name: string, v: unknown, nullable = false): Problem =>
  typeof v === 'boolean' || (nullable && v === null)
    ? undefined
    : `${name} must be true or false${nullable ? ' or null' : ''}, got ${describeType(v)}`;
const int = (name: string, v: unknown, min: number, max: number): Problem =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? undefined
    : `${name} must be a whole number from ${min} to ${max}, got ${describeType(v)}`;

function lineProblem(l: unknown, i: number): Problem {
  const at = `lines[${i}]`;
  if (!isPlainObject(l)) return `${at} must be an object {check, status, detail, fix?}, got ${describeType(l)}`;
  if (l.status !== 'pass' && l.status !== 'warn' && l.status !== 'fail')
    return `${at}.status must be "pass", "warn" or "fail", got ${describeType(l.status)}`;
  return (
    text(`${at}.check`, l.check, 1, 200) ??
    text(`${at}.detail`, l.detail, 0, COMMISSIONING_LIMITS.text) ??
    (l.fix === undefined ? undefined : text(`${at}.fix`, l.fix, 0, COMMISSIONING_LIMITS.text))
  );
}

function pointProblem(p: unknown, at: string): Problem {
  if (!isPlainObject(p)) return `${at} must be an object, got ${describeType(p)}`;
  const value =
    p.value === null || (typeof p.value === 'number' && Number.isFinite(p.value))
      ? undefined
      : `${at}.value must be a finite number or null, got ${describeType(p.value)}`;
  const ms =
    typeof p.response_ms === 'number' &&
    Number.isFinite(p.response_ms) &&
    p.response_ms >= 0 &&
    p.response_ms <= 3_600_000
      ? undefined
      : `${at}.response_ms must be a number of milliseconds from 0 to 3600000, got ${describeType(p.response_ms)}`;
  return (
    text(`${at}.name`, p.name, 1, 100) ??
    bool(`${at}.answered`, p.answered) ??
    value ??
    nullableText(`${at}.unit`, p.unit, 50) ??
    nullableText(`${at}.quality`, p.quality, 64) ??
    ms ??
    nullableText(`${at}.error`, p.error, COMMISSIONING_LIMITS.text)
  );
}

function meterProblem(m: unknown, i: number): Problem {
  const at = `meters[${i}]`;
  if (!isPlainObject(m))
    return `${at} must be an object {id, name, device_id, address, rpm_supported, points}, got ${describeType(m)}`;
  const basic =
    text(`${at}.id`, m.id, 1, 100) ??
    text(`${at}.name`, m.name, 0, 255) ??
    int(`${at}.device_id`, m.device_id, 0, 4_194_303) ??
    text(`${at}.address`, m.address, 1, 100) ??
    bool(`${at}.rpm_supported`, m.rpm_supported, true);
  if (basic) return basic;
  if (!Array.isArray(m.points)) return `${at}.points must be an array, got ${describeType(m.points)}`;
  if (m.points.length > COMMISSIONING_LIMITS.pointsPerMeter)
    return `${at}.points has ${m.points.length} entries; at most ${COMMISSIONING_LIMITS.pointsPerMeter} per meter`;
  for (const [j, p] of m.points.entries()) {
    const problem = pointProblem(p, `${at}.points[${j}]`);
    if (problem) return problem;
  }
  return undefined;
}

function listProblem(name: string, v: unknown, max: number, item: (x: unknown, i: number) => Problem): Problem {
  if (!Array.isArray(v)) return `${name} must be an array, got ${describeType(v)}`;
  if (v.length > max) return `${name} has ${v.length} entries; at most ${max}`;
  for (const [i, x] of v.entries()) {
    const problem = item(x, i);
    if (problem) return problem;
  }
  return undefined;
}

/** express-validator chains for POST /api/sync/commissioning: each top-level field names its first problem with its path. */
export function commissioningReportChains(): ValidationChain[] {
  return [
    body()
      .custom(
        check((v) =>
          isPlainObject(v)
            ? undefined
            : `the body must be the installer's commissioning report (a JSON object), got ${describeType(v)}`,
        ),
      )
      .bail(),
    body('site').custom(
      check((v) => {
        if (!isPlainObject(v)) return `site must be an object {id, name}, got ${describeType(v)}`;
        return (
          (v.id === null ? undefined : int('site.id', v.id, 1, 2_147_483_647)) ?? nullableText('site.name', v.name, 255)
        );
      }),
    ),
    // Strict, as reading timestamps: Date.parse takes 2026-02-30 (as 2 March), a time without zone (as local time) and any number of digits.
    body('created_at').custom(
      check((v) =>
        typeof v === 'string' && !('problem' in parseStrictIso(v))
          ? undefined
          : `created_at must be an ISO-8601 timestamp with seconds and a time zone such as 2025-06-01T12:00:00.000Z, got ${describeType(v)}`,
      ),
    ),
    body('agent_version').custom(check((v) => text('agent_version', v, 1, 64))),
    body('passed').custom(check((v) => bool('passed', v))),
    body('summary').custom(
      check((v) => {
        if (!isPlainObject(v)) return `summary must be an object {pass, warn, fail}, got ${describeType(v)}`;
        return (
          int('summary.pass', v.pass, 0, 1_000_000) ??
          int('summary.warn', v.warn, 0, 1_000_000) ??
          int('summary.fail', v.fail, 0, 1_000_000)
        );
      }),
    ),
    body('lines').custom(check((v) => listProblem('lines', v, COMMISSIONING_LIMITS.lines, lineProblem))),
    body('meters').custom(
      check((v) => {
        const problem = listProblem('meters', v, COMMISSIONING_LIMITS.meters, meterProblem);
        if (problem) return problem;
        const total = (v as { points: unknown[] }[]).reduce((n, m) => n + m.points.length, 0);
        return total > COMMISSIONING_LIMITS.pointsTotal
          ? `the report has ${total} data points; at most ${COMMISSIONING_LIMITS.pointsTotal}`
          : undefined;
      }),
    ),
  ];
}
