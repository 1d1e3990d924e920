import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, toolError, type ToolDeps } from '../context.js';
import { ipv4WithPort } from './bacnet-input.js';

export const DISCOVER_DEVICES = 'discover_devices';
const MAX_INSTANCE = 4_194_303;

const input = z.object({
  timeout_ms: z
    .number()
    .int()
    .min(200)
    .max(10_000)
    .default(2000)
    .describe(
      "How long to wait for I-Am answers, ms (200 to 10000, default 2000); reading each device's names and points takes a little longer",
    ),
  low_limit: z
    .number()
    .int()
    .min(0)
    .max(MAX_INSTANCE)
    .optional()
    .describe('Lowest device instance to ask for (give high_limit too)'),
  high_limit: z
    .number()
    .int()
    .min(0)
    .max(MAX_INSTANCE)
    .optional()
    .describe('Highest device instance to ask for (give low_limit too)'),
  addresses: z
    .array(ipv4WithPort)
    .min(1)
    .max(64)
    .optional()
    .describe(
      'Send Who-Is only to these devices ("192.168.1.20" or "192.168.1.20:47808") instead of broadcasting on the configured network',
    ),
});

const output = z.object({
  broadcast_address: z.string().nullable().describe('Where the Who-Is went (null when sent to addresses)'),
  timeout_ms: z.number(),
  duration_ms: z.number(),
  count: z.number(),
  devices: z.array(
    z.object({
      device_id: z.number(),
      address: z.string(),
      port: z.number(),
      name: z.string().nullable().describe("The device object's objectName"),
      vendor_id: z.number(),
      vendor_name: z.string().nullable(),
      model_name: z.string().nullable(),
      max_apdu: z.number(),
      object_count: z.number(),
      points: z
        .array(
          z.object({
            object_type: z.string(),
            instance: z.number(),
            name: z.string().nullable(),
            units: z.number().nullable().describe('BACnet engineering units number'),
            unit: z.string().nullable(),
          }),
        )
        .describe('Analog inputs and values with names and units'),
      configured_as: z
        .object({ meter: z.string(), name: z.string() })
        .nullable()
        .describe('The configured meter with this device id, or null when the agent does not collect from it yet'),
      errors: z.array(z.string()).describe('What could not be read'),
    }),
  ),
  configured_not_found: z.array(z.string()).describe('Configured meters (ids) that did not answer this Who-Is'),
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
        if ((args.low_limit === undefined) !== (args.high_limit === undefined))
          return toolError('Give both low_limit and high_limit, or neither.');
        if (args.low_limit !== undefined && args.high_limit !== undefined && args.low_limit > args.high_limit)
          return toolError('low_limit must not be greater than high_limit.');
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
        const byDevice = new Map(meters.meters.map((m) => [m.bacnet.device_id, m]));
        const devices = found.map((d) => {
          const m = byDevice.get(d.deviceId);
          return {
            device_id: d.deviceId,
            address: d.address,
            port: d.port,
            name: d.objectName,
            vendor_id: d.vendorId,
            vendor_name: d.vendorName,
            model_name: d.modelName,
            max_apdu: d.maxApdu,
            object_count: d.objects.length,
            points: d.points.map((p) => ({
              object_type: p.objectType,
              instance: p.instance,
              name: p.objectName,
              units: p.units,
              unit: p.unitSymbol,
            })),
            configured_as: m ? { meter: m.id, name: m.name } : null,
            errors: d.errors,
          };
        });
        const seen = new Set(found.map((d) => d.deviceId));
        const inRange = (id: number) =>
          args.low_limit === undefined ||
          args.high_limit === undefined ||
          (id >= args.low_limit && id <= args.high_limit);
        const missing = args.addresses
          ? []
          : meters.meters.filter((m) => inRange(m.bacnet.device_id) && !seen.has(m.bacnet.device_id)).map((m) => m.id);
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
