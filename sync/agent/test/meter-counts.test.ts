// One count of meters: the runtime's status (heartbeat, metrics) and the dashboard's view judge every meter by the
// same rule (health/meter-state.ts). Before, the runtime counted a meter by its counters alone, so a degraded or
// slow meter was "ok", and a meter whose address answers with another device was "failing" or "never answered",
// while the dashboard said degraded, slow and wrong device.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MeterConfig } from '@meterit/shared';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { systemClock } from '../src/clock.js';
import { AgentStateRepository } from '../src/collector/agent-state-repository.js';
import { MeterStatusRepository } from '../src/collector/meter-status-repository.js';
import { siteMigrations } from '../src/db/migrations/index.js';
import { SiteView } from '../src/local-api/site-view.js';
import { ReadingsInFlight } from '../src/queue/in-flight.js';
import { LocalReadingsRepository } from '../src/queue/local-readings-repository.js';
import { QueueGuard } from '../src/queue/queue-guard.js';
import { QueueRepository } from '../src/queue/queue-repository.js';
import { heartbeatBody } from '../src/site/heartbeat.js';
import { RuntimeReadModel } from '../src/site/read-model.js';

const logger = createLogger({ service: 'test', silent: true });
const meter = (id: string, deviceId: number): MeterConfig => ({
  id,
  name: `Meter ${id}`,
  bacnet_device_id: deviceId,
  bacnet_ip: '127.0.0.1',
  data_points: [
    { object_type: 'analogInput', instance: 0, name: 'total_kwh' },
    { object_type: 'analogInput', instance: 1, name: 'power_kw' },
  ],
});
const METERS = [
  meter('OK', 1),
  meter('SLOW', 2),
  meter('DEGRADED', 3),
  meter('SWAPPED', 4),
  meter('WRONG', 5),
  meter('SILENT', 6),
];

let db: Database;
let read: RuntimeReadModel;

beforeAll(async () => {
  db = await openDatabase({
    url: await createTestDatabase(inject('pg'), 'meter_counts'),
    migrations: siteMigrations,
    logger,
  });
  const status = new MeterStatusRepository(db.knex);
  const queue = new QueueRepository(db.knex);
  const at = new Date();
  const ok = [
    { name: 'total_kwh', ok: true as const },
    { name: 'power_kw', ok: true as const },
  ];
  await status.recordSuccess('OK', at, 40, undefined, ok);
  await status.recordSuccess('SLOW', at, 1500, undefined, ok);
  await status.recordSuccess('DEGRADED', at, 40, undefined, [
    { name: 'total_kwh', ok: true },
    { name: 'power_kw', ok: false, code: 'METER_ERROR', message: 'unknown object' },
  ]);
  // Answered once; now another device answers at its address.
  await status.recordSuccess('SWAPPED', at, 40, undefined, ok);
  const wrong = { code: 'WRONG_DEVICE', message: 'device 99 answers', foundDeviceId: 99, points: 2 };
  await status.recordWrongDevice('SWAPPED', at, { ...wrong, expectedDeviceId: 4 });
  // Another device from the first poll on.
  await status.recordWrongDevice('WRONG', at, { ...wrong, expectedDeviceId: 5 });
  // SILENT has never been polled successfully (no status row at all).

  read = new RuntimeReadModel({
    facts: {
      agentVersion: 'test',
      collectionIntervalSeconds: 60,
      syncIntervalMinutes: 5,
      queueMaxReadings: 1_000_000,
      syncedRetentionHours: 24,
      dataDir: db.describe,
      meterSlowMs: 1000,
      bacnetTimeoutMs: 3000,
      discoveryTarget: '255.255.255.255:47808',
      backlogSampleSeconds: 60,
    },
    queuePolicy: 'drop-oldest',
    clock: systemClock,
    startedAt: new Date(at.getTime() - 3600_000),
    queue,
    readings: new LocalReadingsRepository(db.knex),
    meterStatus: status,
    queueLimit: new QueueGuard(queue, new AgentStateRepository(db.knex), {
      maxReadings: 1_000_000,
      policy: 'drop-oldest',
      logger,
      clock: systemClock,
      inFlight: new ReadingsInFlight(),
    }),
    poller: {
      getMeters: () => METERS,
      collecting: true,
      lastCycle: at,
      waitingInMemory: 0,
      totals: { pollsOk: 0, pollsFailed: 0, pointsRead: 0, pointsFailed: 0 },
    },
    uploader: {
      last: null,
      lastSuccessAt: null,
      nextRunAt: null,
      totals: { runsOk: 0, runsFailed: 0, stored: 0, duplicates: 0, deadLettered: 0 },
      failures: 0,
    },
    uplink: () => ({ up: true, upSince: at, downSince: null, lastOkAt: at, lastError: null }),
    backlogHistory: { record: () => undefined, since: () => [] },
    site: () => null,
    database: {
      up: true,
      status: { state: 'up', since: at, restarts: 0, lastError: null, embedded: false },
    },
    spill: { spilled: 0, tornLines: 0 },
    collection: () => null,
    clockOffsetMs: () => null,
    foreignDevice: () => null,
  });
});

afterAll(async () => {
  await db?.close();
});

describe('one count of meters', () => {
  it('when meters are slow, degraded, swapped for another device or silent, then the runtime, the dashboard and the heartbeat count them alike', async () => {
    const expected = { configured: 6, ok: 1, slow: 1, degraded: 1, failing: 0, wrong_device: 2, never_answered: 1 };

    const runtime = (await read.status()).meters;
    const dashboard = (await new SiteView(read, { controlEnabled: false }).status()).meters;
    const heartbeat = heartbeatBody(await read.status(), [], { agentVersion: 'test', now: Date.now() }).meters;

    expect(runtime.counts).toEqual(expected);
    expect(dashboard).toEqual(runtime.counts);
    expect(runtime.names.wrong_device).toEqual(['Meter SWAPPED', 'Meter WRONG']);
    // The heartbeat's three figures are sums of the same count: slow and degraded meters answer; a meter
    // whose address answers with another device is failing, whether it answered once (SWAPPED) or never (WRONG).
    expect(heartbeat).toEqual({ configured: 6, ok: 3, failing: 2, never_answered: 1 });
  });
});
