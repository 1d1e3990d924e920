/**
 * The installer's commissioning report (sync/agent/src/installer/commissioning.ts `CommissioningReport`)
 * as the client system stores and serves it. Kept here rather than in @meterit/shared because only this
 * API and the web app read it; the agent sends it as opaque JSON.
 */
export type CommissioningStatus = 'pass' | 'warn' | 'fail';

export interface CommissioningLine {
  check: string;
  status: CommissioningStatus;
  detail: string;
  fix?: string;
}

export interface CommissioningPoint {
  name: string;
  answered: boolean;
  value: number | null;
  unit: string | null;
  quality: string | null;
  response_ms: number;
  error: string | null;
}

export interface CommissioningMeter {
  id: string;
  name: string;
  device_id: number;
  address: string;
  rpm_supported: boolean | null;
  points: CommissioningPoint[];
}

export interface CommissioningReportBody {
  site: { id: number | null; name: string | null };
  created_at: string;
  agent_version: string;
  passed: boolean;
  summary: { pass: number; warn: number; fail: number };
  lines: CommissioningLine[];
  meters: CommissioningMeter[];
}

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
