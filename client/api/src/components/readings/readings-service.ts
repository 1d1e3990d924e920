import type { Knex } from 'knex';
import {
  ErrorCode,
  MAX_CHART_POINTS,
  type ChartPoint,
  type ChartResponse,
  type ChartSeries,
  type ConsumptionInterval,
  type ConsumptionResponse,
  type ConsumptionSeries,
  type ReadingAgg,
  type ReadingBucket,
  type MeterSummary,
  type ReadingsResponse,
} from '@meterit/shared';
// The query as the MCP server's port (ClientOperations.consumption) passes it: one definition for both.
import type { ConsumptionQuery } from '@meterit/client-mcp';
import { ApiError } from '../../errors.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { energyCounters, sumBuckets } from '../energy/attribution.js';
import type { CounterSeries, EnergySources, GridUnit } from '../energy/energy-source.js';
import { BUCKET_MS, BUCKET_ORIGIN } from './buckets.js';
import { ReadingsQueryRepository, type ReadingFilter, type ReadingQueryRow } from './readings-query-repository.js';

/** Most intervals one consumption answer computes per series. */
export const MAX_CONSUMPTION_BUCKETS = 5000;

export class ReadingsService {
  readonly repo: ReadingsQueryRepository;

  constructor(
    knex: Knex,
    private readonly meters: MeterDirectory,
    private readonly sources: EnergySources,
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

  /** One meter's series for a chart: empty buckets and pauses in raw readings as null points, the newest reading beside. */
  async chart(q: {
    meter: Pick<MeterSummary, 'id' | 'site_id' | 'name' | 'data_points'>;
    dataPoint?: string | undefined;
    from: Date;
    to: Date;
    bucket: ReadingBucket;
    agg: ReadingAgg;
    tz: string;
    limit: number;
  }): Promise<ChartResponse> {
    const { meter, from, to, bucket, tz } = q;
    const starts = bucket === 'raw' ? [] : await this.bucketStarts(from, to, bucket, tz);
    const filter = { siteIds: [meter.site_id], meterId: meter.id, dataPoint: q.dataPoint, from, to };
    const rows = await this.repo.series(filter, bucket, q.agg, tz, q.limit + 1);
    const truncated = rows.length > q.limit;
    const kept = rows.slice(0, q.limit);
    const names =
      q.dataPoint !== undefined
        ? [q.dataPoint]
        : [...new Set([...meter.data_points.map((p) => p.name), ...kept.map((r) => r.data_point)])];
    const latest = await this.repo.latestBefore(meter.site_id, meter.id, names, to);
    const series: ChartSeries[] = names.map((name) => {
      const mine = kept.filter((r) => r.data_point === name);
      const last = latest.find((l) => l.data_point === name);
      const points = bucket === 'raw' ? rawWithGaps(mine) : bucketsWithGaps(mine, starts);
      return {
        data_point: name,
        unit: mine[mine.length - 1]?.unit ?? last?.unit ?? meter.data_points.find((p) => p.name === name)?.unit ?? null,
        points,
        gaps: points.filter((p) => p.value === null).length,
        latest: last ? { ts: last.ts.toISOString(), value: last.value, unit: last.unit, quality: last.quality } : null,
      };
    });
    return {
      meter_id: meter.id,
      meter_name: meter.name,
      from: from.toISOString(),
      to: to.toISOString(),
      bucket,
      agg: q.agg,
      tz,
      truncated,
      series,
    };
  }

  /** The start of every bucket that overlaps [from, to): fixed widths from BUCKET_ORIGIN, days in `tz`. */
  private async bucketStarts(
    from: Date,
    to: Date,
    bucket: Exclude<ReadingBucket, 'raw'>,
    tz: string,
  ): Promise<number[]> {
    const tooManyPoints = () =>
      new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        `the range holds more than ${MAX_CHART_POINTS} ${bucket} buckets; shorten it or choose a larger bucket`,
      );
    if (bucket === '1d') {
      if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_CHART_POINTS) throw tooManyPoints();
      return (await this.repo.dayBoundaries(from, to, tz)).slice(0, -1).map((d) => d.getTime());
    }
    const width = BUCKET_MS[bucket];
    const origin = Date.parse(BUCKET_ORIGIN);
    const first = origin + Math.floor((from.getTime() - origin) / width) * width;
    if ((to.getTime() - first) / width > MAX_CHART_POINTS) throw tooManyPoints();
    const out: number[] = [];
    for (let t = first; t < to.getTime(); t += width) out.push(t);
    return out;
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
    const series: Array<CounterSeries & { meter: (typeof meters)[number] }> = meters.flatMap((m) =>
      energyCounters(m, q.dataPoint).map((c) => ({ siteId: m.site_id, meterId: m.id, meter: m, ...c })),
    );
    const boundaries = await this.boundaries(q.from, q.to, q.interval, q.tz);
    const energy = await this.sources.pick(q.from, q.to, q.gapSeconds).counters(series, {
      boundaries,
      range: { from: q.from.getTime(), to: q.to.getTime() },
      gapSeconds: q.gapSeconds,
      unit: GRID_UNIT[q.interval],
      tz: q.tz,
    });
    const out: ConsumptionSeries[] = series.map((s, i) => {
      const e = energy[i] as (typeof energy)[number];
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

const GRID_UNIT: Record<ConsumptionQuery['interval'], GridUnit> = { '15m': 'quarter', '1h': 'hour', '1d': 'day' };

const tooMany = () =>
  new ApiError(
    400,
    ErrorCode.VALIDATION_FAILED,
    `the range holds more than ${MAX_CONSUMPTION_BUCKETS} intervals; shorten it or choose a longer interval`,
  );

/** Every bucket start of the range, with its row or a null point where no reading fell into it. */
export function bucketsWithGaps(rows: ReadingQueryRow[], starts: number[]): ChartPoint[] {
  const byStart = new Map(rows.map((r) => [r.ts.getTime(), r]));
  return starts.map((t) => {
    const r = byStart.get(t);
    if (!r) return { ts: new Date(t).toISOString(), value: null, quality: '' };
    return {
      ts: new Date(t).toISOString(),
      value: r.value,
      min: r.min,
      max: r.max,
      count: r.count,
      flagged: r.flagged,
      quality: r.quality,
    };
  });
}

/** A pause longer than this many typical reading intervals is a gap. */
export const GAP_FACTOR = 2.5;

/**
 * Raw readings, with a null point in the middle of every pause longer than GAP_FACTOR times the median interval
 * between readings (the meter's polling rhythm), so a stop or outage breaks the line.
 */
export function rawWithGaps(rows: Pick<ReadingQueryRow, 'ts' | 'value' | 'quality'>[]): ChartPoint[] {
  const times = rows.map((r) => r.ts.getTime());
  const steps = times
    .slice(1)
    .map((t, i) => t - (times[i] ?? t))
    .sort((a, b) => a - b);
  const median = steps[Math.floor(steps.length / 2)];
  const threshold = steps.length >= 2 && median !== undefined ? Math.max(GAP_FACTOR * median, 1000) : Infinity;
  const out: ChartPoint[] = [];
  rows.forEach((r, i) => {
    const prev = times[i - 1];
    const t = times[i] ?? 0;
    if (prev !== undefined && t - prev > threshold)
      out.push({ ts: new Date((prev + t) / 2).toISOString(), value: null, quality: '' });
    out.push({ ts: r.ts.toISOString(), value: r.value, quality: r.quality });
  });
  return out;
}
