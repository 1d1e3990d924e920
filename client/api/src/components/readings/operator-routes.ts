import { Router } from 'express';
import {
  ChartQuerySchema,
  ConsumptionQuerySchema,
  ErrorCode,
  readingsQuerySchema,
  type ConsumptionQuery,
  type ReadingRow,
  type ReadingsQuery,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { validate } from '../../middleware/validate.js';
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

/** The first CSV columns of a reading row and of a consumption series: which site, meter and point. */
const SERIES_COLUMNS = ['site_id', 'site_name', 'meter_id', 'meter_external_id', 'meter_name', 'data_point'] as const;
const seriesCells = (r: Pick<ReadingRow, (typeof SERIES_COLUMNS)[number]>): unknown[] =>
  SERIES_COLUMNS.map((k) => r[k]);

type ReadingFilter = Pick<ReadingsQuery & ConsumptionQuery, 'site_id' | 'meter_id' | 'from' | 'to'>;

/** from/to with defaults (the last `defaultDays` up to now), from < to, at most `maxDays` apart. */
function range(q: ReadingFilter, defaultDays: number, maxDays: number): { from: Date; to: Date } {
  const to = q.to ?? new Date();
  const from = q.from ?? new Date(to.getTime() - defaultDays * DAY);
  if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
  if (to.getTime() - from.getTime() > maxDays * DAY)
    throw new ApiError(400, ErrorCode.VALIDATION_FAILED, `from and to may be at most ${maxDays} days apart`);
  return { from, to };
}

/** Site filter narrowed to the user's sites; a meter filter pins the meter's own site (so the primary key is used). */
async function scope(
  user: AuthUser,
  q: ReadingFilter,
  meters: MeterDirectory,
): Promise<{ siteIds: number[] | null; meterId?: number }> {
  const siteIds = visibleSites(user, q.site_id);
  if (q.meter_id !== undefined) {
    const m = await meters.get(q.meter_id, siteIds);
    return { siteIds: [m.site_id], meterId: q.meter_id };
  }
  return { siteIds };
}

export function readingsRouter(deps: ReadingRouteDeps): Router {
  const router = Router();

  const readings = validate({ query: readingsQuerySchema(deps.maxRows * 10) });
  router.get('/api/readings', readings, async (req, res) => {
    const q = readings.parsed(req).query;
    const csv = q.format === 'csv';
    const bucket = q.bucket ?? 'raw';
    const { from, to } = range(q, 1, bucket === 'raw' ? 31 : 3660);
    const cap = csv ? deps.maxRows * 10 : deps.maxRows;
    const limit = Math.min(q.limit ?? cap, cap);
    const s = await scope(userOf(req), q, deps.meters);
    const result = await deps.readings.readings(
      { siteIds: s.siteIds, meterId: s.meterId, dataPoint: q.data_point, from, to },
      bucket,
      q.agg ?? 'avg',
      q.tz ?? 'UTC',
      limit,
    );
    if (!csv) {
      res.json(result);
      return;
    }
    const raw = bucket === 'raw';
    const header = [...SERIES_COLUMNS, raw ? 'timestamp' : 'bucket_start', 'value', 'unit', 'quality'];
    if (!raw) header.push('count', 'flagged', 'avg', 'min', 'max', 'last');
    const body = toCsv(
      header,
      result.rows.map((r) => {
        const row: unknown[] = [...seriesCells(r), r.ts, r.value, r.unit, r.quality];
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

  // One meter's readings shaped for a chart: gaps as null points, the newest raw reading beside each series.
  const chart = validate({ query: ChartQuerySchema });
  router.get('/api/readings/chart', chart, async (req, res) => {
    const q = chart.parsed(req).query;
    const bucket = q.bucket ?? 'raw';
    const { from, to } = range({ ...q, site_id: undefined }, 1, bucket === 'raw' ? 31 : 3660);
    const meter = await deps.meters.get(q.meter_id, visibleSites(userOf(req), undefined));
    res.json(
      await deps.readings.chart({
        meter,
        dataPoint: q.data_point,
        from,
        to,
        bucket,
        agg: q.agg ?? 'avg',
        tz: q.tz ?? 'UTC',
        limit: deps.maxRows,
      }),
    );
  });

  const consumption = validate({ query: ConsumptionQuerySchema });
  router.get('/api/consumption', consumption, async (req, res) => {
    const q = consumption.parsed(req).query;
    const interval = q.interval ?? '1d';
    const { from, to } = range(q, 7, interval === '1d' ? 3660 : interval === '1h' ? 200 : 50);
    const s = await scope(userOf(req), q, deps.meters);
    const result = await deps.readings.consumption({
      siteIds: s.siteIds,
      meterId: s.meterId,
      dataPoint: q.data_point,
      from,
      to,
      interval,
      tz: q.tz ?? 'UTC',
      gapSeconds: (q.gap_minutes ?? 15) * 60,
    });
    if (q.format !== 'csv') {
      res.json(result);
      return;
    }
    const rows: unknown[][] = [];
    for (const se of result.series) {
      for (const b of se.buckets) {
        rows.push([...seriesCells(se), b.start, b.end, b.energy_kwh, b.coverage, b.complete]);
      }
    }
    const body = toCsv(
      [...SERIES_COLUMNS, 'interval_start', 'interval_end', 'energy_kwh', 'coverage', 'complete'],
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
