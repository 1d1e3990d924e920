import { OperatorErrorCode } from '@meterit/shared';
import { ApiError } from '../../errors.js';

/** UTC+14 (Kiritimati): the zone where a calendar date begins first. */
const EARLIEST_ZONE_MS = 14 * 3_600_000;

/**
 * Whether local date `d` has begun anywhere on Earth at `now`. From then on a version, assignment or holiday of
 * that date may have priced some site's energy: it is history, and history never changes (a new price is a new
 * version from a later date). Until then it is a plan that may still be changed or withdrawn.
 */
export function hasBegun(d: string, now: number): boolean {
  return now >= Date.parse(`${d}T00:00:00Z`) - EARLIEST_ZONE_MS;
}

export const conflict = (message: string) => new ApiError(409, OperatorErrorCode.CONFLICT, message);

/** 409 for changing something that has been in force: say why and what to do instead. */
export const historyConflict = (what: string, date: string) =>
  conflict(
    `${what} is in force since ${date} and is history now: what once priced energy never changes; add a new one from a later date instead`,
  );
