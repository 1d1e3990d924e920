import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { guarded, round, shortTime, toolError, visibleSites, READ_ONLY_TOOL, type ToolDeps } from '../context.js';
import { SiteStatusSchema, utcTime, utcTimeOrNull, type AlertInfo } from '@meterit/shared';
import { isoInput, sitesInput, tzInput } from '../schemas.js';
import { DAY, resolveRange } from '../time.js';

export const GENERATE_REPORT = 'generate_report';
export const MAX_REPORT_DAYS = 93;
const MAX_ALERTS_PER_SITE = 50;

const input = z.object({
  site_ids: sitesInput,
  from: isoInput('Start of the period (inclusive), ISO-8601 with zone; default 7 days before `to`').optional(),
  to: isoInput('End of the period (exclusive), ISO-8601 with zone; default now').optional(),
  tz: tzInput,
  collection_interval_s: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe(
      'How often the site agents read each data point (their COLLECTION_INTERVAL_SECONDS, default 60): readings expected per meter = the part of the period the meter existed ÷ this × its data points',
    ),
});

const alert = z.object({
  id: z.number(),
  rule_name: z.string().nullable(),
  severity: z.string(),
  state: z.string(),
  message: z.string(),
  started_at: utcTime,
  resolved_at: utcTimeOrNull,
});

const siteReport = SiteStatusSchema.pick({
  site_id: true,
  site_name: true,
  status: true,
  reasons: true,
  last_heartbeat_at: true,
}).extend({
  meters_configured: z.number().describe('Active meters'),
  meters_answering: z.number().nullable().describe('Meters answering on the site (last heartbeat)'),
  data_points: z.number().describe('Data points of the active meters'),
  readings_received: z.number().describe('Readings stored in the client system for the period'),
  readings_expected: z
    .number()
    .describe(
      'Per meter: its data points × whole collection intervals of the period since the meter existed (created, or its first reading if earlier)',
    ),
  completeness_pct: z
    .number()
    .nullable()
    .describe('received ÷ expected × 100 (one decimal); null when nothing is expected'),
  energy_kwh: z.number().describe('Energy used in the period from the kWh counters'),
  energy_unattributed_kwh: z.number().describe('Energy across data gaps that span days (not in energy_kwh)'),
  energy_complete: z.boolean().describe('Every day of every counter fully covered by readings'),
  alerts_in_period: z
    .number()
    .nullable()
    .describe('Alerts active at some time in the period; null when alerting is not available'),
  alerts: z.array(alert),
});

const output = z.object({
  title: z.string(),
  generated_at: utcTime,
  period: z.object({ from: utcTime, to: utcTime, tz: z.string(), hours: z.number() }),
  collection_interval_s: z.number(),
  alerts_available: z.boolean(),
  totals: z.object({
    sites: z.number(),
    by_status: z.record(z.string(), z.number()),
    energy_kwh: z.number(),
    readings_received: z.number(),
    readings_expected: z.number(),
    completeness_pct: z.number().nullable(),
    alerts_in_period: z.number().nullable(),
  }),
  sites: z.array(siteReport),
  text: z.string().describe('The report as readable text (the same as the first content block)'),
  csv: z.string().describe('One row per site, comma-separated with a header (the same as the second content block)'),
});

type SiteReport = z.infer<typeof siteReport>;

/** One CSV field: quoted when needed, and prefixed so a spreadsheet never runs it as a formula. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const REPORT_CSV_HEADER = [
  'site_id',
  'site_name',
  'status',
  'reasons',
  'meters_configured',
  'meters_answering',
  'readings_received',
  'readings_expected',
  'completeness_pct',
  'energy_kwh',
  'energy_unattributed_kwh',
  'energy_complete',
  'alerts_in_period',
];

function toCsv(sites: SiteReport[]): string {
  const rows = sites.map((s) => [
    s.site_id,
    s.site_name,
    s.status,
    s.reasons.join('; '),
    s.meters_configured,
    s.meters_answering,
    s.readings_received,
    s.readings_expected,
    s.completeness_pct,
    s.energy_kwh,
    s.energy_unattributed_kwh,
    s.energy_complete,
    s.alerts_in_period,
  ]);
  return [REPORT_CSV_HEADER, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const pct = (received: number, expected: number): number | null =>
  expected > 0 ? round((received / expected) * 100, 1) : null;

export function registerGenerateReportTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GENERATE_REPORT,
    {
      title: 'Multi-site report',
      description:
        'A report an operator can forward, for every site you may see (or the given ones) over a period (default the last 7 days, at most 93): ' +
        'status with reasons, data completeness (readings received vs expected from meters × data points × collection interval), ' +
        'energy used from the kWh counters, and the alerts in the period. Returned as structured content, as readable text and as CSV.',
      inputSchema: input,
      outputSchema: output,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, GENERATE_REPORT, async (): Promise<CallToolResult> => {
        const range = resolveRange(args, deps.now(), 7 * DAY, MAX_REPORT_DAYS);
        if ('problem' in range) return toolError(range.problem);
        const { from, to } = range;
        const now = new Date(deps.now());
        const siteIds = visibleSites(deps.user, args.site_ids);
        const statuses = await deps.ops.siteStatuses(siteIds, false, now);
        const ids = statuses.map((s) => s.site_id);
        const alertsOps = deps.ops.alerts;
        const [meters, counts, consumption, alerts] = await Promise.all([
          deps.ops.meters({ siteIds: ids, includeInactive: false }, now),
          deps.ops.readingCounts(ids, from, to),
          ids.length > 0
            ? deps.ops.consumption({
                siteIds: ids,
                from,
                to,
                interval: '1d',
                tz: args.tz,
                gapSeconds: Math.max(900, args.collection_interval_s * 3),
              })
            : Promise.resolve(null),
          alertsOps && ids.length > 0
            ? alertsOps.inPeriod(deps.user, { from, to, limit: 10_000 })
            : Promise.resolve(alertsOps ? ([] as AlertInfo[]) : null),
        ]);
        // A meter is expected to report only over the part of the period it existed: a site set up an hour ago is not 0.1 % complete in a month report.
        const intervalMs = args.collection_interval_s * 1000;
        const expectedOf = (meterId: number, points: number): number => {
          const since = counts.find((c) => c.meter_id === meterId)?.since.getTime() ?? from.getTime();
          return points * Math.floor(Math.max(0, to.getTime() - Math.max(from.getTime(), since)) / intervalMs);
        };
        const sites: SiteReport[] = statuses.map((s) => {
          const siteMeters = meters.filter((m) => m.site_id === s.site_id);
          const points = siteMeters.reduce((n, m) => n + m.data_points.length, 0);
          const received = counts.filter((c) => c.site_id === s.site_id).reduce((n, c) => n + c.readings, 0);
          const expected = siteMeters.reduce((n, m) => n + expectedOf(m.id, m.data_points.length), 0);
          const energy = consumption?.sites.find((c) => c.site_id === s.site_id);
          const mine = alerts?.filter((a) => a.site_id === s.site_id) ?? null;
          return {
            site_id: s.site_id,
            site_name: s.site_name,
            status: s.status,
            reasons: s.reasons,
            last_heartbeat_at: s.last_heartbeat_at,
            meters_configured: s.meters.configured,
            meters_answering: s.meters.answering,
            data_points: points,
            readings_received: received,
            readings_expected: expected,
            completeness_pct: pct(received, expected),
            energy_kwh: energy ? round(energy.total_kwh, 3) : 0,
            energy_unattributed_kwh: energy ? round(energy.unattributed_kwh, 3) : 0,
            energy_complete: energy ? energy.buckets.every((b) => b.complete) : false,
            alerts_in_period: mine ? mine.length : null,
            alerts: (mine ?? []).slice(0, MAX_ALERTS_PER_SITE).map((a) => ({
              id: a.id,
              rule_name: a.rule_name,
              severity: a.severity,
              state: a.state,
              message: a.title,
              started_at: a.started_at,
              resolved_at: a.resolved_at,
            })),
          };
        });
        const byStatus: Record<string, number> = {};
        for (const s of sites) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
        const received = sites.reduce((n, s) => n + s.readings_received, 0);
        const expected = sites.reduce((n, s) => n + s.readings_expected, 0);
        const totals = {
          sites: sites.length,
          by_status: byStatus,
          energy_kwh: round(
            sites.reduce((t, s) => t + s.energy_kwh, 0),
            3,
          ),
          readings_received: received,
          readings_expected: expected,
          completeness_pct: pct(received, expected),
          alerts_in_period: alerts ? sites.reduce((n, s) => n + (s.alerts_in_period ?? 0), 0) : null,
        };
        const title = `MeterIT report ${shortTime(from.toISOString())} – ${shortTime(to.toISOString())}`;
        const lines = [
          title,
          `${totals.sites} sites (${
            Object.entries(byStatus)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ') || 'none'
          }); energy used ${totals.energy_kwh} kWh; ` +
            `data completeness ${totals.completeness_pct ?? '–'}% (${received} of ${expected} readings expected at one per ${args.collection_interval_s} s per data point); ` +
            (totals.alerts_in_period === null
              ? 'alerts: not available in this version.'
              : `${totals.alerts_in_period} alerts in the period.`),
          '',
          ...sites.flatMap((s) => [
            `${s.site_name} (id ${s.site_id}): ${s.status.toUpperCase()}${s.reasons.length ? ` — ${s.reasons.join('; ')}` : ''}`,
            `  energy ${s.energy_kwh} kWh${s.energy_unattributed_kwh ? ` (+ ${s.energy_unattributed_kwh} kWh across data gaps)` : ''}${s.energy_complete ? '' : ', not every day fully covered'}; ` +
              `completeness ${s.completeness_pct ?? '–'}% (${s.readings_received} / ${s.readings_expected}); ` +
              `meters ${s.meters_answering ?? '?'} of ${s.meters_configured} answering; ` +
              (s.alerts_in_period === null
                ? 'alerts n/a'
                : `${s.alerts_in_period} alerts${
                    s.alerts.length
                      ? `: ${s.alerts
                          .slice(0, 5)
                          .map((a) => `${a.severity} ${a.message}`)
                          .join('; ')}`
                      : ''
                  }`),
          ]),
        ];
        const text = lines.join('\n');
        const csv = toCsv(sites);
        const structured: z.infer<typeof output> = {
          title,
          generated_at: now.toISOString(),
          period: {
            from: from.toISOString(),
            to: to.toISOString(),
            tz: args.tz,
            hours: round((to.getTime() - from.getTime()) / 3_600_000, 2),
          },
          collection_interval_s: args.collection_interval_s,
          alerts_available: alerts !== null,
          totals,
          sites,
          text,
          csv,
        };
        return {
          content: [
            { type: 'text', text },
            { type: 'text', text: csv },
          ],
          structuredContent: structured,
        };
      }),
  );
}
