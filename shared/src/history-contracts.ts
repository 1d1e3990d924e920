// One timeline per site: uplink outages, collection stops and starts, agent restarts, key changes and alerts
// (GET /api/sites/:id/history). Browser-safe: no Node imports.
import { z } from 'zod';
import { OutageSourceSchema } from './operator-answers.js';
import { intQuery, isoQuery } from './query-kit.js';
import { describeType } from './schema-kit.js';

/** What the timeline's filter offers; each event belongs to one. */
export const HISTORY_KINDS = ['outage', 'collection', 'agent', 'key', 'alert'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** The longest range one request may span (the outages are computed from the heartbeats of the range). */
export const HISTORY_MAX_RANGE_DAYS = 92;
export const HISTORY_DEFAULT_LIMIT = 100;

const KIND_LIST = new RegExp(`^(${HISTORY_KINDS.join('|')})(,(${HISTORY_KINDS.join('|')}))*$`);

export const SiteHistoryQuerySchema = z.object({
  /** Default: `to` minus 7 days. */
  from: isoQuery(),
  /** Default: now. */
  to: isoQuery(),
  /** A comma-separated list of kinds; default all. */
  kind: z
    .string({ error: () => `kind must be given once, a comma-separated list of ${HISTORY_KINDS.join(', ')}` })
    .refine((v) => KIND_LIST.test(v), {
      error: (iss) =>
        `kind must be a comma-separated list of ${HISTORY_KINDS.join(', ')}, got ${describeType(iss.input)}`,
      abort: true,
    })
    .transform((v) => [...new Set(v.split(','))] as HistoryKind[])
    .optional(),
  limit: intQuery(1, 500),
  /** Events to skip, newest first (the next page starts at `next_offset`). */
  offset: intQuery(0, 100_000),
});
export type SiteHistoryQuery = z.infer<typeof SiteHistoryQuerySchema>;

const base = { id: z.string().describe('Unique within the site, e.g. "alert-fired:12"'), at: z.string() };

export const SiteHistoryEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    kind: z.literal('outage'),
    type: z.literal('uplink_outage'),
    /** The end, or now while it lasts. */
    to: z.string(),
    duration_s: z.number(),
    ongoing: z.boolean(),
    sources: z.array(OutageSourceSchema),
  }),
  z.object({
    ...base,
    kind: z.literal('collection'),
    type: z.enum(['collection_stopped', 'collection_started']),
    /** The technician's reason, as given on the site's dashboard or MCP. */
    reason: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal('agent'),
    type: z.literal('agent_started'),
    version: z.string(),
    /** The version before, when the site had run an agent before (a restart or an upgrade). */
    previous_version: z.string().nullable(),
    restart: z.boolean(),
  }),
  z.object({
    ...base,
    kind: z.literal('key'),
    type: z.enum(['key_created', 'key_revoked']),
    key_prefix: z.string(),
    /** A created key that replaced an earlier one (a rotation), not the site's first. */
    rotation: z.boolean(),
  }),
  z.object({
    ...base,
    kind: z.literal('alert'),
    type: z.enum(['alert_fired', 'alert_resolved']),
    alert_id: z.number(),
    title: z.string(),
    rule_name: z.string(),
    severity: z.enum(['critical', 'warning', 'info']),
  }),
]);
export type SiteHistoryEvent = z.infer<typeof SiteHistoryEventSchema>;
export type SiteHistoryEventType = SiteHistoryEvent['type'];

export const SiteHistoryResponseSchema = z.object({
  site_id: z.number(),
  from: z.string(),
  to: z.string(),
  /** Newest first. */
  events: z.array(SiteHistoryEventSchema),
  /** The offset of the next page, or null when this was the last. */
  next_offset: z.number().nullable(),
});
export type SiteHistoryResponse = z.infer<typeof SiteHistoryResponseSchema>;
