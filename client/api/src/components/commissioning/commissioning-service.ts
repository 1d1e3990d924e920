import type { Knex } from 'knex';
import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthenticatedSite } from '../../types.js';
import { CommissioningRepository } from './commissioning-repository.js';
import type {
  CommissioningReportBody,
  CommissioningResponse,
  CommissioningUploadResponse,
  StoredCommissioningReport,
} from './types.js';

/** Reports kept per site; older ones are removed when a new one arrives. */
export const COMMISSIONING_REPORTS_KEPT = 100;

export class CommissioningService {
  private readonly repo: CommissioningRepository;

  constructor(knex: Knex) {
    this.repo = new CommissioningRepository(knex);
  }

  /**
   * Store an installer's report for the site whose key sent it. The counts and `passed` are taken from
   * the lines themselves, so the page never shows "passed" above a FAIL line.
   */
  async store(
    site: AuthenticatedSite,
    report: CommissioningReportBody,
    requestId: string | null,
  ): Promise<CommissioningUploadResponse> {
    if (report.site.id !== null && report.site.id !== site.id) {
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        `the report is for site ${report.site.id}, but this API key belongs to site ${site.id}; run setup-site with this site's key`,
        [{ field: 'site.id', message: `must be ${site.id} (the site of this API key) or null` }],
      );
    }
    const summary = { pass: 0, warn: 0, fail: 0 };
    for (const l of report.lines) summary[l.status] += 1;
    const stored: CommissioningReportBody = {
      site: { id: site.id, name: report.site.name },
      created_at: new Date(report.created_at).toISOString(),
      agent_version: report.agent_version,
      passed: summary.fail === 0,
      summary,
      lines: report.lines.map((l) => ({
        check: l.check,
        status: l.status,
        detail: l.detail,
        ...(l.fix !== undefined ? { fix: l.fix } : {}),
      })),
      meters: report.meters.map((m) => ({
        id: m.id,
        name: m.name,
        device_id: m.device_id,
        address: m.address,
        rpm_supported: m.rpm_supported,
        points: m.points.map((p) => ({
          name: p.name,
          answered: p.answered,
          value: p.value,
          unit: p.unit,
          quality: p.quality,
          response_ms: p.response_ms,
          error: p.error,
        })),
      })),
    };
    const row = await this.repo.insert(site.id, stored, requestId, COMMISSIONING_REPORTS_KEPT);
    return { report_id: row.id, received_at: row.received_at.toISOString() };
  }

  /** The newest report in full and the history (summaries, newest first). 404 for an unknown site. */
  async forSite(siteId: number, limit: number): Promise<CommissioningResponse> {
    await this.assertSite(siteId);
    const [latest, reports] = await Promise.all([this.repo.get(siteId), this.repo.list(siteId, limit)]);
    return { latest, reports };
  }

  async one(siteId: number, reportId: number): Promise<StoredCommissioningReport> {
    await this.assertSite(siteId);
    const report = await this.repo.get(siteId, reportId);
    if (!report) throw new ApiError(404, ErrorCode.NOT_FOUND, `site ${siteId} has no commissioning report ${reportId}`);
    return report;
  }

  private async assertSite(siteId: number): Promise<void> {
    if (!(await this.repo.siteExists(siteId)))
      throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${siteId}`);
  }
}
