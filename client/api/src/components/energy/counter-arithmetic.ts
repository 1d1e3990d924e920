/**
 * What one step of a cumulative energy counter (reading v0, then reading v1) adds, in the counter's own unit.
 * Pure functions: the raw energy views and the rollups both count with them, so a step means the same everywhere.
 */

/**
 * advance: v1 ≥ v0; noise: a drop within float noise (counts 0); reset: restarted near 0; rollover: wrapped;
 * impossible: more than the point's physical limit allows for the step's duration (counts 0).
 */
export type StepKind = 'advance' | 'noise' | 'reset' | 'rollover' | 'impossible';

export interface CounterStep {
  /** What the counter advanced, in its own unit (never negative; 0 for an impossible step). */
  energy: number;
  kind: StepKind;
  /** An impossible step: what it would have counted as the kind it otherwise is, in the counter's unit. */
  rejected?: number;
}

/**
 * A limit is applied to at least this long a step: a counter of coarse resolution read every few seconds steps by
 * a whole digit at once, which over a few seconds may look like more than the meter's rating.
 */
export const LIMIT_MIN_SECONDS = 60;

/** The most a counter with `maxKwhPerHour` may count in a step of `seconds`, in its own unit (factor: unit → kWh). */
export function stepLimit(maxKwhPerHour: number, factor: number, seconds: number): number {
  return (maxKwhPerHour * Math.max(seconds, LIMIT_MIN_SECONDS)) / 3600 / factor;
}

/**
 * Register sizes a counter commonly wraps at when no wrap value is configured: 16- and 32-bit unsigned registers,
 * and decimal registers of 6 to 9 digits (display-style counters that go from 999 999 to 0).
 */
export const COMMON_WRAP_VALUES: readonly number[] = [2 ** 16, 1e6, 1e7, 1e8, 1e9, 2 ** 32];

/**
 * A configured wrap is believed when the wrapped advance is at most this share of the register: a counter at 5 000
 * that drops to 3 is a restart, not a wrap of a 2^32 register that ran through 4.29 billion units in one step.
 */
export const CONFIGURED_WRAP_SHARE = 0.1;
/**
 * Without a configured wrap value, a drop counts as a rollover only when v0 was within this share of a common wrap
 * value and the wrapped advance is as small: a drop from 4 294 960 000 to 1 200 is a 32-bit wrap (8 496 units), a
 * drop from 3 000 000 to 1 200 is a reset.
 */
export const DETECTED_WRAP_SHARE = 0.01;

/** A drop this small is float noise of the meter or of the transport (REAL is 32-bit), not a reset. */
export function noiseTolerance(v0: number): number {
  return Math.max(0.001, Math.abs(v0) * 1e-6);
}

/** The wrap value a drop from v0 to v1 is explained by: the configured one, else a common one close above v0. */
export function wrapOf(v0: number, v1: number, wrapsAt: number | null | undefined): number | undefined {
  if (v1 < 0) return undefined;
  if (wrapsAt !== null && wrapsAt !== undefined) {
    return v0 <= wrapsAt && wrapsAt - v0 + v1 <= wrapsAt * CONFIGURED_WRAP_SHARE ? wrapsAt : undefined;
  }
  return COMMON_WRAP_VALUES.find((w) => v0 <= w && w - v0 + v1 <= w * DETECTED_WRAP_SHARE);
}

/**
 * One step: an advance counts v1 − v0; a drop within noise counts 0; a rollover counts (wrap − v0) + v1; any other
 * drop is a reset (the meter restarted, or was replaced): the new value counts, which is what it advanced since the
 * restart, as Prometheus' increase() does. What it advanced between v0 and the restart is unknown and not invented.
 */
export function classifyStep(v0: number, v1: number, wrapsAt?: number | null): CounterStep {
  if (v1 >= v0) return { energy: v1 - v0, kind: 'advance' };
  if (v0 - v1 <= noiseTolerance(v0)) return { energy: 0, kind: 'noise' };
  const wrap = wrapOf(v0, v1, wrapsAt);
  if (wrap !== undefined) return { energy: wrap - v0 + v1, kind: 'rollover' };
  return { energy: Math.max(v1, 0), kind: 'reset' };
}

/**
 * One step (classifyStep), checked against the point's physical limit when it has one (`maxUnits`: stepLimit for the
 * step's duration): a step that would count more is impossible — a corrupt read, a spike, a swapped meter's own
 * count — and counts nothing. Resets are checked too: the value a restart counts is bounded by the same rating, and a
 * spike's way back down is a drop to the true value, which as a reset would count the whole meter reading.
 */
export function counterStep(v0: number, v1: number, wrapsAt?: number | null, maxUnits?: number | null): CounterStep {
  const step = classifyStep(v0, v1, wrapsAt);
  if (maxUnits === null || maxUnits === undefined || step.energy <= maxUnits) return step;
  return { energy: 0, kind: 'impossible', rejected: step.energy };
}
