import { z } from 'zod';
import { isTimeZoneName } from './time.js';

// Input and output pieces shared by several tools.

export const isoTime = z.string().describe('ISO-8601 UTC time');
export const isoTimeOrNull = isoTime.nullable();

/** An ISO-8601 time with a zone, as an input field. */
export const isoInput = (what: string) =>
  z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00Z' }).describe(what);

export const siteIdInput = z.number().int().min(1).max(2 ** 31 - 1);

export const sitesInput = z
  .array(siteIdInput.describe('A site id (see get_site_status)'))
  .min(1)
  .max(100)
  .optional()
  .describe('Only these sites (1 to 100 site ids); default every site you may see');

export const tzInput = z
  .string()
  .max(64)
  .refine(isTimeZoneName, { message: 'must be an IANA time zone such as Europe/Berlin or UTC' })
  .default('UTC')
  .describe('IANA time zone for day boundaries, e.g. Europe/Berlin (default UTC)');

export const siteStatusSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  status: z.enum(['online', 'degraded', 'offline', 'inactive']).describe('online / degraded / offline / inactive'),
  reasons: z.array(z.string()).describe('Why the site is not online, one sentence each; empty when online'),
  last_heartbeat_at: isoTimeOrNull,
  heartbeat_age_s: z.number().nullable(),
  agent_version: z.string().nullable(),
  clock_offset_ms: z.number().nullable(),
  collecting: z.boolean().nullable().describe('Whether the site agent polls its meters (from its last heartbeat)'),
  backlog: z.object({
    readings: z.number().nullable().describe('Readings waiting on the site to be sent'),
    oldest_unsent_at: isoTimeOrNull,
    age_s: z.number().nullable(),
    growing: z.boolean().nullable(),
  }),
  dead_letters: z.number().nullable(),
  uplink_down_since: isoTimeOrNull,
  last_sync_at: isoTimeOrNull,
  last_batch_at: isoTimeOrNull,
  meters: z.object({
    configured: z.number().describe('Active meters in the central configuration'),
    answering: z.number().nullable().describe('Meters answering on the site (last heartbeat)'),
    failing: z.number().nullable(),
    never_answered: z.number().nullable(),
  }),
});

export const consumptionBucketSchema = z.object({
  start: isoTime,
  end: isoTime,
  energy_kwh: z.number().nullable().describe('null: no reading covers this interval'),
  coverage: z.number().describe('Share of the interval covered by readings, 0 to 1'),
  complete: z.boolean(),
});
