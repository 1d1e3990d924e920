// A site's data-quality issues (GET /api/sites/:id/data-quality, MCP list_data_quality_issues): the counter events
// the energy rollups store. Browser-safe: no Node imports.
import { z } from 'zod';
import { intQuery, isoQuery } from './query-kit.js';

/** gap: a step longer than the gap threshold; reset, rollover, impossible: as counterStep classifies a step. */
export const DATA_QUALITY_KINDS = ['gap', 'reset', 'rollover', 'impossible'] as const;
export type DataQualityKind = (typeof DATA_QUALITY_KINDS)[number];

/** The longest range one request may span (the rollups keep the events; a year and a month is one report's span). */
export const DATA_QUALITY_MAX_RANGE_DAYS = 397;
export const DATA_QUALITY_DEFAULT_LIMIT = 100;

export const DataQualityQuerySchema = z.object({
  /** Default: `to` minus 7 days. */
  from: isoQuery(),
  /** Default: now. */
  to: isoQuery(),
  limit: intQuery(1, 500),
  /** Issues to skip, newest first (the next page starts at `next_offset`). */
  offset: intQuery(0, 100_000),
});
export type DataQualityQuery = z.infer<typeof DataQualityQuerySchema>;

export const DataQualityIssueSchema = z.object({
  kind: z.enum(DATA_QUALITY_KINDS),
  meter_id: z.number(),
  meter_external_id: z.string(),
  meter_name: z.string(),
  data_point: z.string(),
  from: z.string().describe('Time of the reading before the step'),
  to: z.string().describe('Time of the reading after the step (issues are ordered by it, newest first)'),
  minutes: z.number().describe('Length of the step'),
  from_value: z.number().describe('Counter before the step, in its own unit'),
  to_value: z.number().describe('Counter after the step, in its own unit'),
  energy_kwh: z
    .number()
    .describe(
      'gap: spread over its quarter hours as estimated; reset: counted since the restart; rollover: counted; ' +
        'impossible: what the step claimed, counted nowhere',
    ),
});
export type DataQualityIssue = z.infer<typeof DataQualityIssueSchema>;

export const DataQualityResponseSchema = z.object({
  site_id: z.number(),
  from: z.string(),
  to: z.string(),
  up_to_date: z
    .boolean()
    .describe(
      'False while over 5000 rollup changes of the site wait for the worker (a large backlog arriving), or rollups are ' +
        'off (ENERGY_ROLLUPS_ENABLED=false): issues in readings not yet rolled up are not listed',
    ),
  /** Per kind, over the whole range (not only this page). */
  counts: z.object({ gap: z.number(), reset: z.number(), rollover: z.number(), impossible: z.number() }),
  /** Newest first. */
  issues: z.array(DataQualityIssueSchema),
  /** The offset of the next page, or null when this was the last. */
  next_offset: z.number().nullable(),
});
export type DataQualityResponse = z.infer<typeof DataQualityResponseSchema>;
