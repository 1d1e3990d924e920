import type { Knex } from 'knex';
import {
  ErrorCode,
  type BatchRequest,
  type BatchResponse,
  type ReadingOutcome,
  type RejectedReading,
  type SyncReading,
} from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import { ApiError } from '../../errors.js';
import type { AuthenticatedSite } from '../../types.js';
import { MetersRepository } from '../meters/meters-repository.js';
import { ReadingsRepository } from './readings-repository.js';

type Outcome =
  | { kind: 'rejected'; rejected: RejectedReading[] }
  | { kind: 'stored'; stored: number; duplicates: number; results: ReadingOutcome[] };

export interface IngestContext {
  requestId: string;
  log: Logger;
}

/**
 * Store a batch atomically: either every reading is valid and the batch commits (each reading
 * 'stored' or 'duplicate'), or nothing is stored and a 422 BATCH_REJECTED names every bad reading.
 */
export class IngestService {
  private readonly meters: MetersRepository;
  private readonly readings: ReadingsRepository;

  /**
   * `rollupUnits`: the reading units the energy rollups are kept for (their changes are recorded with each batch);
   * null when rollups are not kept.
   */
  constructor(
    private readonly knex: Knex,
    private readonly rollupUnits: readonly string[] | null = null,
  ) {
    this.meters = new MetersRepository(knex);
    this.readings = new ReadingsRepository(knex);
  }

  /** `fieldProblems` are the per-reading validation problems already found (index → reasons). */
  async ingestBatch(
    site: AuthenticatedSite,
    batch: BatchRequest,
    fieldProblems: Map<number, string[]>,
    ctx: IngestContext,
  ): Promise<BatchResponse> {
    const readings = batch.readings;
    const batchId = batch.batch_id ?? null;

    const outcome = await this.knex.transaction(async (trx): Promise<Outcome> => {
      const wellFormed = readings.map((r, i) => (fieldProblems.has(i) ? undefined : r));
      const meterIds = await this.meters.idsByExternalId(
        site.id,
        [...new Set(wellFormed.filter((r): r is SyncReading => r !== undefined).map((r) => r.meter_external_id))],
        trx,
      );

      const rejected: RejectedReading[] = [];
      readings.forEach((r, index) => {
        const problems = fieldProblems.get(index);
        if (problems) {
          rejected.push({ index, code: ErrorCode.VALIDATION_FAILED, reason: problems.join('; ') });
        } else if (!meterIds.has(r.meter_external_id)) {
          rejected.push({
            index,
            code: ErrorCode.UNKNOWN_METER,
            reason: `meter ${JSON.stringify(r.meter_external_id)} is not registered for site ${site.id}; register it (POST /api/sync/meters) and resend`,
          });
        }
      });
      if (rejected.length > 0) return { kind: 'rejected', rejected };

      const storedPositions = await this.readings.insertIdempotent(
        trx,
        site.id,
        readings.map((r) => ({
          meterId: meterIds.get(r.meter_external_id) as number,
          dataPoint: r.data_point,
          timestamp: r.timestamp,
          value: r.value,
          unit: r.unit,
          quality: r.quality,
        })),
        this.rollupUnits,
      );
      const results: ReadingOutcome[] = readings.map((_r, i) => (storedPositions.has(i) ? 'stored' : 'duplicate'));
      const stored = storedPositions.size;
      const duplicates = readings.length - stored;
      await this.readings.logBatch(
        {
          siteId: site.id,
          batchId,
          requestId: ctx.requestId,
          readings: readings.length,
          stored,
          duplicates,
          rejected: 0,
        },
        trx,
      );
      return { kind: 'stored', stored, duplicates, results };
    });

    if (outcome.kind === 'rejected') {
      const { rejected } = outcome;
      await this.readings.logBatch({
        siteId: site.id,
        batchId,
        requestId: ctx.requestId,
        readings: readings.length,
        stored: 0,
        duplicates: 0,
        rejected: rejected.length,
      });
      ctx.log.warn('batch rejected', {
        site_id: site.id,
        batch_id: batchId,
        readings: readings.length,
        rejected: rejected.length,
      });
      const body: BatchResponse = {
        ...(batchId === null ? {} : { batch_id: batchId }),
        stored: 0,
        duplicates: 0,
        rejected,
        // No reading of a rejected batch has an outcome: the bad ones are in `rejected`, the rest were not stored.
        results: [],
      };
      throw new ApiError(
        422,
        ErrorCode.BATCH_REJECTED,
        `${rejected.length} of ${readings.length} readings were rejected and nothing of this batch was stored; ` +
          'move the readings listed in "rejected" aside and resend the others',
        { readings: readings.length, rejected: rejected.length },
        { ...body },
      );
    }

    ctx.log.info('batch stored', {
      site_id: site.id,
      batch_id: batchId,
      readings: readings.length,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
    });
    return {
      ...(batchId === null ? {} : { batch_id: batchId }),
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      rejected: [],
      results: outcome.results,
    };
  }
}
