import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CONSUMPTION_INTERVALS,
  ConsumptionResponseSchema,
  ConsumptionSeriesSchema,
  type ConsumptionInterval,
} from '@meterit/shared';
import { answer, guarded, round, toolError, READ_ONLY_TOOL, type ToolDeps } from '../context.js';
import { dataPointInput, isoInput, meterIdInput, sitesInput, tzInput } from '../schemas.js';
import { DAY } from '../time.js';
import { queryWindow } from './scope.js';

export const GET_CONSUMPTION = 'get_consumption';
/** Longest range per interval, so one answer stays a readable size. */
export const MAX_DAYS: Record<ConsumptionInterval, number> = { '15m': 7, '1h': 31, '1d': 366 };
const MAX_SERIES = 500;

const input = z.object({
  site_ids: sitesInput,
  meter_id: meterIdInput,
  data_point: dataPointInput(
    'One energy counter point, e.g. "total_kwh"; default every point with unit Wh, kWh or MWh',
  ),
  from: isoInput('Start (inclusive), ISO-8601 with zone; default 7 days before `to`').optional(),
  to: isoInput('End (exclusive), ISO-8601 with zone; default now').optional(),
  interval: z
    .enum(CONSUMPTION_INTERVALS)
    .default('1d')
    .describe('Energy per 15m, 1h or 1d (days follow tz); range at most 7, 31 or 366 days'),
  tz: tzInput,
  gap_minutes: z
    .number()
    .int()
    .min(1)
    .max(360)
    .default(15)
    .describe('Two readings further apart than this are a gap in the data (default 15)'),
  series_buckets: z
    .boolean()
    .default(false)
    .describe(
      'Also return every interval per meter (default false: per meter only totals, gaps and resets; per site every interval)',
    ),
});

const output = ConsumptionResponseSchema.pick({
  from: true,
  to: true,
  interval: true,
  tz: true,
  gap_threshold_s: true,
}).extend({
  total_kwh: z.number().describe('All returned sites together'),
  sites: z.array(
    ConsumptionResponseSchema.shape.sites.element.extend({
      complete: z.boolean().describe('Every interval of every meter fully covered by readings'),
    }),
  ),
  series: z.array(
    ConsumptionSeriesSchema.omit({ site_name: true, unit: true, buckets: true }).extend({
      gaps: ConsumptionSeriesSchema.shape.gaps.describe('Stretches without readings longer than gap_minutes'),
      buckets: ConsumptionSeriesSchema.shape.buckets.optional(),
    }),
  ),
  series_truncated: z.boolean(),
});

export function registerGetConsumptionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GET_CONSUMPTION,
    {
      title: 'Energy consumption',
      description:
        "Energy used (kWh) per site and meter per interval (15m / 1h / 1d), computed from the meters' cumulative energy counters (Wh / kWh / MWh points): " +
        'what each counter advanced, with counter resets and gaps in the data reported, and intervals without full data marked incomplete. ' +
        'Answers "how much energy did each site use last week". Default: the last 7 days per day, UTC.',
      inputSchema: input,
      outputSchema: output,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, GET_CONSUMPTION, async () => {
        const w = await queryWindow(deps, args, {
          defaultMs: 7 * DAY,
          maxDays: MAX_DAYS[args.interval],
          rangeHint: `(interval ${args.interval}: at most ${MAX_DAYS[args.interval]} days; use a longer interval for longer ranges)`,
        });
        if ('problem' in w) return toolError(w.problem);
        const c = await deps.ops.consumption({
          ...w.query,
          interval: args.interval,
          tz: args.tz,
          gapSeconds: args.gap_minutes * 60,
        });
        const sites = c.sites.map((s) => ({ ...s, complete: s.buckets.every((b) => b.complete) }));
        const series = c.series.slice(0, MAX_SERIES).map((s) => ({
          site_id: s.site_id,
          meter_id: s.meter_id,
          meter_external_id: s.meter_external_id,
          meter_name: s.meter_name,
          data_point: s.data_point,
          total_kwh: s.total_kwh,
          unattributed_kwh: s.unattributed_kwh,
          gaps: s.gaps,
          resets: s.resets,
          ...(args.series_buckets ? { buckets: s.buckets } : {}),
        }));
        const total = round(
          sites.reduce((t, s) => t + s.total_kwh, 0),
          6,
        );
        const gaps = c.series.reduce((n, s) => n + s.gaps.length, 0);
        const resets = c.series.reduce((n, s) => n + s.resets.length, 0);
        const lines = [
          sites.length === 0
            ? `No energy counter data from ${c.from} to ${c.to} (no meter with a Wh/kWh/MWh point that has readings, on the sites you may see).`
            : `Energy from ${c.from} to ${c.to} (${args.interval}, ${c.tz}): ${round(total)} kWh over ${sites.length} site${sites.length === 1 ? '' : 's'}, ${c.series.length} counters.` +
              `${gaps ? ` ${gaps} gap${gaps === 1 ? '' : 's'} in the data.` : ''}${resets ? ` ${resets} counter reset${resets === 1 ? '' : 's'}.` : ''}`,
          ...sites.map(
            (s) =>
              `- ${s.site_name} (id ${s.site_id}): ${round(s.total_kwh)} kWh${s.unattributed_kwh ? ` + ${round(s.unattributed_kwh)} kWh across gaps` : ''}${s.complete ? '' : ' (some intervals incomplete)'}`,
          ),
        ];
        return answer(lines.join('\n'), {
          from: c.from,
          to: c.to,
          interval: c.interval,
          tz: c.tz,
          gap_threshold_s: c.gap_threshold_s,
          total_kwh: total,
          sites,
          series,
          series_truncated: c.series.length > series.length,
        });
      }),
  );
}
