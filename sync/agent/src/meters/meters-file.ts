import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_METER_PROTOCOL, METER_PROTOCOLS } from './registry.js';
import type { ProtocolMeter } from './registry.js';

const dataPoint = z.object({
  object_type: z.string().min(1),
  instance: z.number().int().min(0).max(4194303),
  property: z.string().min(1).default('presentValue'),
  name: z.string().min(1).max(100),
  unit: z.string().max(50).nullable().optional(),
});

const meter = z.object({
  id: z.string().min(1).max(255),
  name: z.string().min(1).max(255),
  /** Which protocol reads the meter; files written before there was a choice name none and are BACnet. */
  protocol: z.enum(METER_PROTOCOLS).default(DEFAULT_METER_PROTOCOL),
  bacnet_device_id: z.number().int().min(0).max(4194303),
  bacnet_ip: z.string().min(1).max(45),
  bacnet_port: z.number().int().min(1).max(65535).optional(),
  data_points: z.array(dataPoint).min(1),
  is_active: z.boolean().optional(),
});

export const metersFileSchema = z.object({ meters: z.array(meter) }).superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.meters.forEach((m, i) => {
    if (seen.has(m.id))
      ctx.addIssue({ code: 'custom', path: ['meters', i, 'id'], message: `duplicate meter id ${m.id}` });
    seen.add(m.id);
    const names = new Set<string>();
    m.data_points.forEach((p, j) => {
      if (names.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['meters', i, 'data_points', j, 'name'],
          message: `duplicate data point ${p.name}`,
        });
      }
      names.add(p.name);
    });
  });
});

/** Parse a meters.json text (the original design's format), listing every problem at once. */
export function parseMetersFile(text: string, source = 'meters.json'): ProtocolMeter[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const result = metersFileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${source} is invalid:\n  ${lines.join('\n  ')}`);
  }
  return result.data.meters;
}

/** Load meters.json, or null when the file does not exist. */
export async function loadMetersFile(file: string): Promise<ProtocolMeter[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseMetersFile(text, file);
}
