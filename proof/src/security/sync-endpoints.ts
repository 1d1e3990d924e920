// The client API's endpoints an agent calls (API key), and the public ones (health, readiness, metrics).
import type { EndpointSpec } from './endpoint-spec.js';
import { reading } from './request-bodies.js';

export const SYNC_ENDPOINTS: EndpointSpec[] = [
  { method: 'GET', path: '/health', auth: 'none' },
  { method: 'GET', path: '/ready', auth: 'none' },
  { method: 'POST', path: '/api/sync/auth', auth: 'site', body: () => ({}), returnsData: true, ignoresBody: true },
  {
    method: 'POST',
    path: '/api/sync/readings/batch',
    auth: 'site',
    body: (ctx) => ({ batch_id: 'hostile-1', readings: [reading(ctx)] }),
    freeText: ['batch_id', 'readings.0.data_point', 'readings.0.quality', 'readings.0.unit'],
    optional: ['batch_id', 'readings.0.unit'],
    readingTimes: ['readings.0.timestamp'],
  },
  { method: 'GET', path: '/api/sync/config', auth: 'site', returnsData: true },
  {
    method: 'POST',
    path: '/api/sync/meters',
    auth: 'site',
    body: (ctx) => ({
      meters: [
        {
          id: ctx.siteA.meterIds[0]!,
          name: 'Main incomer',
          bacnet_device_id: 101,
          bacnet_ip: '192.168.1.10',
          bacnet_port: 47808,
          data_points: [
            { object_type: 'analogInput', instance: 0, property: 'presentValue', name: 'total_kwh', unit: 'kWh' },
          ],
        },
      ],
    }),
    // Registering an existing meter changes nothing, so mutations of its free text may answer 200.
    freeText: [
      'meters.0.id',
      'meters.0.name',
      'meters.0.data_points.0.object_type',
      'meters.0.data_points.0.property',
      'meters.0.data_points.0.name',
      'meters.0.data_points.0.unit',
    ],
    optional: ['meters.0.bacnet_port', 'meters.0.data_points.0.property', 'meters.0.data_points.0.unit'],
    returnsData: true,
  },
  {
    method: 'POST',
    path: '/api/sync/heartbeat',
    auth: 'site',
    body: (ctx) => ({
      agent_version: '0.1.0',
      agent_time: ctx.now(),
      collecting: true,
      queue_depth: 0,
      oldest_unsent_at: null,
      dead_letters: 0,
      uplink_down_since: null,
      last_sync_at: ctx.now(),
      meters: { configured: 1, ok: 1, failing: 0, never_answered: 0 },
      local_database: { state: 'up', since: ctx.now(), restarts: 0, last_error: null, spilled_readings: 0 },
      // Still registered with the BBMD while the last renewal failed: every leaf set.
      foreign_device: {
        bbmd: '192.168.10.1:47808',
        registered: true,
        last_registered_at: ctx.now(),
        last_error: 'the BBMD at 192.168.10.1:47808 did not answer the foreign-device registration',
      },
      meter_states: [
        {
          external_id: ctx.siteA.meterIds[0] ?? 'meter-1',
          state: 'not_answering',
          since: ctx.now(),
          last_success_at: ctx.now(),
          error: 'no answer within 1000 ms',
          points_failing: 1,
          expected_device_id: 1001,
          found_device_id: 1001,
        },
      ],
    }),
    // A meter id the site does not have is ignored (the agent may know meters before the client system does).
    freeText: ['agent_version', 'foreign_device.last_error', 'meter_states.0.external_id', 'meter_states.0.error'],
    emptyOk: ['meter_states.0.error'],
    // A wrong agent clock is what the heartbeat exists to report: any well-formed time is accepted.
    optional: [
      'oldest_unsent_at',
      'uplink_down_since',
      'last_sync_at',
      // local_database is optional as a whole (older agents), each of its fields required when it is sent.
      'local_database',
      'foreign_device',
      'foreign_device.last_registered_at',
      'foreign_device.last_error',
      'meter_states',
      // Null when not known (since, last success, error); the device ids only for a wrong device.
      'meter_states.0.since',
      'meter_states.0.last_success_at',
      'meter_states.0.error',
      'meter_states.0.expected_device_id',
      'meter_states.0.found_device_id',
    ],
  },
  // Prometheus figures, unauthenticated like /health.
  { method: 'GET', path: '/metrics', auth: 'none' },
];
