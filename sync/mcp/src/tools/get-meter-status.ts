import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, shortTime, toolError, type ToolDeps } from '../context.js';
import {
  countMeterStates,
  meterCountsSchema,
  meterIdInput,
  meterStateSchema,
  metersResponseSchema,
} from '@meterit/shared/site-contracts';

export const GET_METER_STATUS = 'get_meter_status';

const input = z.object({
  meter: meterIdInput.optional().describe('One meter by its id (external id, e.g. "SIM-4101"); default all meters'),
  state: meterStateSchema
    .optional()
    .describe(
      'Only meters in this state: ok, slow, failing, never_answered, degraded (some points fail) or wrong_device (another device answers at its address)',
    ),
});

const output = metersResponseSchema.extend({ counts: meterCountsSchema });

export function registerGetMeterStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    GET_METER_STATUS,
    {
      title: 'Meter connectivity and last values',
      description:
        'Per meter: is it answering (ok / slow / failing / never answered / degraded when some points fail / wrong device when another BACnet ' +
        'device answers at its address, in words), since when, response time, the last error in plain words with what to check, and the last ' +
        'value of each data point with its unit, quality and, while it fails, its own last error.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      guarded(GET_METER_STATUS, async () => {
        const view = await deps.ops.meters();
        const counts = countMeterStates(view.meters.map((m) => m.state));
        let meters = view.meters;
        if (args.meter) {
          meters = meters.filter((m) => m.id === args.meter);
          if (meters.length === 0) {
            return toolError(
              `No meter "${args.meter}" is configured on this site. Configured meters: ${view.meters.map((m) => m.id).join(', ') || 'none'}.`,
            );
          }
        }
        if (args.state) meters = meters.filter((m) => m.state === args.state);
        const lines = [
          `${counts.configured} meters configured: ${counts.ok} ok, ${counts.slow} slow, ${counts.failing} failing, ${counts.never_answered} never answered, ` +
            `${counts.degraded} degraded, ${counts.wrong_device} wrong device.`,
          ...meters.map((m) => {
            const values = m.points.map((p) => `${p.name}=${p.value ?? '–'}${p.unit ? ` ${p.unit}` : ''}`).join(', ');
            const pointErrors = m.points
              .filter((p) => p.error)
              .map(
                (p) =>
                  ` Point ${p.name} fails (${p.error?.consecutive_failures} polls, ${p.error?.code}): ${p.error?.message}.`,
              )
              .join('');
            const err =
              (m.last_error && m.state !== 'ok' && m.state !== 'degraded'
                ? ` Last error ${m.last_error.code}: ${m.last_error.plain}`
                : '') + pointErrors;
            return `- ${m.id} "${m.name}" (device ${m.bacnet.device_id} at ${m.bacnet.address}:${m.bacnet.port}): ${m.state}, ${m.state_text}; last success ${shortTime(m.last_success_at)}. ${values}.${err}`;
          }),
        ];
        return answer(lines.join('\n'), { now: view.now, slow_threshold_ms: view.slow_threshold_ms, counts, meters });
      }),
  );
}
