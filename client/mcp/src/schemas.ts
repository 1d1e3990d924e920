import { z } from 'zod';
import {
  ALERT_RULE_KINDS,
  ALERT_SEVERITIES,
  ALERT_STATES,
  type AlertInfo,
  type AlertRuleInfo,
  type SiteStatus,
} from '@meterit/shared';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '@meterit/shared/mcp-server';
import { isTimeZoneName } from './time.js';

// Input and output pieces shared by several tools.

export const isoTime = z.string().describe('ISO-8601 UTC time');
export const isoTimeOrNull = isoTime.nullable();

/** An ISO-8601 time with a zone, as an input field. */
export const isoInput = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00Z' })
    .describe(what);

/**
 * A text argument: refused (naming the argument) when it holds what the database cannot store, so the
 * caller hears which argument is wrong instead of a PostgreSQL error.
 */
export const textInput = () => z.string().refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE });

/**
 * Compile-time proof that a zod output schema and the API contract it mirrors are one shape: the same
 * keys, each of the same type. A field added to one and not the other fails the typecheck.
 */
export type SameShape<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
      ? true
      : false
    : false
  : false;
type Holds<T extends true> = T;

export const siteIdInput = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

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

/** A site's status, as GET /api/sites/:id/status answers it (SiteStatus). */
export const siteStatusSchema = z.object({
  site_id: z.number(),
  site_name: z.string(),
  is_active: z.boolean().describe('false: the site was deactivated'),
  status: z.enum(['online', 'degraded', 'offline', 'inactive']).describe('online / degraded / offline / inactive'),
  reasons: z.array(z.string()).describe('Why the site is not online, one sentence each; empty when online'),
  last_heartbeat_at: isoTimeOrNull,
  heartbeat_age_s: z.number().nullable(),
  offline_after_s: z.number().describe('Seconds without a heartbeat after which the site counts as offline'),
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
export type SiteStatusSchemaIsTheContract = Holds<SameShape<z.infer<typeof siteStatusSchema>, SiteStatus>>;

/** An alert, as GET /api/alerts answers it (AlertInfo). */
export const alertInfoSchema = z.object({
  id: z.number(),
  rule_id: z.number(),
  rule_name: z.string(),
  kind: z.enum(ALERT_RULE_KINDS),
  subject_key: z.string().describe('What the alert is about, e.g. "meter:12:current_kw" or "site:3"'),
  site_id: z.number().nullable().describe('null: an alert about the client system itself'),
  site_name: z.string().nullable(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
  state: z.enum(ALERT_STATES).describe("pending: condition met, not yet held for the rule's duration"),
  severity: z.enum(ALERT_SEVERITIES),
  title: z.string(),
  detail: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  unit: z.string().nullable(),
  since: isoTime.describe('When the condition began'),
  started_at: isoTime.describe('When the engine first saw the condition'),
  fired_at: isoTimeOrNull,
  resolved_at: isoTimeOrNull,
  last_evaluated_at: isoTime,
  acknowledged_at: isoTimeOrNull,
  acknowledged_by: z.string().nullable(),
  acknowledge_note: z.string().nullable(),
});
export type AlertInfoSchemaIsTheContract = Holds<SameShape<z.infer<typeof alertInfoSchema>, AlertInfo>>;

/** An alert rule, as GET /api/alert-rules/:id answers it (AlertRuleInfo). */
export const alertRuleInfoSchema = z.object({
  id: z.number(),
  kind: z.enum(ALERT_RULE_KINDS),
  builtin: z.boolean(),
  name: z.string(),
  enabled: z.boolean(),
  severity: z.enum(ALERT_SEVERITIES),
  scope: z.enum(['all', 'site', 'meter']),
  site_id: z.number().nullable(),
  site_name: z.string().nullable(),
  meter_id: z.number().nullable(),
  meter_name: z.string().nullable(),
  data_point: z.string().nullable(),
  condition: z.enum(['above', 'below', 'outside']).nullable(),
  threshold: z
    .number()
    .nullable()
    .describe('The override stored on the rule (null on a built-in rule: the environment default)'),
  threshold_high: z.number().nullable(),
  effective_threshold: z.number().nullable().describe('What the engine uses now'),
  unit: z.string().nullable(),
  for_seconds: z.number(),
  cooldown_seconds: z.number().nullable(),
  effective_cooldown_seconds: z.number(),
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  description: z.string(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type AlertRuleInfoSchemaIsTheContract = Holds<SameShape<z.infer<typeof alertRuleInfoSchema>, AlertRuleInfo>>;

export const consumptionBucketSchema = z.object({
  start: isoTime,
  end: isoTime,
  energy_kwh: z.number().nullable().describe('null: no reading covers this interval'),
  coverage: z.number().describe('Share of the interval covered by readings, 0 to 1'),
  complete: z.boolean(),
});
