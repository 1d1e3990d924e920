/**
 * Invoke ids chosen by the adapter instead of the library's counter.
 *
 * The library matches replies by invoke id alone (0–255, shared by all devices), and the timer of
 * an answered request stays armed until its expiry, when it deletes whatever request holds that id
 * by then (which then never settles). So an id is handed out only when no request holds it and the
 * library's timer of its last use has run out (`quarantineMs` after that use started), unless the
 * adapter dropped that timer itself after the answer (`release(…, { timerCleared: true })`): then
 * the id rests only `afterAnswerMs`. Ids go round-robin so a late reply meets a different request
 * as rarely as possible. 0 is never used: the library treats `invokeId: 0` as "not given" and
 * would pick its own.
 */
export class InvokeIds {
  private readonly busy = new Set<number>();
  private readonly freeAt = new Map<number, number>();
  private next = 1;
  private readonly waiters: Array<{ resolve: (id: number) => void; reject: (err: Error) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly quarantineMs: number,
    private readonly now: () => number = Date.now,
    private readonly afterAnswerMs = 0,
  ) {}

  get inUse(): number {
    return this.busy.size;
  }

  acquire(): Promise<number> {
    if (this.waiters.length === 0) {
      const id = this.tryTake();
      if (id !== null) return Promise.resolve(id);
    }
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  /**
   * Give the id back; it stays out of use until `startedAt + quarantineMs`, or for `afterAnswerMs`
   * when the request was answered and the library's timer for it is gone (`timerCleared`).
   */
  release(id: number, startedAt: number, opts: { timerCleared?: boolean } = {}): void {
    this.busy.delete(id);
    this.freeAt.set(id, opts.timerCleared ? this.now() + this.afterAnswerMs : startedAt + this.quarantineMs);
    this.pump();
  }

  dispose(err: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private tryTake(): number | null {
    const now = this.now();
    for (let i = 0; i < 255; i++) {
      const id = ((this.next - 1 + i) % 255) + 1;
      if (this.busy.has(id) || (this.freeAt.get(id) ?? 0) > now) continue;
      this.busy.add(id);
      this.next = (id % 255) + 1;
      return id;
    }
    return null;
  }

  private pump(): void {
    while (this.waiters.length > 0) {
      const id = this.tryTake();
      if (id === null) break;
      this.waiters.shift()?.resolve(id);
    }
    if (this.waiters.length === 0 || this.timer) return;
    let earliest = Infinity;
    for (let id = 1; id <= 255; id++) {
      if (!this.busy.has(id)) earliest = Math.min(earliest, this.freeAt.get(id) ?? 0);
    }
    if (earliest === Infinity) return; // every id is in flight: a release() pumps again
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, earliest - this.now()),
    );
  }
}
