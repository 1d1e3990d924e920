// What the site has stored and sent: GET /api/readings, /api/readings/series, /api/sync-log, /api/dead-letters,
// /api/backlog/history.
import { z } from 'zod';
import { booleanParam, intParam, isoTimeParam, isoTimeSchema, meterIdInput, pointNameInput } from './fields.js';

/** ?meter&point&from&to&limit; from..to defaults to the last 24 hours, limit to 1000. */
export const readingsRequestSchema = z.object({
  meter: meterIdInput.optional(),
  point: pointNameInput.optional(),
  from: isoTimeParam.optional(),
  to: isoTimeParam.optional(),
  limit: intParam(1, 10_000).optional(),
});

export const readingViewSchema = z.object({
  meter: z.string(),
  point: z.string(),
  ts: isoTimeSchema,
  value: z.number(),
  unit: z.string().nullable(),
  quality: z.string().describe('"good", or the BACnet status flags set'),
  synced: z.boolean().describe('Already acknowledged by the client system'),
});

export const readingsResponseSchema = z.object({
  from: isoTimeSchema,
  to: isoTimeSchema,
  limit: z.number(),
  truncated: z.boolean().describe('More readings matched than `limit`; narrow the range or filters to see them'),
  readings: z.array(readingViewSchema).describe('Newest first'),
});

/** ?meter (required)&point&from&to&buckets; buckets defaults to 288. */
export const seriesRequestSchema = readingsRequestSchema
  .omit({ limit: true })
  .extend({ meter: meterIdInput, buckets: intParam(2, 2000).optional() });

export const seriesResponseSchema = z.object({
  meter: z.string(),
  from: isoTimeSchema,
  to: isoTimeSchema,
  bucket_s: z.number(),
  series: z.array(
    z.object({
      point: z.string(),
      unit: z.string().nullable(),
      buckets: z.array(
        z.object({ t: isoTimeSchema, avg: z.number(), min: z.number(), max: z.number(), count: z.number() }),
      ),
    }),
  ),
});

/** ?limit (default 50)&failures_only (default false). */
export const syncLogRequestSchema = z.object({
  limit: intParam(1, 500).optional(),
  failures_only: booleanParam.optional(),
});

export const syncLogEntryViewSchema = z.object({
  id: z.number(),
  started_at: isoTimeSchema,
  finished_at: isoTimeSchema,
  kind: z.string(),
  batch_size: z.number(),
  stored: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  success: z.boolean(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  request_id: z.string().nullable(),
});

export const syncLogResponseSchema = z.object({ entries: z.array(syncLogEntryViewSchema) });

/** ?limit (default 100). */
export const deadLettersRequestSchema = z.object({ limit: intParam(1, 1000).optional() });

export const deadLetterViewSchema = z.object({
  id: z.number(),
  meter: z.string(),
  point: z.string(),
  ts: isoTimeSchema,
  value: z.number(),
  unit: z.string().nullable(),
  code: z.string().describe('Why the client system refused it, as a code (e.g. UNKNOWN_METER)'),
  reason: z.string(),
  created_at: isoTimeSchema,
});

export const deadLettersResponseSchema = z.object({
  count: z.number().describe('All dead letters on the site'),
  dead_letters: z.array(deadLetterViewSchema).describe('Newest first'),
});

/** ?hours (1 to 24, default 24). */
export const backlogHistoryRequestSchema = z.object({ hours: intParam(1, 24).optional() });

export const backlogHistoryResponseSchema = z.object({
  from: isoTimeSchema,
  to: isoTimeSchema,
  sample_s: z.number().describe('How often the agent samples the backlog'),
  source: z.string().describe('Where the figures come from, in words'),
  samples: z
    .array(z.object({ t: isoTimeSchema, count: z.number().describe('Readings waiting to be sent at t') }))
    .describe('Oldest first; the last one is now'),
});

export type ReadingsRequest = z.infer<typeof readingsRequestSchema>;
export type ReadingView = z.infer<typeof readingViewSchema>;
export type ReadingsResponse = z.infer<typeof readingsResponseSchema>;
export type SeriesRequest = z.infer<typeof seriesRequestSchema>;
export type SeriesResponse = z.infer<typeof seriesResponseSchema>;
export type SyncLogRequest = z.infer<typeof syncLogRequestSchema>;
export type SyncLogEntryView = z.infer<typeof syncLogEntryViewSchema>;
export type SyncLogResponse = z.infer<typeof syncLogResponseSchema>;
export type DeadLettersRequest = z.infer<typeof deadLettersRequestSchema>;
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;
export type DeadLettersResponse = z.infer<typeof deadLettersResponseSchema>;
export type BacklogHistoryRequest = z.infer<typeof backlogHistoryRequestSchema>;
export type BacklogHistoryResponse = z.infer<typeof backlogHistoryResponseSchema>;
