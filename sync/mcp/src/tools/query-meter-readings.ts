import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, toolError, type ToolDeps } from '../context.js';
import { meterIdInput, pointNameInput, readingsResponseSchema } from '@meterit/shared/site-contracts';

export const QUERY_METER_READINGS = 'query_meter_readings';

const HOUR = 3600_000;
/** The same bound as the local API's readings view. */
const MAX_RANGE_DAYS = 31;
export const MAX_READING_ROWS = 1000;

/** An ISO-8601 time with a zone, as an input field. */
const isoInput = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00Z' })
    .describe(what);

const input = z.object({
  meter: meterIdInput.optional().describe('Meter id (external id, e.g. "SIM-4101"); default every meter'),
  point: pointNameInput.optional().describe('Data point name, e.g. "total_kwh"; default every point'),
  from: isoInput('Start of the range (inclusive), ISO-8601 with zone; default one hour before `to`').optional(),
  to: isoInput('End of the range (exclusive), ISO-8601 with zone; default now').optional(),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_READING_ROWS)
    .default(100)
    .describe(`Most rows to return, newest first (1 to ${MAX_READING_ROWS}, default 100)`),
});

const output = readingsResponseSchema.extend({
  count: z.number().describe('Rows returned'),
  retention: z.string().describe('What the site keeps, so an empty answer can be read right'),
});

export function registerQueryMeterReadingsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    QUERY_METER_READINGS,
    {
      title: 'Readings stored on the site',
      description:
        'Readings kept in the site database, newest first: everything not yet sent, plus sent readings for the local retention window. ' +
        `Filter by meter, data point and time range (at most ${MAX_RANGE_DAYS} days; default the last hour); at most ${MAX_READING_ROWS} rows. ` +
        'For longer history ask the client system.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      guarded(QUERY_METER_READINGS, async () => {
        const to = args.to ? new Date(args.to) : new Date(deps.now());
        const from = args.from ? new Date(args.from) : new Date(to.getTime() - HOUR);
        if (from.getTime() >= to.getTime())
          return toolError(`Invalid range: from (${from.toISOString()}) must be before to (${to.toISOString()}).`);
        if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 24 * HOUR)
          return toolError(`Invalid range: from..to may span at most ${MAX_RANGE_DAYS} days.`);
        const facts = deps.ops.facts();
        const r = await deps.ops.readings({ meter: args.meter, point: args.point, from, to, limit: args.limit });
        const retention = `Sent readings stay on the site for ${facts.syncedRetentionHours} h; unsent readings stay until the client system has them.`;
        const what = [
          args.meter ? `meter ${args.meter}` : 'all meters',
          args.point ? `point ${args.point}` : 'all points',
        ].join(', ');
        let text = `${r.readings.length} readings (${what}) from ${r.from} to ${r.to}${r.truncated ? `, newest ${args.limit} shown (more matched)` : ''}.`;
        const newest = r.readings[0];
        if (newest)
          text += ` Newest: ${newest.meter}/${newest.point} = ${newest.value}${newest.unit ? ` ${newest.unit}` : ''} at ${newest.ts} (${newest.quality}${newest.synced ? ', synced' : ', not yet sent'}).`;
        else text += ` None found. ${retention}`;
        return answer(text, {
          from: r.from,
          to: r.to,
          limit: r.limit,
          count: r.readings.length,
          truncated: r.truncated,
          retention,
          readings: r.readings,
        });
      }),
  );
}
