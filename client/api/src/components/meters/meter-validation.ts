import { isIP } from 'node:net';
import type { Request } from 'express';
import { body, type ValidationChain } from 'express-validator';
import { LIMITS } from '@meterit/shared';
import {
  check,
  describeType,
  integerProblem,
  isPlainObject,
  onlyFields,
  stringProblem,
  validateOrThrow,
} from '../../middleware/validate.js';

/** Most meters one registration request may carry. */
export const MAX_METERS_PER_REQUEST = 1000;
const MAX_BACNET_INSTANCE = 4_194_303;

/** The envelope first: an oversized array is refused before any item is looked at. */
export const registerMetersEnvelope = () => [
  body()
    .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object {"meters": [...]}')))
    .bail(),
  body('meters').custom(
    check((v) => {
      if (!Array.isArray(v)) return `meters must be an array, got ${describeType(v)}`;
      if (v.length > MAX_METERS_PER_REQUEST) return `at most ${MAX_METERS_PER_REQUEST} meters per request`;
      const ids = v.map((m: unknown) => (isPlainObject(m) ? m.id : undefined)).filter((id) => typeof id === 'string');
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      return dup === undefined ? undefined : `meter id ${JSON.stringify(dup)} appears more than once`;
    }),
  ),
];

export const registerMetersChains = () => [
  body('meters.*').custom(
    check((v) => (isPlainObject(v) ? undefined : `a meter must be an object, got ${describeType(v)}`)),
  ),
  body('meters.*.id').custom(check(stringProblem('id', 1, LIMITS.maxIdLength))),
  body('meters.*.name').custom(check(stringProblem('name', 1, 255))),
  body('meters.*.bacnet_device_id').custom(check(integerProblem('bacnet_device_id', 0, MAX_BACNET_INSTANCE))),
  body('meters.*.bacnet_ip').custom(
    check((v) =>
      typeof v === 'string' && isIP(v) !== 0
        ? undefined
        : `bacnet_ip must be an IPv4 or IPv6 address, got ${describeType(v)}`,
    ),
  ),
  body('meters.*.bacnet_port').custom(check(integerProblem('bacnet_port', 1, 65535, { optional: true }))),
  body('meters.*.is_active').custom(
    check((v) =>
      v === undefined || typeof v === 'boolean' ? undefined : `is_active must be a boolean, got ${describeType(v)}`,
    ),
  ),
  body('meters.*.data_points').custom(
    check((v) =>
      Array.isArray(v)
        ? v.length > 1000
          ? 'at most 1000 data points per meter'
          : undefined
        : `data_points must be an array, got ${describeType(v)}`,
    ),
  ),
  body('meters.*.data_points.*').custom(
    check((v) => (isPlainObject(v) ? undefined : `a data point must be an object, got ${describeType(v)}`)),
  ),
  body('meters.*.data_points.*.object_type').custom(check(stringProblem('object_type', 1, 64))),
  body('meters.*.data_points.*.instance').custom(check(integerProblem('instance', 0, MAX_BACNET_INSTANCE))),
  body('meters.*.data_points.*.property').custom(
    check((v) => (v === undefined ? undefined : stringProblem('property', 1, 64)(v))),
  ),
  body('meters.*.data_points.*.name').custom(check(stringProblem('name', 1, LIMITS.maxDataPointLength))),
  body('meters.*.data_points.*.unit').custom(
    check((v) => (v === undefined || v === null ? undefined : stringProblem('unit', 0, LIMITS.maxUnitLength)(v))),
  ),
];

const METER_WRITE_FIELDS = [
  'external_id',
  'name',
  'bacnet_device_id',
  'bacnet_ip',
  'bacnet_port',
  'is_active',
  'data_points',
];

/**
 * A meter write's envelope first: its data_points array is refused when oversized before any item is
 * looked at (express-validator's wildcards take seconds over 20,000 items). Then meterWriteChains.
 */
const meterWriteEnvelope = (partial: boolean) => [
  body()
    .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object')))
    .bail(),
  body('data_points').custom(
    check((v) => {
      if (partial && v === undefined) return undefined;
      if (!Array.isArray(v)) return `data_points must be an array, got ${describeType(v)}`;
      if (v.length > 1000) return 'at most 1000 data points per meter';
      const names = v.map((p: unknown) => (isPlainObject(p) ? p.name : undefined));
      const dup = names.find((n, i) => typeof n === 'string' && names.indexOf(n) !== i);
      return dup === undefined ? undefined : `data point name ${JSON.stringify(dup)} appears more than once`;
    }),
  ),
];

/** One meter in a POST (every field) or PATCH (`partial`: only what is sent) from the web app, once its envelope passed. */
const meterWriteChains = (partial: boolean) => {
  const opt = (problem: (v: unknown) => string | undefined) => (v: unknown) =>
    partial && v === undefined ? undefined : problem(v);
  return [
    onlyFields(...METER_WRITE_FIELDS),
    body('external_id').custom(check(opt(stringProblem('external_id', 1, LIMITS.maxIdLength)))),
    body('name').custom(check(opt(stringProblem('name', 1, 255)))),
    body('bacnet_device_id').custom(check(opt(integerProblem('bacnet_device_id', 0, MAX_BACNET_INSTANCE)))),
    body('bacnet_ip').custom(
      check(
        opt((v) =>
          typeof v === 'string' && isIP(v) !== 0
            ? undefined
            : `bacnet_ip must be an IPv4 or IPv6 address, got ${describeType(v)}`,
        ),
      ),
    ),
    body('bacnet_port').custom(
      check((v) => (v === null ? undefined : integerProblem('bacnet_port', 1, 65535, { optional: true })(v))),
    ),
    body('is_active').custom(
      check((v) =>
        v === undefined || typeof v === 'boolean' ? undefined : `is_active must be a boolean, got ${describeType(v)}`,
      ),
    ),
    body('data_points.*').custom(
      check((v) => (isPlainObject(v) ? undefined : `a data point must be an object, got ${describeType(v)}`)),
    ),
    body('data_points.*.object_type').custom(check(stringProblem('object_type', 1, 64))),
    body('data_points.*.instance').custom(check(integerProblem('instance', 0, MAX_BACNET_INSTANCE))),
    body('data_points.*.property').custom(
      check((v) => (v === undefined ? undefined : stringProblem('property', 1, 64)(v))),
    ),
    body('data_points.*.name').custom(check(stringProblem('name', 1, LIMITS.maxDataPointLength))),
    body('data_points.*.unit').custom(
      check((v) => (v === undefined || v === null ? undefined : stringProblem('unit', 0, LIMITS.maxUnitLength)(v))),
    ),
  ];
};

/**
 * Validate a meter write from the web app (POST: every field; PATCH, `partial`: only what is sent): `first` (the
 * path parameters) with the envelope, then each field, so an oversized data_points is refused before its items.
 */
export async function validateMeterWrite(req: Request, partial: boolean, first: ValidationChain[] = []): Promise<void> {
  await validateOrThrow(req, [...first, ...meterWriteEnvelope(partial)]);
  await validateOrThrow(req, meterWriteChains(partial));
}
