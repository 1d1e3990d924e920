// The upload queue's storage limit against the real site database.
import { describe, expect, inject, it } from 'vitest';
import { createLogger, openDatabase } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { siteMigrations } from '../src/db/migrations/index.js';
import { QueueRepository, type NewReading } from '../src/queue/queue-repository.js';
import { QueueGuard, type QueueFullPolicy } from '../src/queue/queue-guard.js';
import { ReadingsInFlight } from '../src/queue/in-flight.js';
import { AgentStateRepository } from '../src/collector/agent-state-repository.js';
import { systemClock } from '../src/clock.js';

const logger = createLogger({ service: 'test', silent: true });
const t0 = Date.UTC(2026, 0, 1);
const readings = (from: number, n: number): NewReading[] =>
  Array.from({ length: n }, (_, i) => ({
    meterExternalId: 'm1',
    dataPoint: 'total_kwh',
    ts: new Date(t0 + (from + i) * 1000),
    value: from + i,
    unit: 'kWh',
    quality: 'good',
  }));

async function setup(name: string, policy: QueueFullPolicy, recountMs = 0) {
  const db = await openDatabase({
    url: await createTestDatabase(inject('pg'), name),
    migrations: siteMigrations,
    logger,
  });
  const queue = new QueueRepository(db.knex);
  const state = new AgentStateRepository(db.knex);
  // What the uploader has on its way, shared with the guard as in the agent.
  const inFlight = new ReadingsInFlight();
  const guard = new QueueGuard(queue, state, {
    maxReadings: 100,
    policy,
    logger,
    clock: systemClock,
    inFlight,
    recountMs,
  });
  /** The uploader's next batch (after `afterId`), read as the uploader reads it. */
  const send = (size: number, afterId = 0) => inFlight.take(afterId, (after) => queue.oldestUnsent(size, after));
  return { db, queue, state, guard, inFlight, send };
}

describe('queue storage limit', () => {
  it('when the queue is full and the policy is drop-oldest, then the oldest unsent readings make room and every one is counted', async () => {
    const { db, guard, state } = await setup('guard_drop', 'drop-oldest');
    expect(await guard.enqueue(readings(0, 100))).toBe(100);
    expect(await guard.enqueue(readings(100, 10))).toBe(10);
    const values = await db.knex('meter_readings').whereNull('synced_at').orderBy('id').pluck('value');
    expect(values).toHaveLength(100);
    expect(values[0]).toBe(10);
    expect(values.at(-1)).toBe(109);
    const counters = await state.get<{ dropped: number; refused: number; fullSince: string | null }>('queue_limit');
    expect(counters).toMatchObject({ dropped: 10, refused: 0 });
    expect(counters?.fullSince).not.toBeNull();
    await db.close();
  });

  it('when the queue is full and the policy is stop-collecting, then new readings are refused and counted, and the queue is untouched', async () => {
    const { db, guard, state } = await setup('guard_stop', 'stop-collecting');
    await guard.enqueue(readings(0, 95));
    expect(await guard.enqueue(readings(95, 10))).toBe(5);
    const values = await db.knex('meter_readings').orderBy('id').pluck('value');
    expect(values).toHaveLength(100);
    expect(values[0]).toBe(0);
    expect(values.at(-1)).toBe(99);
    expect(await state.get('queue_limit')).toMatchObject({ dropped: 0, refused: 5 });
    await db.close();
  });

  it('when the backlog drains below 90 % of the limit, then the queue is no longer reported full, and the totals stay', async () => {
    const { db, guard, state, queue } = await setup('guard_recover', 'drop-oldest');
    await guard.enqueue(readings(0, 105));
    const ids = await db.knex('meter_readings').orderBy('id').limit(50).pluck('id');
    await queue.markSynced(ids.map(Number), new Date());
    await guard.enqueue(readings(200, 1));
    expect(await state.get('queue_limit')).toEqual({ dropped: 5, refused: 0, fullSince: null });
    await db.close();
  });

  // Found by the fault-injection suite (queue limit reached during an uplink outage): once the uplink was back, the
  // guard went on dropping or refusing on its stale count of the backlog, and deleted the batch being sent.
  it.each(['drop-oldest', 'stop-collecting'] as const)(
    'when uploads drained the queue since the guard last counted, then %s drops and refuses nothing',
    async (policy) => {
      const { db, guard, queue } = await setup(`guard_stale_${policy.replace('-', '_')}`, policy, 3_600_000);
      await guard.enqueue(readings(0, 100));
      await queue.markSynced((await db.knex('meter_readings').pluck('id')).map(Number), new Date());
      expect(await guard.enqueue(readings(100, 10))).toBe(10);
      expect(await db.knex('meter_readings').count<{ n: number }[]>('* as n')).toEqual([{ n: 110 }]);
      expect(await guard.getCounters()).toMatchObject({ dropped: 0, refused: 0 });
      await db.close();
    },
  );

  it('when the queue is full while a batch is being sent, then drop-oldest deletes the oldest readings after that batch, not the batch', async () => {
    const { db, guard, queue, send } = await setup('guard_in_flight', 'drop-oldest');
    await guard.enqueue(readings(0, 100));
    const sending = await send(20);
    await guard.enqueue(readings(100, 10));
    const values = await db.knex('meter_readings').orderBy('id').pluck('value');
    expect(values.slice(0, 20)).toEqual(sending.map((r) => r.value));
    expect(values.slice(20, 21)).toEqual([30]);
    await queue.markSynced(
      sending.map((r) => r.id),
      new Date(),
    );
    expect(await db.knex('meter_readings').whereNotNull('synced_at').count<{ n: number }[]>('* as n')).toEqual([
      { n: 20 },
    ]);
    await db.close();
  });

  it('when several batches are in flight, then drop-oldest spares all of them, and once the upload run is over the oldest unsent go first again', async () => {
    const { db, guard, inFlight, send } = await setup('guard_in_flight_many', 'drop-oldest');
    await guard.enqueue(readings(0, 100));
    const first = await send(20);
    const second = await send(20, first.at(-1)!.id);
    await guard.enqueue(readings(100, 10));
    const values = async () => db.knex('meter_readings').orderBy('id').pluck('value');
    // Both batches are still there; the 10 dropped are the oldest after them (40..49).
    expect((await values()).slice(0, 41)).toEqual([...first, ...second].map((r) => r.value).concat([50]));
    // The run failed (uplink down): its batches are not on their way any more, so they are the oldest to go.
    inFlight.passDone();
    await guard.enqueue(readings(110, 5));
    expect((await values()).slice(0, 2)).toEqual([5, 6]);
    expect(await guard.getCounters()).toMatchObject({ dropped: 15 });
    await db.close();
  });

  it('when a batch is read while the queue is full, then a drop racing with the read never deletes a reading of that batch', async () => {
    const { db, guard, queue, inFlight, send } = await setup('guard_race', 'drop-oldest');
    await guard.enqueue(readings(0, 100));
    // The uploader's read and the limit's trim start at the same moment, on two connections.
    const [batch, dropped] = await Promise.all([send(20), inFlight.spare((upTo) => queue.dropOldestUnsent(10, upTo))]);
    const queued = new Set((await db.knex('meter_readings').pluck('value')).map(Number));
    expect(dropped).toBe(10);
    expect(batch.map((r) => r.value).filter((v) => !queued.has(v))).toEqual([]);
    expect(queued.size).toBe(90);
    await db.close();
  });
});
