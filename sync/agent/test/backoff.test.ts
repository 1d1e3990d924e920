import { describe, expect, inject, it } from 'vitest';
import { fullJitterBackoff } from '@meterit/shared';
import { createLogger, openDatabase } from '@meterit/shared/node';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { siteMigrations } from '../src/db/migrations/index.js';
import { QueueRepository } from '../src/queue/queue-repository.js';
import { nextDelayMs, Uploader } from '../src/uploader/uploader.js';
import { ClientApi } from '../src/uploader/client-api.js';
import { ReadingsInFlight } from '../src/queue/in-flight.js';
import type { Clock } from '../src/clock.js';

const opts = { intervalMs: 300_000, maxRetries: 5, backoff: { baseMs: 2000, capMs: 60_000 } };

/** A clock that only moves when the test says so; records every timer asked for. */
class FakeClock implements Clock {
  t = 1_700_000_000_000;
  timers: Array<{ at: number; fn: () => void; id: number; delay: number }> = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id, delay: ms });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Jump to the next timer and fire it. */
  fireNext(): number {
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift();
    if (!next) throw new Error('no timer pending');
    this.t = next.at;
    next.fn();
    return next.delay;
  }
}

describe('backoff with full jitter', () => {
  it('when random is at its extremes, then the delay spans [0, base·2^attempt) and never passes the cap', () => {
    const o = { baseMs: 1000, capMs: 30_000 };
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(o.capMs, 1000 * 2 ** attempt);
      expect(fullJitterBackoff(attempt, o, () => 0)).toBe(0);
      const top = fullJitterBackoff(attempt, o, () => 0.999999);
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.999));
    }
    expect(fullJitterBackoff(1000, o, () => 0.5)).toBe(15_000);
  });

  it('when many delays are drawn, then they spread over the whole window (jitter, not a fixed step)', () => {
    const o = { baseMs: 1000, capMs: 64_000 };
    const delays = Array.from({ length: 2000 }, () => fullJitterBackoff(4, o));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(16_000);
    const lowHalf = delays.filter((d) => d < 8000).length;
    expect(lowHalf).toBeGreaterThan(800);
    expect(lowHalf).toBeLessThan(1200);
  });

  it('when sync keeps failing, then retries back off exponentially and after MAX_RETRIES fall back to the sync interval', () => {
    const top = () => 0.999999;
    expect(nextDelayMs(0, opts, top)).toBe(300_000);
    const windows = [1, 2, 3, 4, 5].map((n) => nextDelayMs(n, opts, top));
    expect(windows.map((d) => Math.round(d / 1000))).toEqual([2, 4, 8, 16, 32]);
    expect(nextDelayMs(6, opts, top)).toBe(300_000);
    expect(nextDelayMs(50, opts, top)).toBe(300_000);
    expect(nextDelayMs(3, { ...opts, backoff: { baseMs: 2000, capMs: 5000 } }, top)).toBeLessThan(5000);
  });
});

describe('uploader schedule against an unreachable client system (fake clock)', () => {
  it('when the client system refuses connections, then runs are retried with growing jittered delays, readings stay queued', async () => {
    const port = await freePort();
    const clock = new FakeClock();
    const logger = createLogger({ service: 'test', silent: true });
    const api = new ClientApi({
      origin: `http://127.0.0.1:${port}`,
      apiKey: 'k'.repeat(32),
      timeoutMs: 2000,
      logger,
      now: clock.now,
    });
    const url = await createTestDatabase(inject('pg'), 'agent_backoff');
    const db = await openDatabase({ url, migrations: siteMigrations, logger });
    const queue = new QueueRepository(db.knex);
    await queue.enqueue([
      { meterExternalId: 'm1', dataPoint: 'total_kwh', ts: new Date(), value: 1.5, unit: 'kWh', quality: 'good' },
    ]);
    const up = new Uploader({
      api,
      queue,
      logger,
      clock,
      batchSize: 100,
      random: () => 0.5,
      inFlight: new ReadingsInFlight(),
      ...opts,
    });
    up.start();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      clock.fireNext();
      // let the failing fetch settle
      for (let k = 0; k < 500 && clock.timers.length === 0; k++) await new Promise((r) => setTimeout(r, 10));
      delays.push(clock.timers[0]!.delay);
    }
    await up.stop();
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 300_000, 300_000, 300_000]);
    const rows = await db.knex('meter_readings').select('synced_at', 'retry_count');
    expect(rows).toEqual([{ synced_at: null, retry_count: 8 }]);
    const log = await db
      .knex('sync_log')
      .where({ success: false, error_code: 'UPLINK_UNREACHABLE' })
      .count<{ count: number }[]>('* as count');
    expect(log[0]!.count).toBe(8);
    await db.close();
    expect(up.failures).toBe(8);
    expect(api.uplink.up).toBe(false);
    expect(api.uplink.downSince?.getTime()).toBe(1_700_000_000_000);
  });
});
