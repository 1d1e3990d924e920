import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  checkReadPointTarget,
  readPointRequestFields,
  readPointResponseSchema,
  readValuesView,
} from '@meterit/shared/site-contracts';
import { answer, guarded, toolError, type ToolDeps } from '../context.js';

export const READ_POINT = 'read_point';

// The local API's request without its configured data points: here the object is always named, and presentValue is
// read unless another property is.
const fields = readPointRequestFields.shape;
const input = checkReadPointTarget(
  readPointRequestFields.omit({ point: true }).extend({
    object_type: fields.object_type.unwrap(),
    instance: fields.instance.unwrap(),
    property: fields.property
      .unwrap()
      .default('presentValue')
      .describe(`${fields.property.unwrap().description} (default presentValue)`),
  }),
);

// The local API's answer without what only a configured data point or a failed read has (a failed read is a tool
// error here); the port is null when the address given did not name one.
const output = readPointResponseSchema.omit({ meter: true, point: true, ok: true, error: true }).extend({
  device: readPointResponseSchema.shape.device.extend({ port: z.number().nullable() }),
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
        const values = readValuesView(r.values);
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
