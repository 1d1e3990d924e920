import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { READING_AGGS, READING_BUCKETS, ReadingsResponseSchema } from '@meterit/shared';
import { answer, guarded, toolError, READ_ONLY_TOOL, type ToolDeps } from '../context.js';
import { dataPointInput, isoInput, meterIdInput, sitesInput, tzInput } from '../schemas.js';
import { HOUR } from '../time.js';
import { queryWindow } from './scope.js';

export const QUERY_READINGS = 'query_readings';
export const MAX_READING_ROWS = 2000;
/** Raw readings: at most this many days per call; buckets: at most MAX_BUCKET_DAYS. */
export const MAX_RAW_DAYS = 7;
export const MAX_BUCKET_DAYS = 366;

const input = z.object({
  site_ids: sitesInput,
  meter_id: meterIdInput,
  data_point: dataPointInput('One data point name, e.g. "total_kwh", "current_kw", "voltage"; default every point'),
  from: isoInput(
    'Start (inclusive), ISO-8601 with zone; default 1 hour (raw) or 24 hours (buckets) before `to`',
  ).optional(),
  to: isoInput('End (exclusive), ISO-8601 with zone; default now').optional(),
  bucket: z
    .enum(READING_BUCKETS)
    .default('raw')
    .describe(
      `raw = every reading (range at most ${MAX_RAW_DAYS} days); 1m / 15m / 1h / 1d = one row per meter, point and bucket (range at most ${MAX_BUCKET_DAYS} days)`,
    ),
  agg: z
    .enum(READING_AGGS)
    .default('avg')
    .describe('For buckets: which aggregate is `value` (avg, min, max or last); all four are returned'),
  tz: tzInput,
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_READING_ROWS)
    .default(200)
    .describe(`Most rows (1 to ${MAX_READING_ROWS}, default 200); ordered by site, meter, point, time`),
});

const output = ReadingsResponseSchema.extend({
  count: z.number(),
  truncated: ReadingsResponseSchema.shape.truncated.describe(
    'More rows matched than `limit`: narrow the range or filters, or use a larger bucket',
  ),
});

export function registerQueryReadingsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    QUERY_READINGS,
    {
      title: 'Readings',
      description:
        'Readings stored in the client system: every reading (bucket raw) or aggregated per 1m / 15m / 1h / 1d bucket (avg, min, max, last, count, flagged). ' +
        `Filter by site, meter, data point and time range. Raw: at most ${MAX_RAW_DAYS} days; buckets: at most ${MAX_BUCKET_DAYS} days; at most ${MAX_READING_ROWS} rows. ` +
        'For energy used, get_consumption is the right tool (it handles counter resets and gaps).',
      inputSchema: input,
      outputSchema: output,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, QUERY_READINGS, async () => {
        const raw = args.bucket === 'raw';
        const w = await queryWindow(deps, args, {
          defaultMs: raw ? HOUR : 24 * HOUR,
          maxDays: raw ? MAX_RAW_DAYS : MAX_BUCKET_DAYS,
        });
        if ('problem' in w) return toolError(w.problem);
        const r = await deps.ops.readings({
          ...w.query,
          bucket: args.bucket,
          agg: args.agg,
          tz: args.tz,
          limit: args.limit,
        });
        const what = [
          w.meterName ?? (args.site_ids ? `sites ${args.site_ids.join(', ')}` : 'all your sites'),
          args.data_point ?? 'all points',
        ].join(', ');
        let text = `${r.rows.length} ${raw ? 'readings' : `${args.bucket} buckets (${args.agg})`} for ${what} from ${r.from} to ${r.to}${r.truncated ? `; first ${r.limit} shown, more matched` : ''}.`;
        const last = r.rows[r.rows.length - 1];
        if (last)
          text += ` Last row: ${last.meter_name}/${last.data_point} = ${last.value}${last.unit ? ` ${last.unit}` : ''} at ${last.ts} (${last.quality}).`;
        else text += ' Nothing stored in that range.';
        return answer(text, { ...r, count: r.rows.length });
      }),
  );
}
