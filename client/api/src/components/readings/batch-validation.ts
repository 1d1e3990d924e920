import { SyncReadingSchema } from '@meterit/shared';
import { readingTimeProblem } from './timestamps.js';

/**
 * Every problem of one reading (empty when it is valid): each field by SyncReadingSchema, then the timestamp
 * against the server's clock. Joined with "; " into one reason per rejected reading.
 */
export function readingProblems(v: unknown, nowMs: number): string[] {
  const r = SyncReadingSchema.safeParse(v);
  const problems = r.success ? [] : r.error.issues.map((i) => i.message);
  const time = r.success ? readingTimeProblem(r.data.timestamp, nowMs) : undefined;
  return time === undefined ? problems : [...problems, time];
}

/**
 * The problems per reading index of a batch whose envelope (BatchEnvelopeSchema) passed; the caller decides on
 * 422. A plain loop over one schema: the whole batch in one parse would name a bad reading by path, not by index.
 */
export function checkReadings(readings: readonly unknown[], nowMs: number = Date.now()): Map<number, string[]> {
  const byIndex = new Map<number, string[]>();
  for (let index = 0; index < readings.length; index++) {
    const problems = readingProblems(readings[index], nowMs);
    if (problems.length > 0) byIndex.set(index, [problems.join('; ')]);
  }
  return byIndex;
}
