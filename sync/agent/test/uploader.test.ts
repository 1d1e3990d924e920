import { afterAll, beforeAll, describe, expect, inject, it, type ProvidedContext } from 'vitest';
import { ErrorCode } from '@meterit/shared';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { systemClock } from '../src/clock.js';
import { siteMigrations } from '../src/db/migrations/index.js';
import { QueueRepository, type NewReading } from '../src/queue/queue-repository.js';
import { ClientApi } from '../src/uploader/client-api.js';
import { Uploader, type UploaderOptions } from '../src/uploader/uploader.js';
import { ReadingsInFlight } from '../src/queue/in-flight.js';
import {
  centralReadings,
  createSite,
  startClientSystem,
  unsentCount,
  waitUntil,
  type ClientSystem,
} from './helpers/system.js';

// The uploader draining a backlog with several batches in flight, against the real client API
// (a process) and a real site database: whatever the API answers (2xx, 413, 422 for named
// readings, 429, nothing at all), a reading is marked synced only when the central database has
// it, nothing arrives twice, and nothing is lost.
const logger = createLogger({ service: 'uploader-test', silent: true });
const POINTS = ['total_kwh', 'current_kw', 'voltage', 'current'];
const UNIT: Record<string, string> = { total_kwh: 'kWh', current_kw: 'kW', voltage: 'V', current: 'A' };

let pg: ProvidedContext['pg'];
let client: ClientSystem;
let dbCount = 0;

beforeAll(async () => {
  pg = inject('pg');
  // 30 kB of JSON is ~250 readings; 40 requests a minute per site.
  client = await startClientSystem(await createTestDatabase(pg, 'uploader_client'), undefined, {
    BODY_LIMIT: '30kb',
    SYNC_RATE_LIMIT_PER_MINUTE: '40',
  });
});

afterAll(async () => {
  await client?.stop();
  await client?.db.destroy();
});

/** `n` readings of meters M1..M5, one second apart, 10 days ago; `meter(i)` may put one on another meter. */
function backlog(n: number, meter: (i: number) => string = (i) => `M${1 + (i % 5)}`): NewReading[] {
  const base = Date.now() - 10 * 86_400_000;
  return Array.from({ length: n }, (_, i) => {
    const dataPoint = POINTS[Math.floor(i / 5) % 4]!;
    return {
      meterExternalId: meter(i),
      dataPoint,
      ts: new Date(base + i * 1000),
      value: i * 0.25,
      unit: UNIT[dataPoint]!,
      quality: 'good',
    };
  });
}

/** A site of its own (the rate limit is per site) with meters M1..M5 registered, and a queue holding `readings`. */
async function siteWithBacklog(readings: NewReading[], system: ClientSystem = client) {
  const site = await createSite(system.databaseUrl, `Uploader site ${++dbCount}`);
  const db: Database = await openDatabase({
    url: await createTestDatabase(pg, `uploader_site_${dbCount}`),
    migrations: siteMigrations,
    logger,
  });
  const queue = new QueueRepository(db.knex);
  for (let i = 0; i < readings.length; i += 5000) await queue.enqueue(readings.slice(i, i + 5000));
  const api = new ClientApi({ origin: system.url, apiKey: site.api_key, timeoutMs: 10_000, logger });
  await api.registerMeters(
    [1, 2, 3, 4, 5].map((k) => ({
      id: `M${k}`,
      name: `Meter ${k}`,
      bacnet_device_id: 8100 + k,
      bacnet_ip: `127.0.17.${100 + k}`,
      data_points: POINTS.map((name, instance) => ({ object_type: 'analogInput', instance, name })),
    })),
  );
  const uploader = (o: Partial<UploaderOptions>) =>
    new Uploader({
      api,
      queue,
      logger,
      clock: systemClock,
      batchSize: 1000,
      maxInFlight: 3,
      intervalMs: 300_000,
      maxRetries: 5,
      backoff: { baseMs: 2000, capMs: 60_000 },
      inFlight: new ReadingsInFlight(),
      ...o,
    });
  return { site, db, queue, api, uploader };
}

/** The central database holds exactly the readings given (once each, unchanged) for this site. */
async function expectCentralHolds(system: ClientSystem, siteId: number, expected: NewReading[]): Promise<void> {
  const key = (m: string, p: string, ts: Date) => `${m}|${p}|${ts.toISOString()}`;
  const central = await centralReadings(system.db, siteId);
  const got = new Map(central.map((r) => [key(r.meter, r.data_point, r.ts), r]));
  expect(got.size).toBe(central.length);
  expect(central.length).toBe(expected.length);
  for (const r of expected) {
    expect(got.get(key(r.meterExternalId, r.dataPoint, r.ts)), key(r.meterExternalId, r.dataPoint, r.ts)).toMatchObject(
      { value: r.value, unit: r.unit, quality: r.quality },
    );
  }
}

/** Readings the site marked synced are all in the central database (never marked before the central commit). */
async function expectSyncedAreCentral(system: ClientSystem, siteId: number, db: Database): Promise<number> {
  const synced: Array<{ meter_external_id: string; data_point: string; ts: Date }> = await db
    .knex('meter_readings')
    .whereNotNull('synced_at')
    .select('meter_external_id', 'data_point', 'ts');
  const central = new Set(
    (await centralReadings(system.db, siteId)).map((r) => `${r.meter}|${r.data_point}|${r.ts.toISOString()}`),
  );
  expect(synced.filter((r) => !central.has(`${r.meter_external_id}|${r.data_point}|${r.ts.toISOString()}`))).toEqual(
    [],
  );
  return synced.length;
}

describe('uploader draining a backlog with several batches in flight', () => {
  it('when 5,000 readings are queued and 3 batches of 200 may be in flight, then every reading arrives once and is marked synced, one sync log entry per batch', async () => {
    const readings = backlog(5000);
    const s = await siteWithBacklog(readings);
    const result = await s.uploader({ batchSize: 200 }).syncNow();
    expect(result).toMatchObject({ ok: true, batches: 25, sent: 5000, stored: 5000, duplicates: 0, deadLettered: 0 });
    expect(await unsentCount(s.db.knex)).toBe(0);
    await expectCentralHolds(client, s.site.site_id, readings);
    const log = await s.queue.syncLog(100);
    expect(log.filter((e) => e.success && e.kind === 'batch').map((e) => e.batchSize)).toEqual(
      Array.from({ length: 25 }, () => 200),
    );
    // Nothing left: the next run sends nothing.
    expect(await s.uploader({ batchSize: 200 }).syncNow()).toMatchObject({ ok: true, batches: 0, sent: 0 });
    await s.db.close();
  });

  it('when the client system answers 413 for batches in flight, then the batch size is halved until they fit and every reading arrives once, none dead-lettered', async () => {
    const readings = backlog(2000);
    const s = await siteWithBacklog(readings);
    const result = await s.uploader({ batchSize: 800 }).syncNow();
    expect(result).toMatchObject({ ok: true, stored: 2000, duplicates: 0, deadLettered: 0 });
    expect(await unsentCount(s.db.knex)).toBe(0);
    await expectCentralHolds(client, s.site.site_id, readings);
    const log = await s.queue.syncLog(100);
    const tooLarge = log.filter((e) => e.errorCode === ErrorCode.BODY_TOO_LARGE).map((e) => e.batchSize);
    expect(tooLarge.length).toBeGreaterThan(0);
    expect(Math.min(...tooLarge)).toBeGreaterThan(Math.max(...log.filter((e) => e.success).map((e) => e.batchSize)));
    expect(await s.queue.deadLetters(10)).toEqual([]);
    await s.db.close();
  });

  it('when batches in flight carry readings the client system rejects, then exactly those become dead letters and all others arrive once', async () => {
    const bad = new Set([7, 450, 451, 1999]);
    const readings = backlog(2000, (i) => (bad.has(i) ? 'GHOST' : `M${1 + (i % 5)}`));
    const s = await siteWithBacklog(readings);
    const result = await s.uploader({ batchSize: 100 }).syncNow();
    expect(result).toMatchObject({ ok: true, stored: 1996, duplicates: 0, deadLettered: 4 });
    expect(await unsentCount(s.db.knex)).toBe(0);
    await expectCentralHolds(
      client,
      s.site.site_id,
      readings.filter((_r, i) => !bad.has(i)),
    );
    const dead = await s.queue.deadLetters(10);
    expect(dead.map((d) => [d.meterExternalId, d.ts.toISOString(), d.code]).sort()).toEqual(
      [...bad].map((i) => ['GHOST', readings[i]!.ts.toISOString(), ErrorCode.UNKNOWN_METER]).sort(),
    );
    await s.db.close();
  });

  it('when the client system answers 429 in the middle of a drain, then the run fails as rate limited and backs off, and exactly the accepted readings are marked synced', async () => {
    const readings = backlog(3000);
    const s = await siteWithBacklog(readings);
    const up = s.uploader({ batchSize: 50, random: () => 0.5 });
    const result = await up.syncNow();
    await up.stop();
    expect(result).toMatchObject({ ok: false, errorCode: ErrorCode.RATE_LIMITED });
    // A failure, so the next run comes after the backoff (tested in backoff.test.ts), not the interval.
    expect(up.failures).toBe(1);
    const synced = await expectSyncedAreCentral(client, s.site.site_id, s.db);
    expect(synced).toBe((await centralReadings(client.db, s.site.site_id)).length);
    expect(synced).toBeGreaterThan(0);
    expect(synced).toBeLessThan(3000);
    expect(await unsentCount(s.db.knex)).toBe(3000 - synced);
    await s.db.close();
  });
});

describe('uploader and a client system that dies mid-drain', () => {
  let other: ClientSystem;
  afterAll(async () => {
    await other?.stop();
    await other?.db.destroy();
  });

  it('when the client API is SIGKILLed while batches are in flight, then nothing is marked synced that is not stored, and after its restart every reading arrives exactly once', async () => {
    other = await startClientSystem(await createTestDatabase(pg, 'uploader_client_killed'), undefined, {
      SYNC_RATE_LIMIT_PER_MINUTE: '100000',
    });
    const readings = backlog(30_000);
    const s = await siteWithBacklog(readings, other);
    const up = s.uploader({ batchSize: 500 });
    const run = up.syncNow();
    await waitUntil(
      'some batches to be stored',
      async () => (await centralReadings(other.db, s.site.site_id)).length >= 2000,
      60_000,
    );
    await other.stop('SIGKILL');
    const failed = await run;
    expect(failed).toMatchObject({ ok: false, errorCode: ErrorCode.UPLINK_UNREACHABLE });
    await expectSyncedAreCentral(other, s.site.site_id, s.db);
    expect(await unsentCount(s.db.knex)).toBeGreaterThan(0);

    await other.restart();
    const again = await up.syncNow();
    await up.stop();
    expect(again).toMatchObject({ ok: true, deadLettered: 0 });
    expect(await unsentCount(s.db.knex)).toBe(0);
    await expectCentralHolds(other, s.site.site_id, readings);
    await s.db.close();
  });
});
