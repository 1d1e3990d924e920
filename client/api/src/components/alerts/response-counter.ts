import type { RequestHandler } from 'express';

/**
 * Responses by status over a sliding window, in one-second buckets, for the API error-rate rule.
 * Only 5xx count as errors: a 4xx is the caller's mistake, not the system failing. Per process.
 */
export class ResponseCounter {
  private readonly buckets = new Map<number, { total: number; errors: number }>();

  constructor(private readonly keepMs = 24 * 3_600_000) {}

  record(status: number, atMs = Date.now()): void {
    const sec = Math.floor(atMs / 1000);
    const b = this.buckets.get(sec) ?? { total: 0, errors: 0 };
    b.total += 1;
    if (status >= 500) b.errors += 1;
    this.buckets.set(sec, b);
    if (this.buckets.size > 4000) this.prune(atMs);
  }

  /** Totals in (now - windowMs, now]. */
  snapshot(nowMs: number, windowMs: number): { total: number; errors: number } {
    const from = Math.floor((nowMs - windowMs) / 1000);
    const to = Math.floor(nowMs / 1000);
    let total = 0;
    let errors = 0;
    for (const [sec, b] of this.buckets) {
      if (sec > from && sec <= to) {
        total += b.total;
        errors += b.errors;
      }
    }
    this.prune(nowMs);
    return { total, errors };
  }

  private prune(nowMs: number): void {
    const oldest = Math.floor((nowMs - this.keepMs) / 1000);
    for (const sec of this.buckets.keys()) if (sec < oldest) this.buckets.delete(sec);
  }

  middleware(): RequestHandler {
    return (_req, res, next) => {
      res.on('finish', () => this.record(res.statusCode));
      next();
    };
  }
}
