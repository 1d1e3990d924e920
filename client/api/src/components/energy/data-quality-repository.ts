import type { Knex } from 'knex';
import type { DataQualityIssue, DataQualityKind } from '@meterit/shared';

/**
 * A site's counter events as data-quality issues: one per kind an event is (a gap that ends in a reset is a gap and
 * a reset), except that an impossible step is only that (its energy is counted nowhere, so not spread as a gap's).
 */
const ISSUES = `
  SELECT e.*, k.kind AS issue FROM energy_counter_events e
   CROSS JOIN LATERAL (
     SELECT 'gap' AS kind WHERE e.gap AND e.kind <> 'impossible'
     UNION ALL SELECT e.kind WHERE e.kind IN ('reset', 'rollover', 'impossible')) k
   WHERE e.site_id = ? AND e.t1 >= ? AND e.t1 < ?`;

interface IssueRow {
  kind: DataQualityKind;
  meter_id: number;
  meter_external_id: string;
  meter_name: string;
  data_point: string;
  t0: Date;
  t1: Date;
  v0: number;
  v1: number;
  energy_kwh: number;
}

/** The SQL of the data-quality list: reads what the rollups stored in energy_counter_events. */
export class DataQualityRepository {
  constructor(private readonly knex: Knex) {}

  async counts(siteId: number, from: Date, to: Date): Promise<Record<DataQualityKind, number>> {
    const { rows } = await this.knex.raw<{ rows: { issue: DataQualityKind; n: number }[] }>(
      `SELECT issue, count(*)::int AS n FROM (${ISSUES}) i GROUP BY issue`,
      [siteId, from, to],
    );
    const out = { gap: 0, reset: 0, rollover: 0, impossible: 0 };
    for (const r of rows) out[r.issue] = r.n;
    return out;
  }

  /** Newest first (by the step's end), then by meter and data point, so pages are stable. */
  async issues(siteId: number, from: Date, to: Date, limit: number, offset: number): Promise<DataQualityIssue[]> {
    const { rows } = await this.knex.raw<{ rows: IssueRow[] }>(
      `SELECT i.issue AS kind, i.meter_id, m.external_id AS meter_external_id, m.name AS meter_name, i.data_point,
              i.t0, i.t1, i.v0, i.v1, i.energy_kwh
         FROM (${ISSUES}) i JOIN meters m ON m.id = i.meter_id AND m.site_id = i.site_id
        ORDER BY i.t1 DESC, i.meter_id, i.data_point, i.issue
        LIMIT ? OFFSET ?`,
      [siteId, from, to, limit, offset],
    );
    return rows.map((r) => ({
      kind: r.kind,
      meter_id: r.meter_id,
      meter_external_id: r.meter_external_id,
      meter_name: r.meter_name,
      data_point: r.data_point,
      from: r.t0.toISOString(),
      to: r.t1.toISOString(),
      minutes: (r.t1.getTime() - r.t0.getTime()) / 60_000,
      from_value: r.v0,
      to_value: r.v1,
      energy_kwh: Math.round(r.energy_kwh * 1e6) / 1e6,
    }));
  }
}
