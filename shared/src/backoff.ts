export interface BackoffOptions {
  /** Delay scale of the first retry, in ms. */
  baseMs: number;
  /** Largest delay ever returned, in ms. */
  capMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniformly random delay in [0, min(cap, base·2^attempt)).
 * attempt is 0 for the first retry. `random` returns [0, 1) and is injectable for tests.
 */
export function fullJitterBackoff(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(Math.max(attempt, 0), 52));
  return Math.floor(random() * exp);
}
