import { z } from 'zod';
import { ErrorCode, type ErrorCodeValue } from './errors.js';
import { OperatorErrorCode, type OperatorErrorCodeValue } from './operator-contracts.js';
import { LIMITS } from './constants.js';
import {
  bool,
  count,
  describeType,
  fieldName,
  firstProblems,
  finite,
  integer,
  isPlainObject,
  isoTime,
  list,
  matching,
  object,
  oneOf,
  text,
  typeError,
} from './schema-kit.js';

// The site agent ↔ client system sync contract: one zod schema per request, the types from z.infer.
// Browser-safe: no Node imports.

const MAX_BACNET_INSTANCE = 4_194_303;
const mustBeObject = (what: string) => (input: unknown) => `${what} must be an object, got ${describeType(input)}`;

// IPv4 dotted quad, or IPv6 (as zod checks it); no Node `net` here, the web app bundles this file.
const isIp = (v: string) => z.ipv4().safeParse(v).success || z.ipv6().safeParse(v).success;

/** One data point of a meter, as in the original meters.json format. */
export const DataPointConfigSchema = z.object(
  {
    object_type: text(1, 64),
    instance: integer(0, MAX_BACNET_INSTANCE),
    property: text(1, 64).optional(),
    name: text(1, LIMITS.maxDataPointLength),
    unit: text(0, LIMITS.maxUnitLength).nullable().optional(),
    /**
     * A cumulative counter's wrap value in the point's own unit (e.g. 4294967296 for a 32-bit register): a drop
     * from close below it counts (wraps_at − v0) + v1. Left out: 2^16, 2^32 and 10^6…10^9 are recognised when the
     * drop starts within 1 % below them; any other drop is a reset.
     */
    wraps_at: finite('a number from 1 to 1e15 (the value the counter wraps at, in its unit)', { min: 1, max: 1e15 })
      .nullable()
      .optional(),
    /**
     * The most energy a cumulative counter can count in an hour, in kWh whatever the point's unit (from the meter's
     * rating: e.g. 400 V × 100 A × √3 ≈ 70 kWh per hour). A step above it for its duration (at least a minute) is an
     * impossible step: not counted, listed as a data-quality issue. Left out: no limit.
     */
    max_kwh_per_hour: finite('a number from 0.001 to 1e9 (kWh per hour)', { min: 0.001, max: 1e9 })
      .nullable()
      .optional(),
  },
  { error: (iss) => mustBeObject(fieldName(iss.path))(iss.input) },
);
export type DataPointConfig = z.infer<typeof DataPointConfigSchema>;

/** At most 1000 points per meter, checked before any point is looked at. */
export const dataPointList = (envelope?: (items: unknown[]) => string | undefined) =>
  list(DataPointConfigSchema, 1000, () => 'at most 1000 data points per meter', envelope);

const bacnetIp = () =>
  z
    .string({ error: typeError('an IPv4 or IPv6 address') })
    .refine(isIp, { error: typeError('an IPv4 or IPv6 address'), abort: true });

/** Every protocol a site agent speaks; a meter names its own (`protocol`), bacnet when it names none. */
export const METER_PROTOCOLS = ['bacnet'] as const;
export type MeterProtocolName = (typeof METER_PROTOCOLS)[number];
export const DEFAULT_METER_PROTOCOL: MeterProtocolName = 'bacnet';

/** One meter, as in the original meters.json format (bacnet_port and protocol are additions). */
export const MeterConfigSchema = z.object(
  {
    id: text(1, LIMITS.maxIdLength),
    // Optional on the wire (older agents and meters.json files name none): the client system stores bacnet then.
    protocol: oneOf(
      METER_PROTOCOLS,
      `one of the protocols a site agent speaks (${METER_PROTOCOLS.join(', ')})`,
    ).optional(),
    name: text(1, 255),
    bacnet_device_id: integer(0, MAX_BACNET_INSTANCE),
    bacnet_ip: bacnetIp(),
    bacnet_port: integer(1, 65535).optional(),
    data_points: dataPointList(),
    is_active: bool().optional(),
  },
  { error: (iss) => mustBeObject(fieldName(iss.path))(iss.input) },
);
export type MeterConfig = z.infer<typeof MeterConfigSchema>;

export interface MetersFile {
  meters: MeterConfig[];
}

/** Most meters one registration request may carry. */
export const MAX_METERS_PER_REQUEST = 1000;

const duplicate = (values: unknown[], what: string) => {
  const seen = new Set<unknown>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (seen.has(v)) return `${what} ${JSON.stringify(v)} appears more than once`;
    seen.add(v);
  }
  return undefined;
};
const fieldOf = (items: unknown[], key: string) => items.map((m) => (isPlainObject(m) ? m[key] : undefined));

/** POST /api/sync/meters: the meters an agent found or was configured with; the array is checked before its items. */
export const RegisterMetersRequestSchema = object(
  {
    meters: list(
      MeterConfigSchema,
      MAX_METERS_PER_REQUEST,
      () => `at most ${MAX_METERS_PER_REQUEST} meters per request`,
      (items) => duplicate(fieldOf(items, 'id'), 'meter id'),
    ),
  },
  () => 'the body must be a JSON object {"meters": [...]}',
);
export type RegisterMetersRequest = z.infer<typeof RegisterMetersRequestSchema>;

/** A reading on the wire from agent to client system. Times are ISO-8601 UTC with Z. */
export const SyncReadingSchema = z.object(
  {
    meter_external_id: text(1, LIMITS.maxIdLength),
    data_point: text(1, LIMITS.maxDataPointLength),
    timestamp: isoTime(),
    // JSON.parse turns 1e400 into Infinity; zod's number refuses it.
    value: finite(),
    unit: text(0, LIMITS.maxUnitLength, {
      expected: 'a string or null',
      required: 'is required (use null when the unit is not known)',
    }).nullable(),
    quality: text(1, LIMITS.maxQualityLength),
  },
  { error: (iss) => `a reading must be an object, got ${describeType(iss.input)}` },
);
export type SyncReading = z.infer<typeof SyncReadingSchema>;

/**
 * The batch's envelope. Its readings are checked one by one after it (SyncReadingSchema), so a bad reading is
 * rejected by index (422) instead of failing the whole request.
 */
export const BatchEnvelopeSchema = object(
  {
    /** Agent-chosen id for the batch, for logs and the sync log. */
    batch_id: text(1, 128).optional(),
    readings: z
      .array(z.unknown(), { error: typeError('an array') })
      .min(1, { error: 'readings must not be empty', abort: true })
      .max(LIMITS.maxBatchReadings, {
        error: (iss) =>
          `readings holds ${Array.isArray(iss.input) ? iss.input.length : '?'} readings; at most ${LIMITS.maxBatchReadings} per batch`,
        abort: true,
      }),
  },
  () => 'the body must be a JSON object {"batch_id"?, "readings": [...]} sent with Content-Type: application/json',
);
export const BatchRequestSchema = BatchEnvelopeSchema.extend({ readings: z.array(SyncReadingSchema) });
export type BatchRequest = z.infer<typeof BatchRequestSchema>;

// --- answers (the client system's side; the agent may parse them with the same schemas) ---

const errorCode = () => z.enum(Object.values(ErrorCode) as [ErrorCodeValue, ...ErrorCodeValue[]]);

export const READING_OUTCOMES = ['stored', 'duplicate', 'rejected'] as const;
export type ReadingOutcome = (typeof READING_OUTCOMES)[number];

export const RejectedReadingSchema = z.object({ index: z.number().int(), code: errorCode(), reason: z.string() });
export type RejectedReading = z.infer<typeof RejectedReadingSchema>;

/**
 * The answer to a batch. On 200 every reading is stored or duplicate. On 4xx with
 * code BATCH_REJECTED nothing was stored and `rejected` names each bad reading by index.
 */
export const BatchResponseSchema = z.object({
  batch_id: z.string().optional(),
  stored: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(RejectedReadingSchema),
  results: z.array(z.enum(READING_OUTCOMES)),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

/**
 * A meter's state on the agent: `ok`; `degraded` (answers, but some points fail); `not_answering`
 * (answered once, fails now); `never_answered`; `wrong_device` (another device instance answers at
 * the meter's address: nothing is stored for it).
 */
export const METER_AGENT_STATES = ['ok', 'degraded', 'not_answering', 'never_answered', 'wrong_device'] as const;
export type MeterAgentState = (typeof METER_AGENT_STATES)[number];

const nullableNote = (max: number) => text(0, max, { required: 'is required (null when none)' }).nullable();
const deviceId = () => integer(0, MAX_BACNET_INSTANCE).nullable().optional();

export const HeartbeatMeterStateSchema = z.object(
  {
    external_id: text(1, 255),
    state: oneOf(METER_AGENT_STATES),
    /** When the meter entered this state, if known. */
    since: isoTime({ nullable: true }),
    last_success_at: isoTime({ nullable: true }),
    /** The last error in plain words, null when none. */
    error: nullableNote(1000),
    /** How many of its points failed on the last poll. */
    points_failing: integer(0, 100_000),
    /** For `wrong_device`: the configured and the answering device instance. */
    expected_device_id: deviceId(),
    found_device_id: deviceId(),
  },
  { error: (iss) => mustBeObject(fieldName(iss.path))(iss.input) },
);
export type HeartbeatMeterState = z.infer<typeof HeartbeatMeterStateSchema>;

/** More meters than any site has; a bigger list is a broken agent, not a site. */
export const MAX_METER_STATES = 10_000;

const BBMD_ADDRESS = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}:\d{1,5}$/;

export const HeartbeatForeignDeviceSchema = z.object(
  {
    /** `ip:port` of the BBMD. */
    bbmd: text(1, 64).pipe(
      matching(BBMD_ADDRESS, "must be the BBMD's IPv4 address and UDP port, e.g. 192.168.10.1:47808"),
    ),
    registered: bool(),
    last_registered_at: isoTime({ nullable: true }),
    last_error: nullableNote(2000),
  },
  { error: (iss) => `foreign_device must be an object or null, got ${describeType(iss.input)}` },
);
export type HeartbeatForeignDevice = z.infer<typeof HeartbeatForeignDeviceSchema>;

/**
 * The agent's local database: `up`; `restarting` (the agent is starting its embedded server
 * again); `down` (it could not, or a configured database does not answer). Readings collected
 * meanwhile wait in the spill file on the agent's disk (`spilled_readings`).
 */
export const HeartbeatLocalDatabaseSchema = object(
  {
    state: oneOf(['up', 'restarting', 'down'], 'up, restarting or down'),
    since: isoTime(),
    /** Times the agent restarted its embedded server since it started. */
    restarts: count(),
    last_error: text(1, 1000).nullable(),
    spilled_readings: count(),
  },
  mustBeObject('local_database'),
);
export type HeartbeatLocalDatabase = z.infer<typeof HeartbeatLocalDatabaseSchema>;

/** The meter states in one problem line naming the first five bad entries (20,000 entries stay one answer). */
const meterStates = () =>
  firstProblems(
    'meter_states',
    list(
      HeartbeatMeterStateSchema,
      MAX_METER_STATES,
      (n) => `meter_states may list at most ${MAX_METER_STATES} meters, got ${n}`,
    ).superRefine((states, ctx) => {
      const seen = new Set<string>();
      states.forEach((s, i) => {
        if (seen.has(s.external_id))
          ctx.addIssue({
            code: 'custom',
            message: `meter_states[${i}] lists the meter ${JSON.stringify(s.external_id.slice(0, 40))} a second time`,
          });
        seen.add(s.external_id);
      });
    }),
    5,
  );

/** POST /api/sync/heartbeat. */
export const HeartbeatRequestSchema = object(
  {
    agent_version: text(1, 64),
    agent_time: isoTime(),
    collecting: bool(),
    queue_depth: count(),
    oldest_unsent_at: isoTime({ nullable: true }),
    dead_letters: count(),
    uplink_down_since: isoTime({ nullable: true }),
    last_sync_at: isoTime({ nullable: true }),
    meters: object(
      { configured: count(), ok: count(), failing: count(), never_answered: count() },
      mustBeObject('meters'),
    ),
    /** The queue's storage limit and what its policy has done (totals since install). */
    queue_limit: object(
      {
        max: count(),
        policy: oneOf(['drop-oldest', 'stop-collecting'], 'drop-oldest or stop-collecting'),
        dropped: count(),
        refused: count(),
        full_since: isoTime({ nullable: true }),
      },
      mustBeObject('queue_limit'),
    ).optional(),
    /** Each configured meter's state as the agent sees it now (agents since the hardening issue). */
    meter_states: meterStates().optional(),
    /** Foreign-device registration with a BBMD, when the agent is configured to register. */
    foreign_device: HeartbeatForeignDeviceSchema.nullable().optional(),
    /** The site's own PostgreSQL (agents since the hardening issue). */
    local_database: HeartbeatLocalDatabaseSchema.optional(),
    /** When the agent process started: a new value is a restart (on the site's history). */
    agent_started_at: isoTime().optional(),
    /** The last start or stop of collection: when (null: never since install) and the technician's reason. */
    collection: object(
      { changed_at: isoTime({ nullable: true }), reason: nullableNote(1000) },
      mustBeObject('collection'),
    ).optional(),
  },
  () => 'the body must be a JSON object',
);
export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;

export const HeartbeatResponseSchema = z.object({ server_time: z.string(), clock_offset_ms: z.number() });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponseSchema>;

export const SyncAuthResponseSchema = z.object({
  site_id: z.number().int(),
  site_name: z.string(),
  server_time: z.string(),
});
export type SyncAuthResponse = z.infer<typeof SyncAuthResponseSchema>;

export const SyncConfigResponseSchema = z.object({
  site: z.object({ id: z.number().int(), name: z.string() }),
  meters: z.array(MeterConfigSchema),
  /** A version stamp: changes whenever the site's meter configuration changes. */
  config_version: z.string(),
});
export type SyncConfigResponse = z.infer<typeof SyncConfigResponseSchema>;

export const RegisterMetersResponseSchema = z.object({ created: z.array(z.string()), existing: z.array(z.string()) });
export type RegisterMetersResponse = z.infer<typeof RegisterMetersResponseSchema>;

/** Every error answer: `{"error": {"code", "message", "details"?, "request_id"}}`. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.enum([...Object.values(ErrorCode), ...Object.values(OperatorErrorCode)] as [
      ErrorCodeValue | OperatorErrorCodeValue,
      ...(ErrorCodeValue | OperatorErrorCodeValue)[],
    ]),
    message: z.string(),
    details: z.unknown().optional(),
    request_id: z.string().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
