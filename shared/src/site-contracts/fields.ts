// Field schemas the local API's requests and answers are built from, and the site MCP tools reuse.
import { z } from 'zod';
import { LIMITS, UNSTORABLE_TEXT } from '../constants.js';

/** A time in an answer: ISO-8601 UTC with Z. */
export const isoTimeSchema = z.string().describe('ISO-8601 UTC time');
export const isoTimeOrNullSchema = isoTimeSchema.nullable();

/** Why a text argument was refused: it holds what no text column of the site database can store. */
export const UNSTORABLE_TEXT_PROBLEM =
  'contains a character that cannot be used (NUL \\u0000 or a lone UTF-16 surrogate)';

/** Text the site database can store; `problem` is the message for a missing or non-text value. */
function storableText(problem: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : problem) })
    .refine((s) => !UNSTORABLE_TEXT.test(s), UNSTORABLE_TEXT_PROBLEM);
}

/** Text of `min`..`max` characters after trimming, with one message for every way of missing that. */
function trimmedText(min: number, max: number, problem: string) {
  return storableText(problem).trim().min(min, problem).max(max, problem);
}

/** A meter's id (its external id, e.g. "SIM-4101"). */
export const meterIdInput = trimmedText(
  1,
  LIMITS.maxIdLength,
  `must be a meter id of 1 to ${LIMITS.maxIdLength} characters`,
);

/** A data point's name (e.g. "total_kwh"). */
export const pointNameInput = trimmedText(
  1,
  LIMITS.maxDataPointLength,
  `must be a data point name of 1 to ${LIMITS.maxDataPointLength} characters`,
);

/** Why collection was started or stopped; empty means no reason given. */
export const reasonInput = storableText('must be a string').trim().max(200, 'must be at most 200 characters');

const DEAD_LETTER_ID = 'must be a dead letter id (a positive integer)';
const DEAD_LETTER_IDS = 'must be a list of 1 to 10000 dead letter ids';

/** Dead letters by id, as the dead letters list names them. */
export const deadLetterIdsInput = z
  .array(
    z
      .number({ error: DEAD_LETTER_ID })
      .int({ error: DEAD_LETTER_ID })
      .min(1, { error: DEAD_LETTER_ID })
      .describe('A dead letter id, from the dead letters list'),
    { error: DEAD_LETTER_IDS },
  )
  .min(1, { error: DEAD_LETTER_IDS })
  .max(10_000, { error: DEAD_LETTER_IDS });

// Query parameters arrive as text; these read them into what the handler uses.

const ISO_TIME = 'must be an ISO-8601 time such as 2026-11-21T10:00:00Z';
/** Calendar date, optionally a time of day (minutes at least), optionally a zone: what Date reads the same everywhere. */
const ISO_8601 =
  /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(\d{2})(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:[zZ]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?)?)?$/;

function isIsoTime(s: string): boolean {
  const m = ISO_8601.exec(s);
  if (!m || Number.isNaN(new Date(s).getTime())) return false;
  if (m[3] === undefined) return true;
  // Date rolls 2026-02-30 over into March; the day must exist in its month.
  const day = Number(m[3]);
  return day >= 1 && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, day)).getUTCDate() === day;
}

/** An ISO-8601 time, read as a Date. */
export const isoTimeParam = z
  .string({ error: ISO_TIME })
  .refine(isIsoTime, ISO_TIME)
  .transform((s) => new Date(s));

/** An integer from `min` to `max`, written in decimal digits. */
export function intParam(min: number, max: number) {
  const problem = `must be an integer from ${min} to ${max}`;
  return z
    .string({ error: problem })
    .refine((s) => /^[-+]?\d+$/.test(s) && Number(s) >= min && Number(s) <= max, problem)
    .transform(Number);
}

/** `true` or `false`. */
export const booleanParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((s) => s === 'true');
