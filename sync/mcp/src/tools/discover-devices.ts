import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  DISCOVER_TIMEOUT_MS,
  discoverRequestSchema,
  discoverResponseSchema,
  discoveredDeviceViewSchema,
  discoveryView,
} from '@meterit/shared/site-contracts';
import { answer, guarded, type ToolDeps } from '../context.js';

export const DISCOVER_DEVICES = 'discover_devices';

// The local API's request, its default shown to the assistant; safeExtend keeps the request's range checks.
const input = discoverRequestSchema.safeExtend({
  timeout_ms: discoverRequestSchema.shape.timeout_ms.default(DISCOVER_TIMEOUT_MS),
});

// The local API's answer, with the broadcast address instead of the target, and each device's object list
// counted rather than listed, so that an answer about many devices stays short enough to read.
const output = discoverResponseSchema.omit({ target: true, devices: true }).extend({
  broadcast_address: z.string().nullable().describe('Where the Who-Is went (null when sent to addresses)'),
  count: z.number(),
  devices: z.array(discoveredDeviceViewSchema.omit({ objects: true }).extend({ object_count: z.number() })),
});

export function registerDiscoverDevicesTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    DISCOVER_DEVICES,
    {
      title: 'Discover BACnet devices',
      description:
        "Who-Is on the site's configured BACnet network through the agent's own adapter, then what each answering device is: name, vendor, model, " +
        'its analog points with names and units, and whether the agent already collects from it. Also names configured meters that did not answer. ' +
        "Only reads; takes timeout_ms plus a moment per device. One discovery runs at a time per site: a call with the same arguments gets the running one's result, " +
        'another is told when to try again; each caller may start a limited number per hour.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args) =>
      guarded(DISCOVER_DEVICES, async () => {
        const started = Date.now();
        const [found, meters] = await Promise.all([
          deps.ops.discover({
            timeoutMs: args.timeout_ms,
            lowLimit: args.low_limit,
            highLimit: args.high_limit,
            address: args.addresses,
          }),
          deps.ops.meters(),
        ]);
        const view = discoveryView(
          found,
          meters.meters.map((m) => ({ id: m.id, name: m.name, deviceId: m.bacnet.device_id })),
          args,
        );
        const devices = view.devices.map(({ objects, ...d }) => ({ ...d, object_count: objects.length }));
        const missing = view.configured_not_found;
        const lines = [
          `${devices.length} BACnet devices answered${args.addresses ? ` at ${args.addresses.join(', ')}` : ` on ${deps.ops.facts().broadcastAddress}`} within ${args.timeout_ms} ms.`,
          ...devices.map(
            (d) =>
              `- device ${d.device_id} at ${d.address}:${d.port}: "${d.name ?? '?'}" ${[d.vendor_name, d.model_name].filter(Boolean).join(' ') || '(vendor unknown)'}; ` +
              `${d.points.length} analog points (${d.points
                .slice(0, 8)
                .map((p) => `${p.name ?? `${p.object_type}:${p.instance}`}${p.unit ? ` [${p.unit}]` : ''}`)
                .join(
                  ', ',
                )}${d.points.length > 8 ? ', …' : ''}); ${d.configured_as ? `collected as meter ${d.configured_as.meter}` : 'not configured on this site'}.` +
              (d.errors.length > 0 ? ` Could not read: ${d.errors.join('; ')}` : ''),
          ),
          ...(missing.length > 0 ? [`Configured meters that did not answer: ${missing.join(', ')}.`] : []),
        ];
        return answer(lines.join('\n'), {
          broadcast_address: args.addresses ? null : deps.ops.facts().broadcastAddress,
          timeout_ms: args.timeout_ms,
          duration_ms: Date.now() - started,
          count: devices.length,
          devices,
          configured_not_found: missing,
        });
      }),
  );
}
