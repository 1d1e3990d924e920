import type { Knex } from 'knex';
import type { CommissioningReportBody, CommissioningReportSummary, StoredCommissioningReport } from './types.js';

interface Row {
  id: number;
  site_id: number;
  received_at: Date;
  created_at: Date;
  agent_version: string;
  passed: boolean;
  pass_count: number;
  warn_count: number;
  fail_count: number;
  meter_count: number;
  request_id: string | null;
  report?: CommissioningReportBody;
}

const SUMMARY_COLUMNS =
  'id, site_id, received_at, created_at, agent_version, passed, pass_count, warn_count, fail_count, meter_count, request_id';

function summaryOf(r: Row): CommissioningReportSummary {
  return {
    id: r.id,
    site_id: r.site_id,
    received_at: r.received_at.toISOString(),
    created_at: r.created_at.toISOString(),
    agent_version: r.agent_version,
    passed: r.passed,
    summary: { pass: r.pass_count, warn: r.warn_count, fail: r.fail_count },
    meters: r.meter_count,
    request_id: r.request_id,
  };
}

export class CommissioningRepository {
  constructor(private readonly knex: Knex) {}

  async insert(
    siteId: number,
    report: CommissioningReportBody,
    requestId: string | null,
    keepPerSite: number,
  ): Promise<{ id: number; received_at: Date }> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { id: number; received_at: Date }[] }>(
        `INSERT INTO commissioning_reports (site_id, created_at, agent_version, passed, pass_count, warn_count, fail_count, meter_count, request_id, report)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id, received_at`,
        [
          siteId,
          report.created_at,
          report.agent_version,
          report.passed,
          report.summary.pass,
          report.summary.warn,
          report.summary.fail,
          report.meters.length,
          requestId,
          JSON.stringify(report),
        ],
      );
      // A script run in a loop must not grow the table without bound: keep the newest per site.
      await trx.raw(
        `DELETE FROM commissioning_reports WHERE site_id = ? AND id NOT IN (
           SELECT id FROM commissioning_reports WHERE site_id = ? ORDER BY id DESC LIMIT ?)`,
        [siteId, siteId, keepPerSite],
      );
      const row = rows[0];
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return row;
    });
  }

  async siteExists(siteId: number): Promise<boolean> {
    const { rows } = await this.knex.raw<{ rows: unknown[] }>('SELECT 1 FROM sites WHERE id = ?', [siteId]);
    return rows.length > 0;
  }

  async list(siteId: number, limit: number): Promise<CommissioningReportSummary[]> {
    const { rows } = await this.knex.raw<{ rows: Row[] }>(
      `SELECT ${SUMMARY_COLUMNS} FROM commissioning_reports WHERE site_id = ? ORDER BY id DESC LIMIT ?`,
      [siteId, limit],
    );
    return rows.map(summaryOf);
  }

  /** One report with its body; the newest when `id` is undefined. */
  async get(siteId: number, id?: number): Promise<StoredCommissioningReport | null> {
    const { rows } = await this.knex.raw<{ rows: Row[] }>(
      `SELECT ${SUMMARY_COLUMNS}, report FROM commissioning_reports WHERE site_id = ? AND (?::int IS NULL OR id = ?) ORDER BY id DESC LIMIT 1`,
      [siteId, id ?? null, id ?? null],
    );
    const r = rows[0];
    return r && r.report ? { ...summaryOf(r), report: r.report } : null;
  }
}
