// The installer's commissioning report (scripts/setup-site → POST /api/sync/commissioning) and how the client
// system serves it back: one zod schema for the upload, types from z.infer. Browser-safe: no Node imports.
import { z } from 'zod';
import {
  bool,
  describeType,
  fieldName,
  finite,
  firstProblems,
  isoTime,
  list,
  object,
  oneOf,
  text,
  wholeNumber,
  type IssueAt,
} from './schema-kit.js';

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

const mustBe = (what: string) => (iss: IssueAt) =>
  `${fieldName(iss.path)} must be ${what}, got ${describeType(iss.input)}`;
const note = (max: number) => text(0, max).nullable();

export const COMMISSIONING_STATUSES = ['pass', 'warn', 'fail'] as const;
export type CommissioningStatus = (typeof COMMISSIONING_STATUSES)[number];

export const CommissioningLineSchema = z.object(
  {
    status: oneOf(COMMISSIONING_STATUSES, '"pass", "warn" or "fail"'),
    check: text(1, 200),
    detail: text(0, COMMISSIONING_LIMITS.text),
    fix: text(0, COMMISSIONING_LIMITS.text).optional(),
  },
  { error: mustBe('an object {check, status, detail, fix?}') },
);
export type CommissioningLine = z.infer<typeof CommissioningLineSchema>;

export const CommissioningPointSchema = z.object(
  {
    name: text(1, 100),
    answered: bool(),
    value: finite('a finite number or null').nullable(),
    unit: note(50),
    quality: note(64),
    response_ms: finite('a number of milliseconds from 0 to 3600000', { min: 0, max: 3_600_000 }),
    error: note(COMMISSIONING_LIMITS.text),
  },
  { error: mustBe('an object') },
);
export type CommissioningPoint = z.infer<typeof CommissioningPointSchema>;

export const CommissioningMeterSchema = z.object(
  {
    id: text(1, 100),
    name: text(0, 255),
    device_id: wholeNumber(0, 4_194_303),
    address: text(1, 100),
    rpm_supported: bool().nullable(),
    points: list(
      CommissioningPointSchema,
      COMMISSIONING_LIMITS.pointsPerMeter,
      (n, name) => `${name} has ${n} entries; at most ${COMMISSIONING_LIMITS.pointsPerMeter} per meter`,
    ),
  },
  { error: mustBe('an object {id, name, device_id, address, rpm_supported, points}') },
);
export type CommissioningMeter = z.infer<typeof CommissioningMeterSchema>;

const entries = (max: number) => (n: number, name: string) => `${name} has ${n} entries; at most ${max}`;

/** The upload; each top-level field names its first problem with its path (a report can list 50,000 points). */
export const CommissioningReportSchema = object(
  {
    site: object(
      { id: wholeNumber(1, 2_147_483_647).nullable(), name: note(255) },
      (input) => `site must be an object {id, name}, got ${describeType(input)}`,
    ),
    // Strict, as reading timestamps: Date.parse takes 2026-02-30 (as 2 March), a time without zone and any number of digits.
    created_at: isoTime({
      message: 'must be an ISO-8601 timestamp with seconds and a time zone such as 2025-06-01T12:00:00.000Z',
    }),
    agent_version: text(1, 64),
    passed: bool(),
    summary: object(
      { pass: wholeNumber(0, 1_000_000), warn: wholeNumber(0, 1_000_000), fail: wholeNumber(0, 1_000_000) },
      (input) => `summary must be an object {pass, warn, fail}, got ${describeType(input)}`,
    ),
    lines: firstProblems(
      'lines',
      list(CommissioningLineSchema, COMMISSIONING_LIMITS.lines, entries(COMMISSIONING_LIMITS.lines)),
    ),
    meters: firstProblems(
      'meters',
      list(CommissioningMeterSchema, COMMISSIONING_LIMITS.meters, entries(COMMISSIONING_LIMITS.meters)).refine(
        (ms) => ms.reduce((n, m) => n + m.points.length, 0) <= COMMISSIONING_LIMITS.pointsTotal,
        {
          error: (iss) =>
            `the report has ${(iss.input as { points: unknown[] }[]).reduce((n, m) => n + m.points.length, 0)} data points; at most ${COMMISSIONING_LIMITS.pointsTotal}`,
        },
      ),
    ),
  },
  (input) => `the body must be the installer's commissioning report (a JSON object), got ${describeType(input)}`,
);
export type CommissioningReportBody = z.infer<typeof CommissioningReportSchema>;

/** One stored report without its lines and meters (the history list). */
export interface CommissioningReportSummary {
  id: number;
  site_id: number;
  received_at: string;
  created_at: string;
  agent_version: string;
  passed: boolean;
  summary: { pass: number; warn: number; fail: number };
  meters: number;
  request_id: string | null;
}

export interface StoredCommissioningReport extends CommissioningReportSummary {
  report: CommissioningReportBody;
}

/** GET /api/sites/:id/commissioning */
export interface CommissioningResponse {
  latest: StoredCommissioningReport | null;
  reports: CommissioningReportSummary[];
}

/** POST /api/sync/commissioning → 201 */
export interface CommissioningUploadResponse {
  report_id: number;
  received_at: string;
}
