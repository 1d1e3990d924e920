// GET /api/meters: each meter's connectivity and the last value of each of its points.
import { z } from 'zod';
import { isoTimeOrNullSchema, isoTimeSchema } from './fields.js';

export const meterStateSchema = z
  .enum(['ok', 'slow', 'failing', 'never_answered', 'degraded', 'wrong_device'])
  .describe(
    'degraded: answers, but some of its points fail; wrong_device: another device instance answers at its address (nothing is stored)',
  );

export const pointValueSchema = z.object({
  name: z.string(),
  unit: z.string().nullable(),
  value: z.number().nullable(),
  at: isoTimeOrNullSchema,
  quality: z.string().nullable(),
  last_success_at: isoTimeOrNullSchema.describe('When this point last answered'),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      plain: z.string(),
      at: isoTimeOrNullSchema,
      consecutive_failures: z.number(),
    })
    .nullable()
    .describe("This point's last error while it fails, null once it answers again"),
});

export const meterViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  bacnet: z.object({ device_id: z.number(), address: z.string(), port: z.number() }),
  state: meterStateSchema,
  state_text: z.string().describe('The state in words, e.g. "no answer for 5 polls (since 10:32:04Z)"'),
  last_success_at: isoTimeOrNullSchema,
  consecutive_failures: z.number(),
  response_ms: z.number().nullable(),
  last_error: z
    .object({
      code: z.string(),
      message: z.string(),
      plain: z.string().describe('The error in words a technician can act on'),
      at: isoTimeOrNullSchema,
    })
    .nullable(),
  points_failing: z.number().describe('Data points that failed on the last poll'),
  device_check: z
    .object({ expected_device_id: z.number(), found_device_id: z.number().nullable() })
    .nullable()
    .describe(
      'For wrong_device: the configured BACnet device instance and the one answering at the address (null when it would not say)',
    ),
  points: z.array(pointValueSchema),
});

export const metersResponseSchema = z.object({
  now: isoTimeSchema,
  slow_threshold_ms: z.number().describe('A meter answering slower than this shows as slow'),
  meters: z.array(meterViewSchema),
});

export type MeterState = z.infer<typeof meterStateSchema>;
export type PointValue = z.infer<typeof pointValueSchema>;
export type MeterView = z.infer<typeof meterViewSchema>;
export type MetersResponse = z.infer<typeof metersResponseSchema>;
