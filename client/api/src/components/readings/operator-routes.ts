import { Router } from 'express';
import {
  CONSUMPTION_INTERVALS,
  ErrorCode,
  READING_AGGS,
  READING_BUCKETS,
  type ConsumptionInterval,
  type ReadingAgg,
  type ReadingBucket,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { validateOrThrow } from '../../middleware/validate.js';
import {
  enumQuery,
  idListQuery,
  idQuery,
  ids,
  intQuery,
  isoQuery,
  num,
  str,
  textQuery,
  time,
  tzQuery,
} from '../../middleware/query.js';
import { userOf, visibleSites } from '../../middleware/user-auth.js';
import type { AuthUser } from '../../types.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { sendCsv, toCsv } from './csv.js';
import type { ReadingsService } from './readings-service.js';

export interface ReadingRouteDeps {
  readings: ReadingsService;
  meters: MeterDirectory;
  maxRows: number;
}

const DAY = 86_400_000;

/** from/to with defaults (the last `defaultDays` up to now), from < to, at most `maxDays` apart. */
function range(q: Record<string, unknown>, defaultDays: number, maxDays: number): { from: Date; to: Date } {
  const to = time(q.to) ?? new Date();
  const from = time(q.from) ?? new Date(to.getTime() - defaultDays * DAY);
  if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
  if (to.getTime() - from.getTime() > maxDays * DAY)
    throw new ApiError(400, ErrorCode.VALIDATION_FAILED, `from and to may be at most ${maxDays} days apart`);
  return { from, to };
}

/** Site filter narrowed to the user's sites; a meter filter pins the meter's own site (so the primary key is used). */
async function scope(
  user: AuthUser,
  q: Record<string, unknown>,
  meters: MeterDirectory,
): Promise<{ siteIds: number[] | null; meterId?: number }> {
  let siteIds = visibleSites(user, ids(q.site_id));
  const meterId = num(q.meter_id);
  if (meterId !== undefined) {
    const m = await meters.get(meterId, siteIds);
    siteIds = [m.site_id];
    return { siteIds, meterId };
  }
  return { siteIds };
}

const readingChains = () => [
  idListQuery('site_id'),
  idQuery('meter_id'),
  textQuery('data_point', 100),
  isoQuery('from'),
  isoQuery('to'),
  enumQuery('bucket', READING_BUCKETS),
  enumQuery('agg', READING_AGGS),
  tzQuery(),
  enumQuery('format', ['json', 'csv']),
];

export function readingsRouter(deps: ReadingRouteDeps): Router {
  const router = Router();

  router.get('/api/readings', async (req, res) => {
    await validateOrThrow(req, [...readingChains(), intQuery('limit', 1, deps.maxRows * 10)]);
    const q = req.query as Record<string, unknown>;
    const csv = q.format === 'csv';
    const bucket = (str(q.bucket) ?? 'raw') as ReadingBucket;
    const { from, to } = range(q, 1, bucket === 'raw' ? 31 : 3660);
    const cap = csv ? deps.maxRows * 10 : deps.maxRows;
    const limit = Math.min(num(q.limit) ?? cap, cap);
    const s = await scope(userOf(req), q, deps.meters);
    const result = await deps.readings.readings(
      { siteIds: s.siteIds, meterId: s.meterId, dataPoint: str(q.data_point), from, to },
      bucket,
      (str(q.agg) ?? 'avg') as ReadingAgg,
      str(q.tz) ?? 'UTC',
      limit,
    );
    if (!csv) {
      res.json(result);
      return;
    }
    const raw = bucket === 'raw';
    const header = [
      'site_id',
      'site_name',
      'meter_id',
      'meter_external_id',
      'meter_name',
      'data_point',
      raw ? 'timestamp' : 'bucket_start',
      'value',
      'unit',
      'quality',
    ];
    if (!raw) header.push('count', 'flagged', 'avg', 'min', 'max', 'last');
    const body = toCsv(
      header,
      result.rows.map((r) => {
        const row: unknown[] = [
          r.site_id,
          r.site_name,
          r.meter_id,
          r.meter_external_id,
          r.meter_name,
          r.data_point,
          r.ts,
          r.value,
          r.unit,
          r.quality,
        ];
        if (!raw) row.push(r.count, r.flagged, r.avg, r.min, r.max, r.last);
        return row;
      }),
    );
    sendCsv(
      res,
      `readings-${bucket}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`,
      body,
      result.truncated,
    );
  });

  router.get('/api/consumption', async (req, res) => {
    await validateOrThrow(req, [
      ...readingChains().filter((c) => c !== undefined),
      enumQuery('interval', CONSUMPTION_INTERVALS),
      intQuery('gap_minutes', 1, 360),
    ]);
    const q = req.query as Record<string, unknown>;
    const interval = (str(q.interval) ?? '1d') as ConsumptionInterval;
    const { from, to } = range(q, 7, interval === '1d' ? 3660 : interval === '1h' ? 200 : 50);
    const s = await scope(userOf(req), q, deps.meters);
    const result = await deps.readings.consumption({
      siteIds: s.siteIds,
      meterId: s.meterId,
      dataPoint: str(q.data_point),
      from,
      to,
      interval,
      tz: str(q.tz) ?? 'UTC',
      gapSeconds: (num(q.gap_minutes) ?? 15) * 60,
    });
    if (q.format !== 'csv') {
      res.json(result);
      return;
    }
    const rows: unknown[][] = [];
    for (const se of result.series) {
      for (const b of se.buckets) {
        rows.push([
          se.site_id,
          se.site_name,
          se.meter_id,
          se.meter_external_id,
          se.meter_name,
          se.data_point,
          b.start,
          b.end,
          b.energy_kwh,
          b.coverage,
          b.complete,
        ]);
      }
    }
    const body = toCsv(
      [
        'site_id',
        'site_name',
        'meter_id',
        'meter_external_id',
        'meter_name',
        'data_point',
        'interval_start',
        'interval_end',
        'energy_kwh',
        'coverage',
        'complete',
      ],
      rows,
    );
    sendCsv(
      res,
      `consumption-${interval}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`,
      body,
      false,
    );
  });

  return router;
}
