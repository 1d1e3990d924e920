import { BUCKET_ORIGIN } from '../readings/buckets.js';

export const QUARTER_MS = 900_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const ORIGIN = Date.parse(BUCKET_ORIGIN);

/** Start of the 15-minute interval holding `ms` (aligned like every 15-minute bucket: on UTC quarter hours). */
export const floorQuarter = (ms: number) => ORIGIN + Math.floor((ms - ORIGIN) / QUARTER_MS) * QUARTER_MS;
/** The first quarter-hour edge at or after `ms`. */
export const ceilQuarter = (ms: number) => ORIGIN + Math.ceil((ms - ORIGIN) / QUARTER_MS) * QUARTER_MS;

/** Fixed-width interval starts covering [from, to) plus the end of the last one, aligned on UTC. */
export function fixedEdges(from: number, to: number, width: number): number[] {
  const out: number[] = [];
  for (let t = ORIGIN + Math.floor((from - ORIGIN) / width) * width; t < to; t += width) out.push(t);
  out.push((out[out.length - 1] ?? from) + width);
  return out;
}

/** 15-minute interval starts covering [from, to) plus the end of the last one. */
export const quarterEdges = (from: number, to: number) => fixedEdges(from, to, QUARTER_MS);

/** Whether every edge lies on a multiple of `width` (UTC-aligned). */
export const alignedTo = (edges: number[], width: number) => edges.every((t) => (t - ORIGIN) % width === 0);

export interface Span {
  from: number;
  to: number;
}

/** The largest stretch of whole intervals inside a part, or null when not one fits. */
export type Cover = (part: Span) => Span | null;

/** Whole fixed-width intervals (UTC-aligned hours or quarter hours). */
export const fixedCover =
  (width: number): Cover =>
  (p) => {
    const from = ORIGIN + Math.ceil((p.from - ORIGIN) / width) * width;
    const to = ORIGIN + Math.floor((p.to - ORIGIN) / width) * width;
    return from < to ? { from, to } : null;
  };

/** Whole intervals between listed edges (ascending: local days or months). */
export const edgeCover =
  (edges: number[]): Cover =>
  (p) => {
    const inside = edges.filter((t) => t >= p.from && t <= p.to);
    const from = inside[0];
    const to = inside[inside.length - 1];
    return from !== undefined && to !== undefined && from < to ? { from, to } : null;
  };

/**
 * Split `range` into stretches each read at the coarsest grain that fits: every level (coarse to fine) takes the
 * whole intervals it can from what the levels before left, at most one stretch per part, and leaves the edges to the
 * next. What no level covers (less than a quarter hour at either end) is read raw.
 */
export function planSegments<G extends string>(range: Span, levels: { grain: G; cover: Cover }[]) {
  const plan = new Map<G | 'raw', Span[]>();
  let parts: Span[] = [range];
  for (const { grain, cover } of levels) {
    const rest: Span[] = [];
    for (const part of parts) {
      const c = cover(part);
      if (!c) {
        rest.push(part);
        continue;
      }
      (plan.get(grain) ?? plan.set(grain, []).get(grain))?.push(c);
      if (part.from < c.from) rest.push({ from: part.from, to: c.from });
      if (c.to < part.to) rest.push({ from: c.to, to: part.to });
    }
    parts = rest;
  }
  plan.set('raw', parts);
  return plan;
}
