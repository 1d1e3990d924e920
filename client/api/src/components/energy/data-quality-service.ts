import type { Knex } from 'knex';
import type { DataQualityResponse } from '@meterit/shared';
import { DataQualityRepository } from './data-quality-repository.js';
import type { RollupUpkeep } from './rollup-upkeep.js';

export interface DataQualityRange {
  from: Date;
  to: Date;
  limit: number;
  offset: number;
}

/** A site's data-quality issues: the counter events (gaps, resets, rollovers, impossible steps) the rollups keep. */
export class DataQualityService {
  private readonly repo: DataQualityRepository;

  constructor(
    knex: Knex,
    private readonly upkeep: RollupUpkeep | null,
  ) {
    this.repo = new DataQualityRepository(knex);
  }

  async list(siteId: number, r: DataQualityRange): Promise<DataQualityResponse> {
    // The events are written by the rollup worker: apply what is queued for the site first, so the list does not lag
    // ingest (unless a large backlog waits, which the answer says).
    const upToDate = this.upkeep ? await this.upkeep.catchUpForRead([siteId]) : false;
    const [counts, issues] = await Promise.all([
      this.repo.counts(siteId, r.from, r.to),
      this.repo.issues(siteId, r.from, r.to, r.limit, r.offset),
    ]);
    const total = counts.gap + counts.reset + counts.rollover + counts.impossible;
    const next = r.offset + issues.length;
    return {
      site_id: siteId,
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      up_to_date: upToDate,
      counts,
      issues,
      next_offset: issues.length > 0 && next < total ? next : null,
    };
  }
}
