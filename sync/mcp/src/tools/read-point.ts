import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, toolError, type ToolDeps } from '../context.js';
import { meterIdInput } from '@meterit/shared/site-contracts';
import { APPLICATION_TAGS, bacnetName, ipv4WithPort, jsonSafe } from './bacnet-input.js';

export const READ_POINT = 'read_point';
const MAX_INSTANCE = 4_194_303;

const input = z.object({
  meter: meterIdInput
    .optional()
    .describe('Read from this configured meter (its id, e.g. "SIM-4101"); or give device_id'),
  device_id: z
    .number()
    .int()
    .min(0)
    .max(MAX_INSTANCE - 1)
    .optional()
    .describe('BACnet device instance to read from, when it is not a configured meter'),
  address: ipv4WithPort
    .optional()
    .describe("The device's IPv4 address, optionally with :port (default: the configured meter's address)"),
  object_type: bacnetName('object type').describe(
    'Object type, e.g. "analogInput", "analogValue", "device" (or its number)',
  ),
  instance: z.number().int().min(0).max(MAX_INSTANCE).describe('Object instance, e.g. 0'),
  property: bacnetName('property')
    .default('presentValue')
    .describe(
      'Property, e.g. "presentValue", "units", "statusFlags", "objectName", "reliability" (default presentValue)',
    ),
  array_index: z
    .number()
    .int()
    .min(0)
    .max(0xfffffffe)
    .optional()
    .describe('Array index for array properties such as objectList (0 = length)'),
});

const output = z.object({
  device: z.object({ device_id: z.number(), address: z.string(), port: z.number().nullable() }),
  object: z.object({ type: z.string(), instance: z.number() }),
  property: z.string(),
  array_index: z.number().nullable(),
  response_ms: z.number(),
  value: z.unknown().describe('The first value, decoded'),
  values: z
    .array(z.object({ tag: z.number(), tag_name: z.string(), value: z.unknown() }))
    .describe('Every value of the answer with its BACnet application tag'),
});

export function registerReadPointTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    READ_POINT,
    {
      title: 'Read one BACnet property live',
      description:
        "One live ReadProperty of one object/property on a meter or any device, through the agent's adapter, for diagnosis: " +
        '"what does the meter say right now", units, status flags, reliability, names. Does not store anything. Times out after the agent\'s BACnet timeout.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args) =>
      guarded(READ_POINT, async () => {
        if (args.meter === undefined && args.device_id === undefined)
          return toolError('Say which device: meter (a configured meter id) or device_id (with address).');
        let device: { deviceId: number; address: string; port?: number | undefined };
        if (args.meter !== undefined) {
          const meters = (await deps.ops.meters()).meters;
          const m = meters.find((x) => x.id === args.meter);
          if (!m)
            return toolError(
              `No meter "${args.meter}" is configured on this site. Configured meters: ${meters.map((x) => x.id).join(', ') || 'none'}.`,
            );
          if (args.device_id !== undefined && args.device_id !== m.bacnet.device_id)
            return toolError(`Meter ${m.id} is device ${m.bacnet.device_id}, not ${args.device_id}; give one of them.`);
          device = { deviceId: m.bacnet.device_id, address: m.bacnet.address, port: m.bacnet.port };
        } else {
          const id = args.device_id as number;
          const m = (await deps.ops.meters()).meters.find((x) => x.bacnet.device_id === id);
          if (!args.address && !m) return toolError(`Device ${id} is not a configured meter, so give its address too.`);
          device =
            m && !args.address
              ? { deviceId: id, address: m.bacnet.address, port: m.bacnet.port }
              : { deviceId: id, address: args.address as string };
        }
        if (args.address && args.meter !== undefined) device = { deviceId: device.deviceId, address: args.address };
        const objectType = /^\d+$/.test(args.object_type) ? Number(args.object_type) : args.object_type;
        const property = /^\d+$/.test(args.property) ? Number(args.property) : args.property;
        const started = Date.now();
        const r = await deps.ops.readProperty({
          device,
          objectType,
          instance: args.instance,
          property,
          arrayIndex: args.array_index,
        });
        const responseMs = Date.now() - started;
        const where = `device ${device.deviceId} at ${device.address}${device.port && !device.address.includes(':') ? `:${device.port}` : ''}`;
        const what = `${args.object_type}:${args.instance} ${args.property}${args.array_index !== undefined ? `[${args.array_index}]` : ''}`;
        if (!r.ok)
          return toolError(`Reading ${what} from ${where} failed after ${responseMs} ms: ${r.code}: ${r.message}`);
        const values = r.values.map((v) => ({
          tag: v.type,
          tag_name: APPLICATION_TAGS[v.type] ?? `TAG_${v.type}`,
          value: jsonSafe(v.value),
        }));
        const first = values[0]?.value ?? null;
        const shown =
          values.length === 1
            ? JSON.stringify(first)
            : `${values.length} values: ${JSON.stringify(values.slice(0, 10).map((v) => v.value))}${values.length > 10 ? ' …' : ''}`;
        return answer(
          `${what} of ${where} = ${shown} (${values[0]?.tag_name ?? 'no value'}; answered in ${responseMs} ms).`,
          {
            device: { device_id: device.deviceId, address: device.address, port: device.port ?? null },
            object: { type: args.object_type, instance: args.instance },
            property: args.property,
            array_index: args.array_index ?? null,
            response_ms: responseMs,
            value: first,
            values,
          },
        );
      }),
  );
}
