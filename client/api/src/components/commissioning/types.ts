// The installer's commissioning report as the client system stores and serves it; the upload's schema and
// its types are in @meterit/shared (commissioning-contracts.ts).
import type { CommissioningReportBody } from '@meterit/shared';

export type {
  CommissioningLine,
  CommissioningMeter,
  CommissioningPoint,
  CommissioningReportBody,
  CommissioningStatus,
} from '@meterit/shared';

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
