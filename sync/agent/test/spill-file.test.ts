// The spill file that holds readings while the local database is down, against a real site database.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { siteMigrations } from '../src/db/migrations/index.js';
import { SpillFile } from '../src/queue/spill-file.js';
import { SpillingQueue } from '../src/queue/spilling-queue.js';
import { QueueRepository, type NewReading } from '../src/queue/queue-repository.js';

const logger = createLogger({ service: 'test', silent: true });
const t0 = Date.UTC(2026, 0, 1);
// Values that only survive as doubles written exactly (a BACnet REAL widened, a long fraction).
const readings = (from: number, n: number, meter = 'm1'): NewReading[] =>
  Array.from({ length: n }, (_, i) => ({
    meterExternalId: meter,
    dataPoint: 'total_kwh',
    ts: new Date(t0 + (from + i) * 1000),
    value: Math.fround(1234.567 + from + i) + 1e-9,
    unit: 'kWh',
    quality: 'good',
  }));

let db: Database;
let queue: QueueRepository;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase(inject('pg'), 'agent_spill_file');
  db = await openDatabase({ url, migrations: siteMigrations, logger });
  queue = new QueueRepository(db.knex);
});

afterAll(async () => {
  await db?.close();
});

const spillDir = () => mkdtempSync(path.join(os.tmpdir(), 'meterit-spill-'));

async function queued(meter: string): Promise<Array<{ ts: Date; value: number }>> {
  return db.knex('meter_readings').where({ meter_external_id: meter }).orderBy('ts').select('ts', 'value');
}

describe('spill file', () => {
  it('when readings are appended, then each is one JSON line in the file by the time the append resolves, and is counted as waiting', async () => {
    const dir = spillDir();
    const spill = await SpillFile.open(dir, logger);
    await spill.append(readings(0, 3, 'append'));
    await spill.append(readings(3, 2, 'append'));
    const lines = readFileSync(spill.file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as { meter: string; ts: string; value: number })).toEqual(
      readings(0, 5, 'append').map((r) => ({
        meter: 'append',
        point: 'total_kwh',
        ts: r.ts.toISOString(),
        value: r.value,
        unit: 'kWh',
        quality: 'good',
      })),
    );
    expect(spill.waiting).toBe(5);
    await spill.close();
    // A new run (after a crash) finds them waiting.
    expect((await SpillFile.open(dir, logger)).waiting).toBe(5);
  });

  it('when the spill file is replayed, then every reading is in the queue with the same value and the file is gone', async () => {
    const dir = spillDir();
    const spill = await SpillFile.open(dir, logger);
    const sent = readings(0, 2500, 'replay');
    await spill.append(sent);
    const r = await spill.replay((batch) => queue.enqueue(batch), 1000);
    expect(r).toEqual({ replayed: 2500, tornLines: 0 });
    const rows = await queued('replay');
    expect(rows.map((x) => x.value)).toEqual(sent.map((x) => x.value));
    expect(rows.map((x) => x.ts.getTime())).toEqual(sent.map((x) => x.ts.getTime()));
    expect(spill.waiting).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the same readings are replayed twice (a crash after the queue committed, before the file was deleted), then each is queued once', async () => {
    const dir = spillDir();
    const first = await SpillFile.open(dir, logger);
    await first.append(readings(0, 40, 'twice'));
    const copy = readFileSync(first.file, 'utf8');
    await first.replay((batch) => queue.enqueue(batch));
    // The next run finds the same lines again, and some new ones.
    writeFileSync(path.join(dir, 'readings.jsonl'), copy);
    const second = await SpillFile.open(dir, logger);
    await second.append(readings(40, 10, 'twice'));
    expect(second.waiting).toBe(50);
    expect((await second.replay((batch) => queue.enqueue(batch))).replayed).toBe(50);
    expect(await queued('twice')).toHaveLength(50);
  });

  it('when the last line was torn by a crash, then it is skipped with a warning and counted, the next reading starts a line of its own, and nothing else is lost', async () => {
    const dir = spillDir();
    const whole = readings(0, 5, 'torn');
    const file = path.join(dir, 'readings.jsonl');
    writeFileSync(
      file,
      whole
        .map(
          (r) =>
            JSON.stringify({
              meter: r.meterExternalId,
              point: r.dataPoint,
              ts: r.ts.toISOString(),
              value: r.value,
              unit: r.unit,
              quality: r.quality,
            }) + '\n',
        )
        .join(''),
    );
    appendFileSync(file, '{"meter":"torn","point":"total_kwh","ts":"2026-01-01T00:00:0');
    const warnings: string[] = [];
    const spill = await SpillFile.open(dir, {
      ...logger,
      warn: (m: string) => (warnings.push(m), logger),
    } as typeof logger);
    expect(spill.waiting).toBe(5);
    await spill.append(readings(5, 3, 'torn'));
    const r = await spill.replay((batch) => queue.enqueue(batch));
    expect(r).toEqual({ replayed: 8, tornLines: 1 });
    expect(spill.tornLines).toBe(1);
    expect(warnings.some((w) => w.includes('not a whole reading'))).toBe(true);
    expect((await queued('torn')).map((x) => x.value)).toEqual(readings(0, 8, 'torn').map((x) => x.value));
  });

  it('when the queue fails in the middle of a replay, then the file stays, new spills still go to disk, and the next replay puts everything in once', async () => {
    const dir = spillDir();
    const spill = await SpillFile.open(dir, logger);
    await spill.append(readings(0, 30, 'midway'));
    let batches = 0;
    await expect(
      spill.replay(async (batch) => {
        batches += 1;
        if (batches === 2) throw new Error('connection terminated unexpectedly');
        await queue.enqueue(batch);
      }, 10),
    ).rejects.toThrow('connection terminated');
    expect(await queued('midway')).toHaveLength(10);
    expect(spill.waiting).toBe(30);
    await spill.append(readings(30, 5, 'midway'));
    expect(existsSync(spill.file)).toBe(true);
    expect((await spill.replay((batch) => queue.enqueue(batch), 10)).replayed).toBe(35);
    expect(await queued('midway')).toHaveLength(35);
    expect(spill.waiting).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the local database refuses a write, then the spilling queue puts the readings on disk, and the next write that succeeds brings them into the queue', async () => {
    const dir = spillDir();
    const spill = await SpillFile.open(dir, logger);
    // The real queue on the real database, whose table is away for a moment: every write fails.
    await db.knex.raw('ALTER TABLE meter_readings RENAME TO meter_readings_away');
    const failures: string[] = [];
    const q = new SpillingQueue(new QueueRepository(db.knex), spill, {
      logger,
      onWriteFailed: (err) => failures.push(err.message),
    });
    try {
      expect(await q.enqueue(readings(0, 4, 'spilling'))).toBe(4);
    } finally {
      await db.knex.raw('ALTER TABLE meter_readings_away RENAME TO meter_readings');
    }
    expect(q.spilled).toBe(4);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('meter_readings');
    expect(await queued('spilling')).toHaveLength(0);
    await q.enqueue(readings(4, 4, 'spilling'));
    await expect.poll(async () => (await queued('spilling')).length).toBe(8);
    await expect.poll(() => q.spilled).toBe(0);
  });
});
