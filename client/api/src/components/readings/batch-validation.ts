import type { Request } from 'express';
import { body } from 'express-validator';
import { LIMITS } from '@meterit/shared';
import { check, describeType, isPlainObject, stringProblem, validateOrThrow } from '../../middleware/validate.js';
import { readingTimestampProblem } from './timestamps.js';

const envelopeChains = () => [
  body()
    .custom(
      check((v) =>
        isPlainObject(v)
          ? undefined
          : 'the body must be a JSON object {"batch_id"?, "readings": [...]} sent with Content-Type: application/json',
      ),
    )
    .bail(),
  body('batch_id').custom(check((v) => (v === undefined ? undefined : stringProblem('batch_id', 1, 128)(v)))),
  body('readings').custom(
    check((v) => {
      if (v === undefined) return 'readings is required';
      if (!Array.isArray(v)) return `readings must be an array, got ${describeType(v)}`;
      if (v.length === 0) return 'readings must not be empty';
      if (v.length > LIMITS.maxBatchReadings)
        return `readings holds ${v.length} readings; at most ${LIMITS.maxBatchReadings} per batch`;
      return undefined;
    }),
  ),
];

const unitProblem = (v: unknown): string | undefined => {
  if (v === undefined) return 'unit is required (use null when the unit is not known)';
  if (v === null) return undefined;
  if (typeof v !== 'string') return `unit must be a string or null, got ${describeType(v)}`;
  return stringProblem('unit', 0, LIMITS.maxUnitLength)(v);
};

const valueProblem = (v: unknown): string | undefined => {
  if (v === undefined) return 'value is required';
  // JSON.parse turns 1e400 into Infinity, so finiteness is checked here too.
  if (typeof v !== 'number' || !Number.isFinite(v)) return `value must be a finite JSON number, got ${describeType(v)}`;
  return undefined;
};

/** Every problem of one reading, field by field (empty when it is valid). */
export function readingProblems(v: unknown, nowMs: number): string[] {
  if (!isPlainObject(v)) return [`a reading must be an object, got ${describeType(v)}`];
  return [
    stringProblem('meter_external_id', 1, LIMITS.maxIdLength)(v.meter_external_id),
    stringProblem('data_point', 1, LIMITS.maxDataPointLength)(v.data_point),
    readingTimestampProblem(v.timestamp, nowMs),
    valueProblem(v.value),
    unitProblem(v.unit),
    stringProblem('quality', 1, LIMITS.maxQualityLength)(v.quality),
  ].filter((p): p is string => p !== undefined);
}

/**
 * Check the envelope (400 VALIDATION_FAILED when it is wrong: nothing can be said per reading), then
 * every field of every reading. Returns the problems per reading index; the caller decides on 422.
 * The readings are checked with a plain loop: express-validator's `readings.*` wildcard spent
 * ~10 ms of event loop per 1000 readings selecting the fields (profiled with the ingest benchmark);
 * the messages are the same, one per bad reading, its field problems joined with "; ".
 */
export async function checkBatchRequest(req: Request, nowMs: number = Date.now()): Promise<Map<number, string[]>> {
  await validateOrThrow(req, envelopeChains());
  const readings = (req.body as { readings: unknown[] }).readings;
  const byIndex = new Map<number, string[]>();
  for (let index = 0; index < readings.length; index++) {
    const problems = readingProblems(readings[index], nowMs);
    if (problems.length > 0) byIndex.set(index, [problems.join('; ')]);
  }
  return byIndex;
}
