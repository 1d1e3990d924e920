// The dashboard's login (/api/session) and the control actions (/api/control/*), which need the local credential,
// among them the technician's tools: Who-Is discovery and "read this point now".
import { z } from 'zod';
import { deadLetterIdsInput, isoTimeSchema, meterIdInput, pointNameInput, reasonInput } from './fields.js';
import { backlogViewSchema, collectionViewSchema, uplinkViewSchema } from './status.js';

export const sessionResponseSchema = z.object({
  control_enabled: z.boolean(),
  authenticated: z.boolean(),
  by: z.enum(['token', 'session']).nullable(),
  expires_at: isoTimeSchema.nullable(),
});

const TOKEN = 'must be 1 to 512 characters';

/** POST /api/session: the control token buys a short-lived session. */
export const loginRequestSchema = z.object({
  token: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, TOKEN)
    .max(512, TOKEN),
});

export const loginResponseSchema = z.object({ session_token: z.string(), expires_at: isoTimeSchema });

/** POST /api/control/collection/start and …/stop. */
export const collectionRequestSchema = z.object({ reason: reasonInput.optional() });

export const collectionResponseSchema = z.object({ collection: collectionViewSchema });

/** POST /api/control/sync takes no fields. */
export const syncNowRequestSchema = z.object({});

export const syncNowResponseSchema = z.object({
  result: z.object({
    ok: z.boolean().describe('Whether every batch reached the client system'),
    batches: z.number(),
    sent: z.number(),
    stored: z.number(),
    duplicates: z.number().describe('Readings the client system already had (a resend changes nothing)'),
    dead_lettered: z.number().describe('Readings the client system refused; see the dead letters'),
    error_code: z.string().nullable(),
    error: z.string().nullable(),
    started_at: isoTimeSchema,
    finished_at: isoTimeSchema,
    duration_ms: z.number(),
  }),
  backlog: backlogViewSchema,
  uplink: uplinkViewSchema,
});

/** POST /api/control/dead-letters/retry: the given dead letters, or all of them without ids. */
export const retryDeadLettersRequestSchema = z.object({ ids: deadLetterIdsInput.optional() });

export const retryDeadLettersResponseSchema = z.object({
  moved: z.number().describe('Dead letters removed'),
  requeued: z
    .number()
    .describe('Of those, readings put back into the upload queue (the rest were already queued or synced)'),
  backlog: backlogViewSchema,
});

export type SessionResponse = z.infer<typeof sessionResponseSchema>;
export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
export type CollectionRequest = z.infer<typeof collectionRequestSchema>;
export type CollectionResponse = z.infer<typeof collectionResponseSchema>;
export type SyncNowResponse = z.infer<typeof syncNowResponseSchema>;
export type RetryDeadLettersRequest = z.infer<typeof retryDeadLettersRequestSchema>;
export type RetryDeadLettersResponse = z.infer<typeof retryDeadLettersResponseSchema>;

// The technician's tools: POST /api/control/discover and POST /api/control/read-point.

const MAX_INSTANCE = 4_194_303;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ADDRESS = 'must be an IPv4 address, optionally with :port, e.g. 192.168.1.20 or 192.168.1.20:47808';

/** "192.168.1.20" or "192.168.1.20:47808" (browser-safe: no node:net). */
export const ipv4WithPortInput = z
  .string({ error: ADDRESS })
  .trim()
  .max(21, ADDRESS)
  .refine((s) => {
    const [host = '', port, ...rest] = s.split(':');
    if (rest.length > 0 || !IPV4.test(host)) return false;
    return port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  }, ADDRESS)
  .describe('IPv4 address, optionally with :port');

const int = (min: number, max: number, what: string) => {
  const problem = `must be ${what}, an integer from ${min} to ${max}`;
  return z.number({ error: problem }).int({ error: problem }).min(min, problem).max(max, problem);
};

/** BACnet object type or property by name ("analogInput", "presentValue") or number. */
const bacnetName = (what: string) => {
  const problem = `must be a BACnet ${what} name such as analogInput or presentValue, or its number`;
  return z
    .string({ error: problem })
    .trim()
    .min(1, problem)
    .max(64, problem)
    .regex(/^([A-Za-z][A-Za-z_-]*|\d{1,7})$/, problem);
};

/** How long a Who-Is listens for I-Am answers when the request does not say. */
export const DISCOVER_TIMEOUT_MS = 2000;

/**
 * POST /api/control/discover (and the site MCP tool discover_devices, which adds the default timeout): each field
 * optional, so an empty request is a broadcast Who-Is over every instance for DISCOVER_TIMEOUT_MS.
 */
export const discoverRequestSchema = z
  .object({
    timeout_ms: int(200, 10_000, 'milliseconds to wait for I-Am answers')
      .optional()
      .describe(
        `How long to wait for I-Am answers, ms (200 to 10000, default ${DISCOVER_TIMEOUT_MS}); reading each device's names and points takes a little longer`,
      ),
    low_limit: int(0, MAX_INSTANCE, 'the lowest device instance')
      .optional()
      .describe('Lowest device instance to ask for (give high_limit too)'),
    high_limit: int(0, MAX_INSTANCE, 'the highest device instance')
      .optional()
      .describe('Highest device instance to ask for (give low_limit too)'),
    addresses: z
      .array(ipv4WithPortInput, { error: 'must be a list of 1 to 64 addresses' })
      .min(1, 'must be a list of 1 to 64 addresses')
      .max(64, 'must be a list of 1 to 64 addresses')
      .optional()
      .describe(
        'Send Who-Is only to these devices ("192.168.1.20" or "192.168.1.20:47808") instead of broadcasting on the configured network',
      ),
  })
  .refine((b) => (b.low_limit === undefined) === (b.high_limit === undefined), {
    message: 'give both low_limit and high_limit, or neither',
    path: ['high_limit'],
  })
  .refine((b) => b.low_limit === undefined || b.high_limit === undefined || b.low_limit <= b.high_limit, {
    message: 'must not be below low_limit',
    path: ['high_limit'],
  });

export const discoveredObjectSchema = z.object({ object_type: z.string(), instance: z.number() });

export const discoveredDeviceViewSchema = z.object({
  device_id: z.number(),
  address: z.string(),
  port: z.number(),
  name: z.string().nullable().describe("The device object's objectName"),
  vendor_id: z.number(),
  vendor_name: z.string().nullable(),
  model_name: z.string().nullable(),
  max_apdu: z.number(),
  objects: z.array(discoveredObjectSchema).describe("The device's object list"),
  points: z
    .array(
      discoveredObjectSchema.extend({
        name: z.string().nullable(),
        units: z.number().nullable().describe('BACnet engineering units number'),
        unit: z.string().nullable(),
      }),
    )
    .describe('Analog inputs and values with names and units'),
  configured_as: z
    .object({ meter: z.string(), name: z.string() })
    .nullable()
    .describe('The configured meter with this device id, or null when the agent does not collect from it'),
  errors: z.array(z.string()).describe('What could not be read'),
});

export const discoverResponseSchema = z.object({
  target: z.string().describe('Where the Who-Is went'),
  timeout_ms: z.number(),
  duration_ms: z.number(),
  devices: z.array(discoveredDeviceViewSchema),
  configured_not_found: z.array(z.string()).describe('Configured meters (ids) that did not answer this Who-Is'),
});

/** The fields of a live read, before the rules that tie them together (checkReadPointTarget). */
export const readPointRequestFields = z.object({
  meter: meterIdInput
    .describe('Read from this configured meter (its id, e.g. "SIM-4101"); or give device_id')
    .optional(),
  device_id: int(0, MAX_INSTANCE - 1, 'a BACnet device instance')
    .describe('BACnet device instance to read from, when it is not a configured meter')
    .optional(),
  address: ipv4WithPortInput
    .describe("The device's IPv4 address, optionally with :port (default: the configured meter's address)")
    .optional(),
  point: pointNameInput.describe("One of the meter's configured data points, e.g. total_kwh").optional(),
  object_type: bacnetName('object type')
    .describe('Object type, e.g. "analogInput", "analogValue", "device" (or its number)')
    .optional(),
  instance: int(0, MAX_INSTANCE, 'an object instance').describe('Object instance, e.g. 0').optional(),
  property: bacnetName('property')
    .describe('Property, e.g. "presentValue", "units", "statusFlags", "objectName", "reliability"')
    .optional(),
  array_index: int(0, 0xfffffffe, 'an array index')
    .describe('Array index for array properties such as objectList (0 = length)')
    .optional(),
});

/** Which device (a configured meter, or any device with its address) and what of it to read. */
export function checkReadPointTarget<
  T extends z.ZodType<{
    meter?: string | undefined;
    device_id?: number | undefined;
    point?: string | undefined;
    object_type?: string | undefined;
    instance?: number | undefined;
  }>,
>(fields: T) {
  return fields
    .refine((b) => b.meter !== undefined || b.device_id !== undefined, {
      message: 'say which device: meter (a configured meter id) or device_id with address',
      path: ['meter'],
    })
    .refine((b) => b.point === undefined || b.meter !== undefined, {
      message: 'a configured data point needs its meter',
      path: ['point'],
    })
    .refine((b) => b.point !== undefined || (b.object_type !== undefined && b.instance !== undefined), {
      message: 'say what to read: point (a configured data point), or object_type with instance',
      path: ['object_type'],
    });
}

/**
 * POST /api/control/read-point: a configured meter (meter) or any device (device_id with address), and what to
 * read: one of the meter's configured data points (point), or any object and property (object_type, instance,
 * property; presentValue unless said).
 */
export const readPointRequestSchema = checkReadPointTarget(readPointRequestFields);

export const readPointResponseSchema = z.object({
  device: z.object({ device_id: z.number(), address: z.string(), port: z.number() }),
  meter: z.string().nullable().describe('The configured meter read, if it is one'),
  point: z.string().nullable().describe('The configured data point read, if it is one'),
  object: z.object({ type: z.string(), instance: z.number() }),
  property: z.string(),
  array_index: z.number().nullable(),
  response_ms: z.number(),
  ok: z.boolean().describe('The device answered with a value'),
  value: z.unknown().describe('The first value, decoded; null when there is none'),
  values: z
    .array(z.object({ tag: z.number(), tag_name: z.string(), value: z.unknown() }))
    .describe('Every value of the answer with its BACnet application tag'),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe('Why the read failed'),
});

export type DiscoverRequest = z.infer<typeof discoverRequestSchema>;
export type DiscoveredDeviceView = z.infer<typeof discoveredDeviceViewSchema>;
export type DiscoverResponse = z.infer<typeof discoverResponseSchema>;
export type ReadPointRequest = z.infer<typeof readPointRequestSchema>;
export type ReadPointResponse = z.infer<typeof readPointResponseSchema>;
