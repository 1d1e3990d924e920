// The installer's commissioning report as the client system receives, stores and serves it: the schema and
// the types are in @meterit/shared (commissioning-contracts.ts), where the web app reads them too.
export type {
  CommissioningLine,
  CommissioningMeter,
  CommissioningPoint,
  CommissioningReportBody,
  CommissioningReportSummary,
  CommissioningResponse,
  CommissioningStatus,
  CommissioningUploadResponse,
  StoredCommissioningReport,
} from '@meterit/shared';
