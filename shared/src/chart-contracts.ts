// GET /api/readings/chart: one meter's readings shaped for a line chart. Unlike /api/readings (rows for tables,
// CSV and assistants), a bucket without a reading comes back as a point with a null value, and a pause in raw
// readings as a null point between them, so a chart breaks its line there instead of drawing across an outage.
// Beside each series: the newest raw reading (not the last bucket's average) with its time.
import { z } from 'zod';
import { READING_AGGS, READING_BUCKETS } from './operator-contracts.js';
import { idQuery } from './query-kit.js';
import { readingWindowFields } from './operator-requests.js';
import { utcTime } from './schema-kit.js';

/** Most points one chart series carries (empty buckets included); more: choose a larger bucket. */
export const MAX_CHART_POINTS = 5000;

export const ChartQuerySchema = z.object({
  meter_id: idQuery().pipe(z.number({ error: 'meter_id is required: a chart shows one meter' })),
  ...readingWindowFields,
});
export type ChartQuery = z.infer<typeof ChartQuerySchema>;

/** One point of a chart: a reading or a bucket; value null = nothing was read there (the line breaks). */
export const ChartPointSchema = z.object({
  ts: utcTime.describe('The reading time, or the bucket start'),
  value: z.number().nullable().describe('null: no reading in this bucket, or a pause between raw readings'),
  min: z.number().nullable().optional().describe('Buckets: lowest reading'),
  max: z.number().nullable().optional().describe('Buckets: highest reading'),
  count: z.number().optional().describe('Buckets: readings in the bucket'),
  flagged: z.number().optional().describe('Buckets: readings whose quality was not good'),
  quality: z.string().describe('"good", or the BACnet status flags / reliability reported (empty for a gap)'),
});
export type ChartPoint = z.infer<typeof ChartPointSchema>;

export const LatestReadingSchema = z.object({
  ts: utcTime.describe('When the newest reading up to the end of the range was taken'),
  value: z.number(),
  unit: z.string().nullable(),
  quality: z.string(),
});
export type LatestReading = z.infer<typeof LatestReadingSchema>;

export const ChartSeriesSchema = z.object({
  data_point: z.string(),
  unit: z.string().nullable(),
  points: z.array(ChartPointSchema),
  /** How many null points (gaps) `points` holds. */
  gaps: z.number(),
  latest: LatestReadingSchema.nullable().describe('The newest raw reading before the range end; null: none yet'),
});
export type ChartSeries = z.infer<typeof ChartSeriesSchema>;

export const ChartResponseSchema = z.object({
  meter_id: z.number(),
  meter_name: z.string(),
  from: utcTime,
  to: utcTime,
  bucket: z.enum(READING_BUCKETS),
  agg: z.enum(READING_AGGS),
  tz: z.string(),
  /** True when more raw readings matched than one answer carries: choose a bucket. */
  truncated: z.boolean(),
  series: z.array(ChartSeriesSchema),
});
export type ChartResponse = z.infer<typeof ChartResponseSchema>;
