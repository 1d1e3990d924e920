// The adapter's own invoke ids and in-flight semaphore (no network).
import { describe, expect, it } from 'vitest';
import { InvokeIds } from '../src/meters/bacnet/invoke-ids.js';
import { Semaphore } from '../src/meters/bacnet/semaphore.js';

describe('InvokeIds', () => {
  it('when ids are taken, then they run 1..255 round-robin and never 0 (the library ignores invokeId 0)', async () => {
    const ids = new InvokeIds(1000, () => 0);
    const got: number[] = [];
    for (let i = 0; i < 255; i++) got.push(await ids.acquire());
    expect(got).toEqual(Array.from({ length: 255 }, (_, i) => i + 1));
  });

  it('when an answered id is still inside the library timer window, then it is not handed out again', async () => {
    let now = 0;
    const ids = new InvokeIds(1000, () => now);
    const all: number[] = [];
    for (let i = 0; i < 255; i++) all.push(await ids.acquire());
    // All answered at once; their library timers run until t = 1000.
    for (const id of all) ids.release(id, 0);
    let handedOut: number | null = null;
    const next = ids.acquire().then((id) => (handedOut = id));
    await new Promise((r) => setTimeout(r, 20));
    expect(handedOut).toBeNull();
    now = 1001;
    await next;
    expect(handedOut).toBe(1);
  });

  it('when an answered id is released with the library timer dropped, then it rests only afterAnswerMs', async () => {
    let now = 0;
    const ids = new InvokeIds(1000, () => now, 20);
    const all: number[] = [];
    for (let i = 0; i < 255; i++) all.push(await ids.acquire());
    for (const id of all) ids.release(id, 0, { timerCleared: id !== 7 });
    now = 19;
    let handedOut: number | null = null;
    const next = ids.acquire().then((id) => (handedOut = id));
    await new Promise((r) => setTimeout(r, 20));
    expect(handedOut).toBeNull();
    now = 20;
    const first = await next;
    expect(first).toBe(1);
    // Id 7 was not answered: it still waits out the library's timer.
    const taken = [first];
    for (let i = 0; i < 253; i++) taken.push(await ids.acquire());
    expect(taken).not.toContain(7);
    expect(taken).toHaveLength(254);
  });

  it('when every id is in flight, then the next request waits for a release instead of reusing one', async () => {
    let now = 0;
    const ids = new InvokeIds(10, () => now);
    for (let i = 0; i < 255; i++) await ids.acquire();
    expect(ids.inUse).toBe(255);
    let handedOut: number | null = null;
    const next = ids.acquire().then((id) => (handedOut = id));
    await new Promise((r) => setTimeout(r, 10));
    expect(handedOut).toBeNull();
    now = 100;
    ids.release(42, 0);
    await next;
    expect(handedOut).toBe(42);
  });
});

describe('Semaphore', () => {
  it('when more callers than slots arrive, then at most `limit` hold it and the rest go in order', async () => {
    const sem = new Semaphore(2);
    const order: number[] = [];
    let active = 0;
    let maxActive = 0;
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const release = await sem.acquire();
        active += 1;
        maxActive = Math.max(maxActive, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        release();
      }),
    );
    expect(maxActive).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sem.inUse).toBe(0);
  });
});
