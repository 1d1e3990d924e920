import type { Knex } from 'knex';
import {
  ErrorCode,
  type ConsumptionInterval,
  type ConsumptionResponse,
  type ConsumptionSeries,
  type ReadingAgg,
  type ReadingBucket,
  type ReadingsResponse,
} from '@meterit/shared';
// The query as the MCP server's port (ClientOperations.consumption) passes it: one definition for both.
import type { ConsumptionQuery } from '@meterit/client-mcp';
import { ApiError } from '../../errors.js';
import { ENERGY_UNITS, type MeterDirectory } from '../meters/meter-directory.js';
import { BUCKET_MS, BUCKET_ORIGIN } from './buckets.js';
import { attributeSteps, sumBuckets } from './consumption.js';
import { ReadingsQueryRepository, type ReadingFilter, type SeriesKey } from './readings-query-repository.js';

/** Most intervals one consumption answer computes per series. */
export const MAX_CONSUMPTION_BUCKETS = 5000;

export class ReadingsService {
  readonly repo: ReadingsQueryRepository;

  constructor(
    knex: Knex,
    private readonly meters: MeterDirectory,
  ) {
    this.repo = new ReadingsQueryRepository(knex);
  }

  async readings(
    f: ReadingFilter,
    bucket: ReadingBucket,
    agg: ReadingAgg,
    tz: string,
    limit: number,
  ): Promise<ReadingsResponse> {
    const rows = await this.repo.series(f, bucket, agg, tz, limit + 1);
    const truncated = rows.length > limit;
    return {
      from: f.from.toISOString(),
      to: f.to.toISOString(),
      bucket,
      agg,
      limit,
      truncated,
      rows: rows.slice(0, limit).map((r) => ({
        site_id: r.site_id,
        site_name: r.site_name,
        meter_id: r.meter_id,
        meter_external_id: r.meter_external_id,
        meter_name: r.meter_name,
        data_point: r.data_point,
        ts: r.ts.toISOString(),
        value: r.value,
        unit: r.unit,
        quality: r.quality,
        ...(bucket === 'raw'
          ? {}
          : { count: r.count, flagged: r.flagged, avg: r.avg, min: r.min, max: r.max, last: r.last }),
      })),
    };
  }

  private async boundaries(from: Date, to: Date, interval: ConsumptionInterval, tz: string): Promise<number[]> {
    if (interval === '1d') {
      if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_CONSUMPTION_BUCKETS) throw tooMany();
      return (await this.repo.dayBoundaries(from, to, tz)).map((d) => d.getTime());
    }
    const width = BUCKET_MS[interval];
    const origin = Date.parse(BUCKET_ORIGIN);
    const first = origin + Math.floor((from.getTime() - origin) / width) * width;
    if ((to.getTime() - first) / width > MAX_CONSUMPTION_BUCKETS) throw tooMany();
    const out: number[] = [];
    for (let t = first; t < to.getTime(); t += width) out.push(t);
    out.push((out[out.length - 1] ?? first) + width);
    return out;
  }

  /** Energy per interval from cumulative counters (every data point whose unit is Wh, kWh or MWh, or the one named). */
  async consumption(q: ConsumptionQuery): Promise<ConsumptionResponse> {
    const meters = await this.meters.list({
      siteIds: q.siteIds,
      meterIds: q.meterId === undefined ? undefined : [q.meterId],
      includeInactive: true,
    });
    const series: Array<SeriesKey & { factor: number; meter: (typeof meters)[number] }> = [];
    for (const m of meters) {
      for (const p of m.data_points) {
        if (q.dataPoint !== undefined && p.name !== q.dataPoint) continue;
        const unit = p.latest?.unit ?? p.unit ?? (q.dataPoint !== undefined ? 'kWh' : null);
        const factor = unit ? ENERGY_UNITS[unit] : undefined;
        if (factor === undefined || p.latest === null) continue;
        series.push({ siteId: m.site_id, meterId: m.id, dataPoint: p.name, factor, meter: m });
      }
    }
    const boundaries = await this.boundaries(q.from, q.to, q.interval, q.tz);
    const steps = await this.repo.counterSteps(series, q.from, q.to, q.interval, q.tz, q.gapSeconds);
    const bySeries = new Map<string, typeof steps>();
    for (const s of steps) {
      const k = `${s.meter_id}|${s.data_point}`;
      (bySeries.get(k) ?? bySeries.set(k, []).get(k))?.push(s);
    }
    const out: ConsumptionSeries[] = series.map((s) => {
      const e = attributeSteps(
        bySeries.get(`${s.meterId}|${s.dataPoint}`) ?? [],
        boundaries,
        { from: q.from.getTime(), to: q.to.getTime() },
        q.gapSeconds * 1000,
        s.factor,
      );
      return {
        site_id: s.siteId,
        site_name: s.meter.site_name,
        meter_id: s.meterId,
        meter_external_id: s.meter.external_id,
        meter_name: s.meter.name,
        data_point: s.dataPoint,
        unit: 'kWh',
        ...e,
      };
    });
    const siteIds = [...new Set(out.map((s) => s.site_id))];
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      interval: q.interval,
      tz: q.tz,
      gap_threshold_s: q.gapSeconds,
      series: out,
      sites: siteIds.map((id) => {
        const mine = out.filter((s) => s.site_id === id);
        return {
          site_id: id,
          site_name: mine[0]?.site_name ?? '',
          total_kwh: Math.round(mine.reduce((t, s) => t + s.total_kwh, 0) * 1e6) / 1e6,
          unattributed_kwh: Math.round(mine.reduce((t, s) => t + s.unattributed_kwh, 0) * 1e6) / 1e6,
          buckets: sumBuckets(mine.map((s) => s.buckets)),
        };
      }),
    };
  }
}

const tooMany = () =>
  new ApiError(
    400,
    ErrorCode.VALIDATION_FAILED,
    `the range holds more than ${MAX_CONSUMPTION_BUCKETS} intervals; shorten it or choose a longer interval`,
  );
