import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LatestValueSchema, MeterHealthSchema, MeterSummarySchema, utcTime } from '@meterit/shared';
import { answer, guarded, shortTime, visibleSites, READ_ONLY_TOOL, type ToolDeps } from '../context.js';
import { sitesInput, textInput } from '../schemas.js';

export const QUERY_METERS = 'query_meters';
export const MAX_METERS = 500;
const input = z.object({
  site_ids: sitesInput,
  meter_ids: z
    .array(z.number().int().min(1).describe('A meter id'))
    .min(1)
    .max(500)
    .optional()
    .describe('Only these meters (client-system ids, 1 to 500)'),
  search: textInput()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Text to find in the meter name, meter id or site name (case-insensitive)'),
  status: MeterHealthSchema.optional().describe(
    'Only meters in this state: ok, fault (a point reports bad quality), stale (no recent reading), no_data, inactive, not_answering / wrong_device / degraded (as the site agent reports)',
  ),
  include_inactive: z.boolean().default(false).describe('Also list deactivated meters (default false)'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_METERS)
    .default(100)
    .describe(`Most meters to return (1 to ${MAX_METERS}, default 100)`),
});

const output = z.object({
  now: utcTime,
  count: z.number().describe('Meters returned'),
  matched: z.number().describe('Meters that matched before the limit'),
  truncated: z.boolean(),
  by_status: z.record(z.string(), z.number()).describe('Matched meters per status'),
  meters: z.array(
    MeterSummarySchema.pick({
      site_id: true,
      site_name: true,
      name: true,
      status: true,
      status_reason: true,
      last_reading_at: true,
      is_active: true,
    }).extend({
      id: z.number().describe('Client-system meter id (use it in query_readings / get_consumption)'),
      external_id: z.string().describe('The meter id on the site (meters.json)'),
      bacnet: z.object({ device_id: z.number().nullable(), ip: z.string().nullable(), port: z.number().nullable() }),
      data_points: z.array(
        z.object({ name: z.string(), unit: z.string().nullable(), latest: LatestValueSchema.nullable() }),
      ),
    }),
  ),
});

export function registerQueryMetersTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    QUERY_METERS,
    {
      title: 'Meters',
      description:
        'The meters of the sites you may see, with their state (ok / fault / stale / no_data / inactive / not_answering / wrong_device / degraded) and why, the last reading time, ' +
        'and every data point with its latest value, unit and quality. Filter by site, meter ids, text and state.',
      inputSchema: input,
      outputSchema: output,
      annotations: READ_ONLY_TOOL,
    },
    async (args) =>
      guarded(deps, QUERY_METERS, async () => {
        const now = new Date(deps.now());
        let list = await deps.ops.meters(
          {
            siteIds: visibleSites(deps.user, args.site_ids),
            meterIds: args.meter_ids,
            search: args.search,
            includeInactive: args.include_inactive,
          },
          now,
        );
        if (args.status) list = list.filter((m) => m.status === args.status);
        const byStatus: Record<string, number> = {};
        for (const m of list) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
        const shown = list.slice(0, args.limit);
        const meters = shown.map((m) => ({
          id: m.id,
          site_id: m.site_id,
          site_name: m.site_name,
          external_id: m.external_id,
          name: m.name,
          status: m.status,
          status_reason: m.status_reason,
          last_reading_at: m.last_reading_at,
          is_active: m.is_active,
          bacnet: { device_id: m.bacnet_device_id, ip: m.bacnet_ip, port: m.bacnet_port },
          data_points: m.data_points.map((p) => ({
            name: p.name,
            unit: p.unit ?? p.latest?.unit ?? null,
            latest: p.latest,
          })),
        }));
        const lines = [
          list.length === 0
            ? 'No matching meter (or none on the sites you may see).'
            : `${list.length} meters${list.length > shown.length ? ` (first ${shown.length} shown)` : ''}: ${Object.entries(
                byStatus,
              )
                .map(([s, n]) => `${n} ${s}`)
                .join(', ')}.`,
          ...shown.slice(0, 20).map((m) => {
            const values = m.data_points
              .filter((p) => p.latest)
              .map((p) => `${p.name} ${p.latest?.value}${p.latest?.unit ? ` ${p.latest.unit}` : ''}`);
            return `- ${m.site_name} / ${m.name} (id ${m.id}, ${m.external_id}): ${m.status}${m.status === 'ok' ? '' : ` — ${m.status_reason}`}; last reading ${shortTime(m.last_reading_at)}${values.length ? `; ${values.join(', ')}` : ''}`;
          }),
        ];
        return answer(lines.join('\n'), {
          now: now.toISOString(),
          count: meters.length,
          matched: list.length,
          truncated: list.length > shown.length,
          by_status: byStatus,
          meters,
        });
      }),
  );
}
